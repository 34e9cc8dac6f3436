-- The five-level organization tree (DESIGN.md §1).
-- Ancestry is stored per level: township_id, village_id, grid_id and
-- building_group_id hold a unit's *strict* ancestors at those levels, so
-- "everything under unit X at level L" is one indexed lookup on one column.
CREATE TABLE org_units (
    id                BIGSERIAL PRIMARY KEY,
    parent_id         BIGINT REFERENCES org_units (id),
    level             INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    unit_type         TEXT      NOT NULL,
    name              TEXT      NOT NULL,
    code              TEXT,
    org_form          TEXT,
    host_unit_id      BIGINT REFERENCES org_units (id),
    team_category     TEXT,
    township_id       BIGINT REFERENCES org_units (id),
    village_id        BIGINT REFERENCES org_units (id),
    grid_id           BIGINT REFERENCES org_units (id),
    building_group_id BIGINT REFERENCES org_units (id),
    founded_on        DATE,
    dissolved_on      DATE,
    dissolved_reason  TEXT,
    service_station   TEXT,
    wechat_group      TEXT,
    notes             TEXT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK ((level = 1) = (parent_id IS NULL)),
    CHECK ((level = 5) = (org_form IS NULL)),
    CHECK ((level = 5) = (team_category IS NOT NULL)),
    CHECK ((org_form = 'AFFILIATED') = (host_unit_id IS NOT NULL) OR level = 5),
    CHECK ((dissolved_on IS NULL) = (dissolved_reason IS NULL))
);

CREATE UNIQUE INDEX org_units_active_code ON org_units (code)
    WHERE code IS NOT NULL AND dissolved_on IS NULL;
CREATE INDEX org_units_code ON org_units (code);
CREATE INDEX org_units_parent ON org_units (parent_id, id);
CREATE INDEX org_units_level ON org_units (level, id);
CREATE INDEX org_units_type ON org_units (unit_type, id);
-- (ancestor, id): a subtree comes out of one index range already in page
-- order, so "first 50 under X" never scans the table in id order.
CREATE INDEX org_units_township ON org_units (township_id, id);
CREATE INDEX org_units_village ON org_units (village_id, id);
CREATE INDEX org_units_grid ON org_units (grid_id, id);
CREATE INDEX org_units_building_group ON org_units (building_group_id, id);
CREATE INDEX org_units_host ON org_units (host_unit_id) WHERE host_unit_id IS NOT NULL;
