-- The audit log: who did what to which of Tongban's own records (DESIGN.md principle 2).
-- Identity, benefits and push write to it; the subject is a keyed hash, never an ID number.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    request_id  TEXT,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    subject     TEXT,
    detail      TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_at ON audit_log (at);
