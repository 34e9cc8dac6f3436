-- Searches (`orgUnits(search:)`, `persons(search:)`) match a part of a
-- name or code with LIKE '%…%'. Trigram indexes answer those without
-- reading every row, for patterns of three characters or more; the
-- queries, and so their results, stay as they were.
-- pg_trgm is a trusted extension: a user with CREATE on the database may
-- install it. It goes into `public`, so that schemas sharing a database
-- (deployments, tests) share one copy and none drops it with itself.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX org_units_name_trgm ON org_units USING gin (lower(name) public.gin_trgm_ops);
CREATE INDEX org_units_code_trgm ON org_units USING gin (lower(code) public.gin_trgm_ops);
CREATE INDEX persons_name_trgm ON persons USING gin (name public.gin_trgm_ops);
