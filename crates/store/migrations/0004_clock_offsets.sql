-- The analyst's correction of a source's clock: milliseconds added to every
-- instant its files state, applied when the source is read (so its counts and
-- records are stored corrected). A source read with another offset is read
-- again; 0 is no correction.
ALTER TABLE sources ADD COLUMN clock_offset_ms INTEGER NOT NULL DEFAULT 0;
