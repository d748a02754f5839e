-- Version 1 of the case file. A case holds metadata about the inputs, per-second
-- counts and the notable records; the raw lines stay in the user's files and are
-- read back by offset.

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    format      TEXT NOT NULL,
    tz          TEXT NOT NULL,
    records     INTEGER NOT NULL DEFAULT 0,
    unparsed    INTEGER NOT NULL DEFAULT 0,
    first_us    INTEGER,
    last_us     INTEGER,
    bytes       INTEGER NOT NULL DEFAULT 0,
    sha256      TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '[]',
    -- 0 while ingest is writing it: a case killed mid-ingest says which sources are incomplete.
    complete    INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL
);

-- The files behind a source: members of a rotated set, files of a Slack export.
-- Size and mtime decide whether a re-opened case must re-parse the source.
CREATE TABLE source_files (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    path      TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    sha256    TEXT NOT NULL,
    PRIMARY KEY (source_id, ord)
) WITHOUT ROWID;

CREATE TABLE counts (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    second    INTEGER NOT NULL,
    total     INTEGER NOT NULL,
    errors    INTEGER NOT NULL,
    http_5xx  INTEGER NOT NULL,
    http_4xx  INTEGER NOT NULL,
    warnings  INTEGER NOT NULL,
    PRIMARY KEY (source_id, second)
) WITHOUT ROWID;

CREATE TABLE records (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    file       TEXT NOT NULL,
    time_us    INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    offset     INTEGER NOT NULL,
    len        INTEGER NOT NULL,
    lines      INTEGER NOT NULL,
    level      TEXT,
    status     INTEGER,
    method     TEXT,
    path       TEXT,
    client     TEXT,
    user_agent TEXT,
    host       TEXT,
    service    TEXT,
    message    TEXT NOT NULL,
    text       TEXT NOT NULL,
    flags      INTEGER NOT NULL
);
CREATE INDEX records_time ON records(time_us);

-- Changes, support messages and alerts: few, stored whole as JSON.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    file      TEXT NOT NULL,
    time_us   INTEGER NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX events_time ON events(kind, time_us);

-- The first unparsed lines of each source, to show the analyst what was not read.
CREATE TABLE unparsed (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    file      TEXT NOT NULL,
    line      INTEGER NOT NULL,
    offset    INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    text      TEXT NOT NULL
);

-- The analyst's annotations.
CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    time_us    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
