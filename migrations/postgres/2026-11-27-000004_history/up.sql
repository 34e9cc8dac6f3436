-- The tree's history (issue 5: coverage as of any date).
--
-- unit_history: one row per change of a unit's parent, type, organization
-- form, host or status, with the date it took effect. A unit's rows are in
-- effective-date order (see history_marks), so its state on day D is its
-- last row with effective_on <= D.
CREATE TABLE unit_history (
    id           BIGSERIAL PRIMARY KEY,
    unit_id      BIGINT  NOT NULL REFERENCES org_units (id),
    effective_on DATE    NOT NULL,
    change       TEXT    NOT NULL,
    parent_id    BIGINT,
    unit_type    TEXT    NOT NULL,
    org_form     TEXT,
    host_unit_id BIGINT,
    active       BOOLEAN NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history (unit_id, id);
CREATE INDEX unit_history_parent ON unit_history (parent_id) WHERE parent_id IS NOT NULL;

-- coverage_history: the changes of coverage_counts, per day they took
-- effect. The counters of a scope on day D are the sums of its rows with
-- day <= D; every write adds its deltas here in the same transaction.
CREATE TABLE coverage_history (
    scope_id   BIGINT  NOT NULL,
    day        DATE    NOT NULL,
    level      INTEGER NOT NULL,
    unit_type  TEXT    NOT NULL,
    org_form   TEXT    NOT NULL,
    host_lost  BOOLEAN NOT NULL,
    childless  BOOLEAN NOT NULL,
    n          BIGINT  NOT NULL,
    -- n rides in the index: a scope's days are one index-only range scan
    PRIMARY KEY (scope_id, day, level, unit_type, org_form, host_lost, childless) INCLUDE (n)
);

-- The latest effective date recorded in each township's subtree. A change
-- may not take effect before it: history is appended in date order within
-- a township, which keeps every day's counters exact.
CREATE TABLE history_marks (
    township_id BIGINT NOT NULL PRIMARY KEY,
    last_on     DATE   NOT NULL
);

-- Volunteer teams get counters too (form NONE, never childless-checked):
-- dashboards count units per level, teams included, without a scan.
INSERT INTO coverage_counts (scope_id, level, unit_type, org_form, host_lost, childless, n)
SELECT s.scope_id, 5, u.unit_type, 'NONE', FALSE, TRUE, COUNT(*)
FROM org_units u
JOIN (
    SELECT id, 0 AS scope_id FROM org_units
    UNION ALL SELECT id, township_id FROM org_units WHERE township_id IS NOT NULL
    UNION ALL SELECT id, village_id FROM org_units WHERE village_id IS NOT NULL
    UNION ALL SELECT id, grid_id FROM org_units WHERE grid_id IS NOT NULL
) s ON s.id = u.id
WHERE u.level = 5 AND u.dissolved_on IS NULL
GROUP BY s.scope_id, u.unit_type;
