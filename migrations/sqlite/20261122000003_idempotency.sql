-- Idempotency keys of a person's submissions (办件申报, 补正): per account and key, the
-- SHA-256 of the request and, once answered, the answer, so a retried tap never makes a second
-- application. `status` NULL: the first request is still being handled (`started_at` is its
-- lease). Rows go with their account.
CREATE TABLE idempotency_keys (
    account_id    TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    -- Unix seconds (UTC) when the request holding the key started or last took it over.
    started_at    INTEGER NOT NULL,
    status        INTEGER,
    body          TEXT,
    PRIMARY KEY (account_id, key)
);

CREATE INDEX idempotency_keys_started_at ON idempotency_keys (started_at);
