-- Access tokens of upstream platforms shared by the instances of a deployment (used on
-- PostgreSQL; the table exists in both stores so that their schemas stay one).
CREATE TABLE upstream_tokens (
    name       TEXT    PRIMARY KEY,
    sealed     TEXT    NOT NULL,
    refresh_at INTEGER NOT NULL,
    forced_at  INTEGER,
    updated_at INTEGER NOT NULL
);

-- Each push channel's pace for the whole deployment (GCRA's theoretical arrival time, in
-- microseconds of the database's clock); used on PostgreSQL.
CREATE TABLE push_pace (
    channel TEXT    PRIMARY KEY,
    tat     INTEGER NOT NULL
);
