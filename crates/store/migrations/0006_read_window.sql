-- The window a source was read for (`--from/--to`), as fields: `windowed` is
-- 1 for a window read, whose bounds (either may be open) are in
-- `window_from_us`/`window_to_us`. Reuse compares these, and what the
-- analyst reads about the window is rendered from them.
ALTER TABLE sources ADD COLUMN windowed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN window_from_us INTEGER;
ALTER TABLE sources ADD COLUMN window_to_us INTEGER;

-- Before this migration a window read said so only in an English note, whose
-- instants SQL cannot read back exactly. Such a row keeps its note (what the
-- analyst is shown stays true) but names no error rule, so it is never reused
-- as a whole read: the next ingest that plans it reads it again and writes
-- the window as fields.
UPDATE sources SET error_rule = 0 WHERE notes LIKE '%was read (--from/--to;%';
