DELETE FROM coverage_counts WHERE level = 5;
DROP TABLE history_marks;
DROP TABLE coverage_history;
DROP TABLE unit_history;
