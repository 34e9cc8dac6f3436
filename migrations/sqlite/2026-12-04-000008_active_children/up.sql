-- Each unit keeps how many active children it has, changed in the same
-- transaction as the child (see tree::coverage, `child_count_changed`).
-- A chain gap (五级联动 broken) is an active management unit with none:
-- a partial index lists them in creation order without reading the rest.
ALTER TABLE org_units ADD COLUMN active_children INTEGER NOT NULL DEFAULT 0;
UPDATE org_units SET active_children = (
    SELECT COUNT(*) FROM org_units k
    WHERE k.parent_id = org_units.id AND k.dissolved_on IS NULL
);
CREATE INDEX org_units_chain_gaps ON org_units (id)
    WHERE active_children = 0 AND level <= 4 AND dissolved_on IS NULL;
