-- Identity: accounts, their platform logins, Tongban's own sessions, operator API keys and the
-- inbox of platform callbacks. Times are Unix seconds (UTC). Personal data is sealed with the
-- vault (AES-256-GCM, see src/domain/identity/vault.rs); ID numbers are found by keyed hash.

-- 账户: one person, whichever platform they came through. Real-name binding merges the
-- accounts of one person into one.
CREATE TABLE accounts (
    id                   TEXT    PRIMARY KEY,
    created_at           INTEGER NOT NULL,
    -- Saved language choice (zh-Hans, ug-Arab, kk-Arab); NULL: negotiate per request.
    lang                 TEXT,
    -- IANA time zone for dates shown and quiet hours: Asia/Shanghai (official UTC+8) or
    -- Asia/Urumqi (Xinjiang local time, UTC+6).
    time_zone            TEXT    NOT NULL DEFAULT 'Asia/Shanghai',
    -- JSON array of notification categories the person allows.
    notify_categories    TEXT    NOT NULL DEFAULT '["benefits","applications","appointments","certificates"]',
    real_name_sealed     TEXT,
    id_number_sealed     TEXT,
    -- HMAC-SHA256 of the ID number with the lookup key: one account per person.
    id_hash              TEXT    UNIQUE,
    id_kind              TEXT,
    real_name_verified_at INTEGER,
    phone_sealed         TEXT,
    phone_verified_at    INTEGER
);

-- A login on one platform (WeChat openid, Alipay open_id/user_id) pointing to its account.
CREATE TABLE platform_identities (
    platform      TEXT    NOT NULL,
    app_id        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    union_id      TEXT,
    account_id    TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (platform, app_id, subject)
);
CREATE INDEX platform_identities_account ON platform_identities (account_id);

-- One login of one device: a family of access and refresh tokens, revoked together.
CREATE TABLE sessions (
    id             TEXT    PRIMARY KEY,
    account_id     TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    platform       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Tokens are stored as SHA-256 hashes; the token itself is only ever in the client's hands.
CREATE TABLE session_tokens (
    token_hash TEXT    PRIMARY KEY,
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at INTEGER NOT NULL,
    -- Refresh tokens: when it was exchanged. Presenting it again revokes the session.
    rotated_at INTEGER
);
CREATE INDEX session_tokens_session ON session_tokens (session_id);

-- Operator API keys for /v1/admin, stored as SHA-256 hashes with their scopes.
CREATE TABLE admin_keys (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    key_hash   TEXT    NOT NULL UNIQUE,
    scopes     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Verified callbacks from WeChat and Alipay, kept before they are acknowledged.
CREATE TABLE platform_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    event_type  TEXT    NOT NULL,
    payload     TEXT    NOT NULL
);

CREATE INDEX audit_log_subject ON audit_log (subject, at);
ALTER TABLE audit_log ADD COLUMN operation TEXT;
