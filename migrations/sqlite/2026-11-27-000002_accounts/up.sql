-- Accounts, their grants (a role at a scope), refresh tokens, server
-- settings (the generated signing secret) and the audit log (DESIGN.md §3).
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    username       TEXT      NOT NULL UNIQUE,
    display_name   TEXT      NOT NULL,
    password_hash  TEXT      NOT NULL,
    disabled       BOOLEAN   NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP NOT NULL,
    last_login_at  TIMESTAMP,
    -- access tokens issued before this (a password change) are void
    tokens_valid_after TIMESTAMP NOT NULL
);

-- scope_unit_id NULL: the whole region.
CREATE TABLE grants (
    id             INTEGER PRIMARY KEY,
    account_id     BIGINT    NOT NULL REFERENCES accounts (id),
    role           TEXT      NOT NULL CHECK (role IN ('VIEWER', 'MANAGER', 'ADMIN')),
    scope_unit_id  BIGINT    REFERENCES org_units (id),
    granted_by     BIGINT    REFERENCES accounts (id),
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX grants_account ON grants (account_id);
CREATE INDEX grants_scope ON grants (scope_unit_id);

-- Only hashes are stored. A rotation marks the old token used; presenting a
-- used token revokes its whole family.
CREATE TABLE refresh_tokens (
    id             INTEGER PRIMARY KEY,
    account_id     BIGINT    NOT NULL REFERENCES accounts (id),
    token_hash     TEXT      NOT NULL UNIQUE,
    family         TEXT      NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    used_at        TIMESTAMP,
    revoked_at     TIMESTAMP
);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE settings (
    key            TEXT      PRIMARY KEY,
    value          TEXT      NOT NULL
);

-- The target's ancestry is copied so "the audit log of scope S" is one
-- indexed lookup, like the tree's own subtrees.
CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY,
    at                TIMESTAMP NOT NULL,
    account_id        BIGINT    REFERENCES accounts (id),
    username          TEXT,
    action            TEXT      NOT NULL,
    target            TEXT,
    unit_id           BIGINT,
    township_id       BIGINT,
    village_id        BIGINT,
    grid_id           BIGINT,
    building_group_id BIGINT,
    before_json       TEXT,
    after_json        TEXT,
    request_id        TEXT
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX audit_log_unit ON audit_log (unit_id, id);
CREATE INDEX audit_log_township ON audit_log (township_id, id);
CREATE INDEX audit_log_village ON audit_log (village_id, id);
CREATE INDEX audit_log_grid ON audit_log (grid_id, id);
