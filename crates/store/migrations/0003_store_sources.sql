-- Log-store sources (a ClickHouse table). A store groups alike records of one
-- second in its own query and sends their first and last: the first stands
-- for `repeat` records (itself included), so counts of events are what the
-- records would give. Rows of files are always 1.
ALTER TABLE records ADD COLUMN repeat INTEGER NOT NULL DEFAULT 1;

-- What was asked of a store, per table: URL without credentials, table,
-- column mapping, range and query times (JSON), so a case says where its
-- records came from and can fetch a citation's neighbours again.
CREATE TABLE store_queries (
    locator    TEXT PRIMARY KEY,
    descriptor TEXT NOT NULL,
    queried_at TEXT NOT NULL
);

-- A citation of a store's row names its time and row key; the row is found
-- again by its key (only store rows have no line number).
CREATE INDEX records_store_row ON records(file, offset) WHERE line = 0;
