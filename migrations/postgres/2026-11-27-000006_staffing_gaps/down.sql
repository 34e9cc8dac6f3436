ALTER TABLE org_units ADD CONSTRAINT org_units_building_group_id_fkey FOREIGN KEY (building_group_id) REFERENCES org_units (id);
ALTER TABLE org_units ADD CONSTRAINT org_units_grid_id_fkey FOREIGN KEY (grid_id) REFERENCES org_units (id);
ALTER TABLE org_units ADD CONSTRAINT org_units_village_id_fkey FOREIGN KEY (village_id) REFERENCES org_units (id);
ALTER TABLE org_units ADD CONSTRAINT org_units_township_id_fkey FOREIGN KEY (township_id) REFERENCES org_units (id);
ALTER TABLE positions RESET (fillfactor);
DROP INDEX positions_building_group;
DROP INDEX positions_village;
DROP TABLE staffing_gaps;
