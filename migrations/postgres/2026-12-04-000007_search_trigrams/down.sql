DROP INDEX IF EXISTS persons_name_trgm;
DROP INDEX IF EXISTS org_units_code_trgm;
DROP INDEX IF EXISTS org_units_name_trgm;
