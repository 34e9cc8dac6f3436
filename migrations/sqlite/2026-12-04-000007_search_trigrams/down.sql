DROP TRIGGER IF EXISTS persons_search_delete;
DROP TRIGGER IF EXISTS persons_search_update;
DROP TRIGGER IF EXISTS persons_search_insert;
DROP TABLE IF EXISTS persons_search;
DROP TRIGGER IF EXISTS org_units_search_delete;
DROP TRIGGER IF EXISTS org_units_search_update;
DROP TRIGGER IF EXISTS org_units_search_insert;
DROP TABLE IF EXISTS org_units_search;
