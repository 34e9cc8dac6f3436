-- Households (户) and the points system (积分制), issue 12.

-- A household belongs to a building or courtyard group (level 4) and
-- carries its ancestry, the group included, as people do: "the households
-- of village X" is one indexed lookup, and a move of the group rewrites it.
CREATE TABLE households (
    id                INTEGER PRIMARY KEY,
    unit_id           BIGINT  NOT NULL REFERENCES org_units (id),
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    address           TEXT    NOT NULL,
    head_person_id    BIGINT  REFERENCES persons (id),
    registered_on     DATE    NOT NULL,
    closed_on         DATE,
    closed_reason     TEXT,
    notes             TEXT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK (closed_on IS NULL OR closed_on >= registered_on)
);
CREATE INDEX households_unit ON households (unit_id, id);
CREATE INDEX households_township ON households (township_id, id);
CREATE INDEX households_village ON households (village_id, id);
CREATE INDEX households_grid ON households (grid_id, id);
CREATE INDEX households_building_group ON households (building_group_id, id);
-- One open household per address in a group.
CREATE UNIQUE INDEX households_address ON households (unit_id, address) WHERE closed_on IS NULL;

ALTER TABLE persons ADD COLUMN household_id BIGINT REFERENCES households (id);
CREATE INDEX persons_household ON persons (household_id) WHERE household_id IS NOT NULL;

-- One version of a unit's points list (积分清单): a village's, or a
-- township's that its villages without a list of their own follow.
-- Proposed, then adopted on a date by a meeting; in force from that date
-- until the owner's next adopted version.
CREATE TABLE points_lists (
    id            INTEGER PRIMARY KEY,
    owner_unit_id BIGINT  NOT NULL REFERENCES org_units (id),
    township_id   BIGINT  NOT NULL,
    version       INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    proposed_on   DATE    NOT NULL,
    adopted_on    DATE,
    meeting_kind  TEXT,
    meeting_on    DATE,
    attendance    INTEGER,
    votes_for     INTEGER,
    votes_against INTEGER,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (owner_unit_id, version)
);
CREATE UNIQUE INDEX points_lists_in_force ON points_lists (owner_unit_id, adopted_on)
    WHERE adopted_on IS NOT NULL;

CREATE TABLE points_items (
    id           INTEGER PRIMARY KEY,
    list_id      BIGINT  NOT NULL REFERENCES points_lists (id),
    code         TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    points       INTEGER NOT NULL CHECK (points <> 0),
    cap_per_year INTEGER CHECK (cap_per_year > 0),
    UNIQUE (list_id, code)
);

-- Point records (积分记录): never edited or deleted; a correction is a
-- reversing record. The household's group and its ancestry are copied in,
-- as they stood when recorded, and moves rewrite them with the household.
CREATE TABLE point_records (
    id                INTEGER PRIMARY KEY,
    household_id      BIGINT  NOT NULL REFERENCES households (id),
    unit_id           BIGINT  NOT NULL,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    list_id           BIGINT  NOT NULL REFERENCES points_lists (id),
    item_id           BIGINT  NOT NULL REFERENCES points_items (id),
    item_code         TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    recorded_on       DATE    NOT NULL,
    year              INTEGER NOT NULL,
    points            INTEGER NOT NULL,
    note              TEXT,
    reverses_id       BIGINT  REFERENCES point_records (id),
    recorded_by       BIGINT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX point_records_household ON point_records (household_id, year, item_code);
CREATE INDEX point_records_village ON point_records (village_id, recorded_on);
CREATE INDEX point_records_list ON point_records (list_id);
CREATE UNIQUE INDEX point_records_reversed ON point_records (reverses_id) WHERE reverses_id IS NOT NULL;

-- Each household's total per year, kept in the record's transaction:
-- rankings read these, never the records.
CREATE TABLE household_points (
    household_id      BIGINT  NOT NULL REFERENCES households (id),
    year              INTEGER NOT NULL,
    unit_id           BIGINT  NOT NULL,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    points            BIGINT  NOT NULL,
    records           BIGINT  NOT NULL,
    PRIMARY KEY (household_id, year)
);
CREATE INDEX household_points_township ON household_points (township_id, year, points);
CREATE INDEX household_points_village ON household_points (village_id, year, points);
CREATE INDEX household_points_grid ON household_points (grid_id, year, points);
CREATE INDEX household_points_group ON household_points (building_group_id, year, points);
CREATE INDEX household_points_year ON household_points (year, points);

-- Per scope (0: the region; a township, village, grid or group), year and
-- category: records, points added and deducted. Category '' counts the
-- households scored (with at least one record) that year.
CREATE TABLE points_tallies (
    scope_id   BIGINT  NOT NULL,
    year       INTEGER NOT NULL,
    category   TEXT    NOT NULL,
    records    BIGINT  NOT NULL,
    added      BIGINT  NOT NULL,
    deducted   BIGINT  NOT NULL,
    households BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, year, category)
);

-- Households per scope by the years they were registered from and closed
-- in (9999: open): the households of year Y are those with
-- from_year <= Y <= to_year.
CREATE TABLE household_counts (
    scope_id  BIGINT  NOT NULL,
    from_year INTEGER NOT NULL,
    to_year   INTEGER NOT NULL,
    n         BIGINT  NOT NULL,
    PRIMARY KEY (scope_id, from_year, to_year)
);

-- Redemptions (兑现): a reward or penalty given for a year, against a
-- ranking (the unit it ranked within, or the region) and the rank held.
CREATE TABLE redemptions (
    id                INTEGER PRIMARY KEY,
    household_id      BIGINT  NOT NULL REFERENCES households (id),
    unit_id           BIGINT  NOT NULL,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    year              INTEGER NOT NULL,
    ranked_under      BIGINT,
    rank              INTEGER NOT NULL,
    points            BIGINT  NOT NULL,
    kind              TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    amount_fen        BIGINT,
    given_on          DATE    NOT NULL,
    recorded_by       BIGINT,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX redemptions_household ON redemptions (household_id, year);
CREATE INDEX redemptions_township ON redemptions (township_id, year);
CREATE INDEX redemptions_village ON redemptions (village_id, year);
