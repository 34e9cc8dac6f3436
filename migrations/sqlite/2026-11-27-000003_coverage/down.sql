DROP TABLE coverage_counts;
