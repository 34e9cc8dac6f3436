-- The open problems' history, per scope (0: the region; a unit counts
-- everything beneath it), day and due day: +1 on the day a problem is
-- received, -1 on the day it is resolved or closed. The problems open at
-- the end of day D are the sum of the rows up to D; overdue, those of
-- them due before D. `open_problems` keeps today's sums.
CREATE TABLE open_problem_days (
    scope_id BIGINT NOT NULL,
    day      DATE   NOT NULL,
    due_on   DATE   NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope_id, day, due_on)
);

-- Duties logged per scope, period (yyyymm; yyyy00 for a whole year) and
-- cadre: the ranking of cadres by duties within a scope.
CREATE TABLE cadre_duty_periods (
    scope_id  BIGINT  NOT NULL,
    period    INTEGER NOT NULL,
    person_id BIGINT  NOT NULL,
    n         BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, period, person_id)
);

CREATE INDEX cadre_duty_periods_rank ON cadre_duty_periods (scope_id, period, n DESC, person_id);

-- What the records already hold: each problem and duty log counts in the
-- region (0), each ancestor and its own unit.
WITH s AS (
    SELECT id AS row_id, 0 AS scope_id FROM problems
    UNION
    SELECT id AS row_id, township_id AS scope_id FROM problems WHERE township_id IS NOT NULL
    UNION
    SELECT id AS row_id, village_id AS scope_id FROM problems WHERE village_id IS NOT NULL
    UNION
    SELECT id AS row_id, grid_id AS scope_id FROM problems WHERE grid_id IS NOT NULL
    UNION
    SELECT id AS row_id, building_group_id AS scope_id FROM problems WHERE building_group_id IS NOT NULL
    UNION
    SELECT id AS row_id, unit_id AS scope_id FROM problems WHERE unit_id IS NOT NULL
)
INSERT INTO open_problem_days (scope_id, day, due_on, n)
SELECT scope_id, day, due_on, SUM(n) FROM (
    SELECT s.scope_id, date(p.received_at) AS day, p.due_on, 1 AS n
    FROM s JOIN problems p ON p.id = s.row_id
    UNION ALL
    SELECT s.scope_id, date(COALESCE(p.resolved_at, p.closed_at)) AS day, p.due_on, -1 AS n
    FROM s JOIN problems p ON p.id = s.row_id
    WHERE COALESCE(p.resolved_at, p.closed_at) IS NOT NULL
) changes
GROUP BY scope_id, day, due_on
HAVING SUM(n) <> 0;

WITH s AS (
    SELECT id AS row_id, 0 AS scope_id FROM duty_logs
    UNION
    SELECT id AS row_id, township_id AS scope_id FROM duty_logs WHERE township_id IS NOT NULL
    UNION
    SELECT id AS row_id, village_id AS scope_id FROM duty_logs WHERE village_id IS NOT NULL
    UNION
    SELECT id AS row_id, grid_id AS scope_id FROM duty_logs WHERE grid_id IS NOT NULL
    UNION
    SELECT id AS row_id, building_group_id AS scope_id FROM duty_logs WHERE building_group_id IS NOT NULL
    UNION
    SELECT id AS row_id, unit_id AS scope_id FROM duty_logs WHERE unit_id IS NOT NULL
)
INSERT INTO cadre_duty_periods (scope_id, period, person_id, n)
SELECT s.scope_id, CAST(strftime('%Y%m', d.done_on) AS INTEGER), d.person_id, COUNT(*)
FROM s JOIN duty_logs d ON d.id = s.row_id
GROUP BY s.scope_id, CAST(strftime('%Y%m', d.done_on) AS INTEGER), d.person_id;

INSERT INTO cadre_duty_periods (scope_id, period, person_id, n)
SELECT scope_id, period / 100 * 100, person_id, SUM(n) FROM cadre_duty_periods
WHERE period % 100 <> 0
GROUP BY scope_id, period / 100 * 100, person_id;
