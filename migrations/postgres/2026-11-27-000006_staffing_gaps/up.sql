-- The units failing each staffing rule (DESIGN.md §2), kept up to date by
-- every write that can change them, so staffingSummary counts index
-- entries instead of evaluating six anti-joins over the whole tree. The
-- unit's strict ancestry is copied as on org_units (moves rewrite it).
-- Filled from the units and posts at the first start after this migration.
CREATE TABLE staffing_gaps (
    unit_id           BIGINT NOT NULL REFERENCES org_units (id),
    rule              TEXT   NOT NULL,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    PRIMARY KEY (unit_id, rule)
);
CREATE INDEX staffing_gaps_rule ON staffing_gaps (rule, unit_id);
CREATE INDEX staffing_gaps_township ON staffing_gaps (township_id, rule);
CREATE INDEX staffing_gaps_village ON staffing_gaps (village_id, rule);
CREATE INDEX staffing_gaps_grid ON staffing_gaps (grid_id, rule);
CREATE INDEX staffing_gaps_building_group ON staffing_gaps (building_group_id, rule);

-- Moving a village, grid or group rewrites the ancestry of the posts
-- beneath it: find them by index, not by scanning every post.
CREATE INDEX positions_village ON positions (village_id) WHERE village_id IS NOT NULL;
CREATE INDEX positions_building_group ON positions (building_group_id) WHERE building_group_id IS NOT NULL;

-- A village move rewrites township_id on every post beneath it. That
-- column is not indexed on positions, so with room left on each page the
-- rewrite is a heap-only (HOT) update that touches none of the nine indexes.
ALTER TABLE positions SET (fillfactor = 85);
-- The per-level ancestry columns of org_units are derived from parent_id
-- (which keeps its foreign key) and rewritten with the subtree in the same
-- transaction; their foreign keys cost a trigger call per moved row.
ALTER TABLE org_units DROP CONSTRAINT org_units_township_id_fkey;
ALTER TABLE org_units DROP CONSTRAINT org_units_village_id_fkey;
ALTER TABLE org_units DROP CONSTRAINT org_units_grid_id_fkey;
ALTER TABLE org_units DROP CONSTRAINT org_units_building_group_id_fkey;
