-- Which rule of what counts as an error (faultline_model::error_class::RULE)
-- a source's per-second counters were written with. A source counted by an
-- older rule is read again rather than reused, so the chart and the error
-- events of one case never follow two rules. Rows from before this column
-- were counted by rule 1.
ALTER TABLE sources ADD COLUMN error_rule INTEGER NOT NULL DEFAULT 1;
