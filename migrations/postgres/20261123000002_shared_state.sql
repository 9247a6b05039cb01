-- Access tokens of upstream platforms shared by the instances of a deployment: the WeChat
-- access token, sealed with the identity vault's key; times in Unix milliseconds.
CREATE TABLE upstream_tokens (
    name       TEXT   PRIMARY KEY,
    sealed     TEXT   NOT NULL,
    refresh_at BIGINT NOT NULL,
    forced_at  BIGINT,
    updated_at BIGINT NOT NULL
);

-- Each push channel's pace for the whole deployment (GCRA's theoretical arrival time, in
-- microseconds of the database's clock).
CREATE TABLE push_pace (
    channel TEXT   PRIMARY KEY,
    tat     BIGINT NOT NULL
);
