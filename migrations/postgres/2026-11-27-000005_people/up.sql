-- People and their posts (DESIGN.md §2).
CREATE TABLE persons (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT    NOT NULL,
    gender           TEXT    NOT NULL,
    birth_date       DATE,
    phone            TEXT,
    education        TEXT,
    political_status TEXT    NOT NULL,
    status_since     DATE,
    capable_talent   BOOLEAN NOT NULL,
    unit_id          BIGINT  NOT NULL REFERENCES org_units (id),
    -- The unit's ancestry *including the unit itself* at its level, so
    -- "the people of X and beneath" is one indexed lookup (moves rewrite it).
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    notes            TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX persons_unit ON persons (unit_id, id);
CREATE INDEX persons_township ON persons (township_id, id);
CREATE INDEX persons_village ON persons (village_id, id);
CREATE INDEX persons_grid ON persons (grid_id, id);
CREATE INDEX persons_building_group ON persons (building_group_id, id);
CREATE INDEX persons_status ON persons (political_status, id);

-- A post held from started_on until ended_on (exclusive; NULL: still held).
CREATE TABLE positions (
    id                    BIGSERIAL PRIMARY KEY,
    person_id             BIGINT  NOT NULL REFERENCES persons (id),
    unit_id               BIGINT  NOT NULL REFERENCES org_units (id),
    -- The unit's level and inclusive ancestry, as on persons: statistics
    -- per level and scope read positions alone (moves rewrite them).
    unit_level            INTEGER NOT NULL,
    township_id           BIGINT,
    village_id            BIGINT,
    grid_id               BIGINT,
    building_group_id     BIGINT,
    role                  TEXT    NOT NULL,
    started_on            DATE    NOT NULL,
    ended_on              DATE,
    also_village_director BOOLEAN NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX positions_unit ON positions (unit_id, role);
CREATE INDEX positions_person ON positions (person_id);
CREATE INDEX positions_role ON positions (role, unit_level, ended_on);
CREATE INDEX positions_grid ON positions (grid_id, role) WHERE grid_id IS NOT NULL;
-- One active secretary, grid head or team leader per unit; a person holds
-- a post in a unit only once at a time.
CREATE UNIQUE INDEX positions_single ON positions (unit_id, role)
    WHERE ended_on IS NULL AND role IN ('SECRETARY', 'GRID_HEAD', 'TEAM_LEADER');
CREATE UNIQUE INDEX positions_once ON positions (person_id, unit_id, role)
    WHERE ended_on IS NULL;
