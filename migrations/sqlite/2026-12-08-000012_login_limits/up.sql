-- Sign-in limits shared by every instance on one database (used on
-- PostgreSQL; a SQLite deployment is one instance, which keeps them in
-- memory): per key (a hash of the username and client address, or of the
-- address alone), the theoretical arrival time of the next attempt in
-- microseconds since 1970 (GCRA: an attempt is allowed while it lies no
-- more than the burst ahead of now).
CREATE TABLE login_limits (
    key BIGINT PRIMARY KEY,
    tat BIGINT NOT NULL
);

CREATE INDEX login_limits_tat ON login_limits (tat);
