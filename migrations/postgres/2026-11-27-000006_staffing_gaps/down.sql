DROP TABLE staffing_gaps;
DROP INDEX positions_building_group;
DROP INDEX positions_village;
