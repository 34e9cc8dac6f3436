-- Searches (`orgUnits(search:)`, `persons(search:)`) match a part of a
-- name or code with LIKE '%…%'. FTS5 trigram indexes find the candidate
-- rows for patterns of three characters or more; the LIKE still decides,
-- so the answers stay as they were. The indexes hold no copy of the text
-- (contentless) and follow the tables through triggers.
CREATE VIRTUAL TABLE org_units_search USING fts5(
    name, code, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO org_units_search (rowid, name, code)
    SELECT id, name, COALESCE(code, '') FROM org_units;
CREATE TRIGGER org_units_search_insert AFTER INSERT ON org_units BEGIN
    INSERT INTO org_units_search (rowid, name, code)
        VALUES (new.id, new.name, COALESCE(new.code, ''));
END;
CREATE TRIGGER org_units_search_update AFTER UPDATE OF name, code ON org_units BEGIN
    DELETE FROM org_units_search WHERE rowid = old.id;
    INSERT INTO org_units_search (rowid, name, code)
        VALUES (new.id, new.name, COALESCE(new.code, ''));
END;
CREATE TRIGGER org_units_search_delete AFTER DELETE ON org_units BEGIN
    DELETE FROM org_units_search WHERE rowid = old.id;
END;

CREATE VIRTUAL TABLE persons_search USING fts5(
    name, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO persons_search (rowid, name) SELECT id, name FROM persons;
CREATE TRIGGER persons_search_insert AFTER INSERT ON persons BEGIN
    INSERT INTO persons_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER persons_search_update AFTER UPDATE OF name ON persons BEGIN
    DELETE FROM persons_search WHERE rowid = old.id;
    INSERT INTO persons_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER persons_search_delete AFTER DELETE ON persons BEGIN
    DELETE FROM persons_search WHERE rowid = old.id;
END;
