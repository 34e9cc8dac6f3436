DROP TABLE login_limits;
