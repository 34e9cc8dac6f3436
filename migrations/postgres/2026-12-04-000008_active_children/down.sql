DROP INDEX IF EXISTS org_units_chain_gaps;
ALTER TABLE org_units DROP COLUMN active_children;
