DROP TABLE positions;
DROP TABLE persons;
