DROP TABLE cadre_duty_periods;
DROP TABLE open_problem_days;
