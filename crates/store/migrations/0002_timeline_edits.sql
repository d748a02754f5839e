-- The analyst's edits to the postmortem timeline: an entry pinned (kept even
-- when a later analysis no longer produces it), hidden (left out of the
-- timeline and the exports) or renamed. `key` identifies an entry across
-- analyses (kind, instant and what it rests on; see faultline-engine);
-- `entry` is the entry as it was when edited, JSON, so a pinned one can be
-- put back.
CREATE TABLE timeline_edits (
    key        TEXT PRIMARY KEY,
    pinned     INTEGER NOT NULL DEFAULT 0,
    hidden     INTEGER NOT NULL DEFAULT 0,
    rename     TEXT,
    entry      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
