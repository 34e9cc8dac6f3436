-- Volunteer service, residents' problems, cadre duty logs, training and
-- the village collective economy (issue 13). Every row that belongs to a
-- unit carries the unit's inclusive ancestry, as households do, so a move
-- rewrites it and "beneath X" is one indexed equality.

-- A volunteer service activity (志愿服务活动), held by a team, or by a
-- grid or group for a joint event. Hours are kept in tenths of an hour so
-- both backends add them exactly. A cancelled activity stays, uncounted.
CREATE TABLE service_activities (
    id                INTEGER PRIMARY KEY,
    unit_id           BIGINT  NOT NULL REFERENCES org_units (id),
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    held_on           DATE    NOT NULL,
    category          TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    description       TEXT,
    place             TEXT    NOT NULL,
    residents_served  INTEGER NOT NULL CHECK (residents_served >= 0),
    participants      INTEGER NOT NULL CHECK (participants > 0),
    hours_tenths      BIGINT  NOT NULL CHECK (hours_tenths > 0),
    cancelled_on      DATE,
    cancelled_reason  TEXT,
    recorded_by       BIGINT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX service_activities_unit ON service_activities (unit_id, held_on);
CREATE INDEX service_activities_township ON service_activities (township_id, held_on);
CREATE INDEX service_activities_village ON service_activities (village_id, held_on);
CREATE INDEX service_activities_grid ON service_activities (grid_id, held_on);
CREATE INDEX service_activities_building_group ON service_activities (building_group_id, held_on);
CREATE INDEX service_activities_held_on ON service_activities (held_on);

CREATE TABLE service_participants (
    activity_id  BIGINT  NOT NULL REFERENCES service_activities (id),
    person_id    BIGINT  NOT NULL REFERENCES persons (id),
    hours_tenths INTEGER NOT NULL CHECK (hours_tenths > 0),
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX service_participants_person ON service_participants (person_id);

-- Who was active where and when: one row per scope (0: the region),
-- period (a month yyyymm, or a year yyyy00) and person, with the
-- activities that person took part in there. Its rows are the distinct
-- active volunteers; `work_tallies` counts them ('volunteers').
CREATE TABLE volunteer_periods (
    scope_id  BIGINT  NOT NULL,
    period    INTEGER NOT NULL,
    person_id BIGINT  NOT NULL,
    n         BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, period, person_id)
);

-- Counters per scope (0: the region; a unit counts its own rows and
-- everything beneath it), month (yyyymm; yyyy00 for a whole year),
-- metric and category, kept in each write's transaction. Summaries add
-- up these rows, never the records.
CREATE TABLE work_tallies (
    scope_id BIGINT  NOT NULL,
    month    INTEGER NOT NULL,
    metric   TEXT    NOT NULL,
    category TEXT    NOT NULL,
    n        BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, month, metric, category)
);

-- A resident's problem (民情诉求), reported in a grid.
CREATE TABLE problems (
    id                 INTEGER PRIMARY KEY,
    unit_id            BIGINT  NOT NULL REFERENCES org_units (id),
    township_id        BIGINT,
    village_id         BIGINT,
    grid_id            BIGINT,
    building_group_id  BIGINT,
    channel            TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    reporter_name      TEXT,
    reporter_phone     TEXT,
    reporter_person_id BIGINT  REFERENCES persons (id),
    household_id       BIGINT  REFERENCES households (id),
    status             TEXT    NOT NULL,
    level              INTEGER NOT NULL,
    escalated          BOOLEAN NOT NULL,
    assigned_unit_id   BIGINT,
    assigned_person_id BIGINT,
    received_at        TIMESTAMP NOT NULL,
    due_on             DATE    NOT NULL,
    resolved_at        TIMESTAMP,
    closed_at          TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL,
    recorded_by        BIGINT
);
CREATE INDEX problems_unit ON problems (unit_id, received_at);
CREATE INDEX problems_township ON problems (township_id, received_at);
CREATE INDEX problems_village ON problems (village_id, received_at);
CREATE INDEX problems_grid ON problems (grid_id, received_at);
CREATE INDEX problems_received ON problems (received_at);
CREATE INDEX problems_open ON problems (due_on, grid_id) WHERE resolved_at IS NULL AND closed_at IS NULL;

-- Every step of a problem's status flow: when, who, and to whom or where.
CREATE TABLE problem_steps (
    id                 INTEGER PRIMARY KEY,
    problem_id         BIGINT  NOT NULL REFERENCES problems (id),
    status             TEXT    NOT NULL,
    level              INTEGER NOT NULL,
    at                 TIMESTAMP NOT NULL,
    actor_account_id   BIGINT,
    assigned_unit_id   BIGINT,
    assigned_person_id BIGINT,
    note               TEXT
);
CREATE INDEX problem_steps_problem ON problem_steps (problem_id, id);

-- Open problems per scope and due day: "open" and "overdue" are sums.
CREATE TABLE open_problems (
    scope_id BIGINT NOT NULL,
    due_on   DATE   NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (scope_id, due_on)
);

-- Days to resolve a problem, per category; a problem keeps the deadline
-- it was received with.
CREATE TABLE problem_deadlines (
    category TEXT    PRIMARY KEY,
    days     INTEGER NOT NULL CHECK (days > 0)
);
INSERT INTO problem_deadlines (category, days) VALUES
    ('LIVING_DIFFICULTY', 7), ('OTHER_DIFFICULTY', 15), ('DISPUTE', 15),
    ('SANITATION', 3), ('SAFETY_HAZARD', 1), ('INFRASTRUCTURE', 30),
    ('POLICY_INQUIRY', 3);

-- A cadre's duty (联点包片, 坐班接访, 结对帮扶, 走访慰问), about a unit or
-- a household.
CREATE TABLE duty_logs (
    id                INTEGER PRIMARY KEY,
    person_id         BIGINT  NOT NULL REFERENCES persons (id),
    kind              TEXT    NOT NULL,
    done_on           DATE    NOT NULL,
    unit_id           BIGINT  NOT NULL REFERENCES org_units (id),
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    household_id      BIGINT  REFERENCES households (id),
    notes             TEXT,
    recorded_by       BIGINT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX duty_logs_person ON duty_logs (person_id, done_on);
CREATE INDEX duty_logs_unit ON duty_logs (unit_id, done_on);
CREATE INDEX duty_logs_township ON duty_logs (township_id, done_on);
CREATE INDEX duty_logs_village ON duty_logs (village_id, done_on);
CREATE INDEX duty_logs_grid ON duty_logs (grid_id, done_on);

CREATE TABLE duty_log_problems (
    duty_log_id BIGINT NOT NULL REFERENCES duty_logs (id),
    problem_id  BIGINT NOT NULL REFERENCES problems (id),
    PRIMARY KEY (duty_log_id, problem_id)
);

-- A training session (培训) held by a unit, with its number of trainees
-- (and, optionally, who they were).
CREATE TABLE training_sessions (
    id                INTEGER PRIMARY KEY,
    unit_id           BIGINT  NOT NULL REFERENCES org_units (id),
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    held_on           DATE    NOT NULL,
    topic             TEXT    NOT NULL,
    trainees          INTEGER NOT NULL CHECK (trainees > 0),
    notes             TEXT,
    recorded_by       BIGINT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_unit ON training_sessions (unit_id, held_on);
CREATE INDEX training_sessions_township ON training_sessions (township_id, held_on);

CREATE TABLE training_trainees (
    session_id BIGINT NOT NULL REFERENCES training_sessions (id),
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (session_id, person_id)
);

-- A village's (community's) collective operating income for a year
-- (村集体经营性收入), in whole yuan.
CREATE TABLE village_incomes (
    unit_id           BIGINT  NOT NULL REFERENCES org_units (id),
    year              INTEGER NOT NULL,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    income_yuan       BIGINT  NOT NULL CHECK (income_yuan >= 0),
    sources           TEXT,
    notes             TEXT,
    updated_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, year)
);
CREATE INDEX village_incomes_township ON village_incomes (township_id, year, income_yuan);
CREATE INDEX village_incomes_village ON village_incomes (village_id, year);
CREATE INDEX village_incomes_year ON village_incomes (year, income_yuan);

-- The region's income brackets: each row is a bracket's lower bound (the
-- first bracket, from 0, is the weak villages' 薄弱村).
CREATE TABLE economy_brackets (
    position   INTEGER PRIMARY KEY,
    lower_yuan BIGINT  NOT NULL CHECK (lower_yuan > 0)
);
INSERT INTO economy_brackets (position, lower_yuan) VALUES (1, 50000), (2, 60000), (3, 200000);
