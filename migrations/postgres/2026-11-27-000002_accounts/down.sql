DROP TABLE audit_log;
DROP TABLE settings;
DROP TABLE refresh_tokens;
DROP TABLE grants;
DROP TABLE accounts;
