-- Benefits without application (免申即享): policy versions, the offers made from them, sweeps
-- over every bound person, and the platform's life events already handled.

-- A version of a policy. Once published its document never changes: a new version is a new row,
-- and offers name the version they came from. At most one version of a policy is published.
CREATE TABLE policy_versions (
    policy_id    TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    -- draft | published | superseded | retired
    status       TEXT    NOT NULL,
    -- person | enterprise
    target       TEXT    NOT NULL,
    -- The document as accepted (JSON, docs/benefits-rules.md §1).
    document     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    -- operator:<key id>
    created_by   TEXT    NOT NULL,
    published_at INTEGER,
    retired_at   INTEGER,
    PRIMARY KEY (policy_id, version)
);

CREATE UNIQUE INDEX policy_versions_one_published ON policy_versions (policy_id)
    WHERE status = 'published';

-- What one person was found to qualify for: one offer per person, policy and period.
CREATE TABLE benefit_offers (
    id               TEXT    PRIMARY KEY,
    account_id       TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    policy_id        TEXT    NOT NULL,
    policy_version   INTEGER NOT NULL,
    -- once | 2026 | 2026-11 (the policy's period on the evaluation date)
    period_key       TEXT    NOT NULL,
    -- new | confirmed | granted | declined (a `new` offer past its deadline reads as expired)
    status           TEXT    NOT NULL,
    amount_fen       INTEGER,
    -- once | month | year
    amount_unit      TEXT,
    -- The conditions met with the person's own values on the evaluation date (JSON), sealed
    -- with AES-256-GCM bound to the offer id: they can hold a disability level or an income.
    reasons_sealed   TEXT    NOT NULL,
    evaluated_on     TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    -- For confirmation: Unix seconds after which a `new` offer expires.
    deadline         INTEGER,
    decided_at       INTEGER,
    -- The claim filed with the platform: its id and status
    -- (submitted | accepted | paid | rejected), or NULL before one is filed.
    claim_id         TEXT,
    claim_status     TEXT,
    claim_updated_at INTEGER,
    UNIQUE (account_id, policy_id, period_key),
    FOREIGN KEY (policy_id, policy_version) REFERENCES policy_versions (policy_id, version)
);

CREATE INDEX benefit_offers_account ON benefit_offers (account_id, created_at);
CREATE INDEX benefit_offers_unclaimed ON benefit_offers (status) WHERE claim_id IS NULL;

-- A run of some policies over every bound person, resumable: each batch's offers and the
-- cursor move in one transaction.
CREATE TABLE benefit_sweeps (
    id          TEXT    PRIMARY KEY,
    -- JSON list of {"policyId": …, "version": …}
    policies    TEXT    NOT NULL,
    -- publish | command | admin
    trigger     TEXT    NOT NULL,
    -- running | done | failed
    status      TEXT    NOT NULL,
    -- YYYY-MM-DD: a resumed sweep evaluates on the same date
    evaluate_on TEXT    NOT NULL,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    matched     INTEGER NOT NULL DEFAULT 0,
    offers      INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    -- The last account id evaluated: people are swept in id order.
    cursor      TEXT    NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER,
    error       TEXT
);

-- Life events from the platform, by event id: a replay is acknowledged and not processed.
CREATE TABLE gov_events (
    event_id    TEXT    PRIMARY KEY,
    received_at INTEGER NOT NULL,
    event_type  TEXT    NOT NULL,
    offers      INTEGER NOT NULL
);

CREATE INDEX gov_events_received_at ON gov_events (received_at);
