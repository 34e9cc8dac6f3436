-- Coverage counters (DESIGN.md §1, "covered"): for the region (scope 0) and
-- for every unit of levels 1-3, how many active management units (levels
-- 1-4) lie strictly beneath it, per level, unit type, organization form,
-- whether an AFFILIATED unit's host has lost its organization, and whether
-- the unit has no active child (a break in the five-level chain). Kept up
-- to date in the transaction of every tree write: coverage is a lookup.
CREATE TABLE coverage_counts (
    scope_id   BIGINT  NOT NULL,
    level      INTEGER NOT NULL,
    unit_type  TEXT    NOT NULL,
    org_form   TEXT    NOT NULL,
    host_lost  BOOLEAN NOT NULL,
    childless  BOOLEAN NOT NULL,
    n          BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, level, unit_type, org_form, host_lost, childless)
);

-- Backfill from the units already there.
INSERT INTO coverage_counts (scope_id, level, unit_type, org_form, host_lost, childless, n)
SELECT scope_id, level, unit_type, org_form, host_lost, childless, COUNT(*)
FROM (
    SELECT s.scope_id, u.level, u.unit_type, u.org_form,
           CASE WHEN u.org_form = 'AFFILIATED'
                 AND (h.dissolved_on IS NOT NULL OR h.org_form IN ('NONE', 'AFFILIATED'))
                THEN TRUE ELSE FALSE END AS host_lost,
           CASE WHEN EXISTS (SELECT 1 FROM org_units k WHERE k.parent_id = u.id AND k.dissolved_on IS NULL)
                THEN FALSE ELSE TRUE END AS childless
    FROM org_units u
    LEFT JOIN org_units h ON h.id = u.host_unit_id
    JOIN (
        SELECT id, 0 AS scope_id FROM org_units
        UNION ALL SELECT id, township_id FROM org_units WHERE township_id IS NOT NULL
        UNION ALL SELECT id, village_id FROM org_units WHERE village_id IS NOT NULL
        UNION ALL SELECT id, grid_id FROM org_units WHERE grid_id IS NOT NULL
    ) s ON s.id = u.id
    WHERE u.level <= 4 AND u.dissolved_on IS NULL
) c
GROUP BY scope_id, level, unit_type, org_form, host_lost, childless;
