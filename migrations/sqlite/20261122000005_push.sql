-- Proactive push: the notification outbox (which is also the person's in-app inbox), every
-- attempt to deliver through WeChat, Alipay or app push, what the platforms reported back,
-- subscription credits, devices and channel preferences. Times here are Unix milliseconds (UTC):
-- the dispatcher schedules and leases at sub-second resolution.

-- 消息: one thing one person is told. Written in the same transaction as its cause (a benefit
-- offer, an application's status change); `dedup_key` makes a cause notify a person at most once.
CREATE TABLE notifications (
    id            TEXT    PRIMARY KEY,
    account_id    TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- {account}/{kind}/{cause}/{version}
    dedup_key     TEXT    NOT NULL UNIQUE,
    -- benefit_offer | application_status
    kind          TEXT    NOT NULL,
    -- The person's notification category (benefits | applications): one they turned off gets
    -- the inbox only.
    category      TEXT    NOT NULL,
    -- The offer id or the application's project number.
    cause_id      TEXT    NOT NULL,
    -- JSON: what the texts are made of, in every language (rendered per request and per send).
    params        TEXT    NOT NULL,
    -- 0 application status, 1 single offers, 2 campaigns: lower goes first.
    priority      INTEGER NOT NULL,
    -- The sweep whose offers these are; NULL for single causes.
    campaign_id   TEXT,
    -- queued | sending | in_doubt | sent | failed | inbox (see src/domain/push.rs)
    state         TEXT    NOT NULL,
    -- The channel of the latest attempt.
    channel       TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    due_at        INTEGER NOT NULL,
    deadline_at   INTEGER NOT NULL,
    lease_owner   TEXT,
    lease_until   INTEGER,
    -- The push gateway's de-duplication id (JPush `cid`), kept across retries and restarts.
    push_cid      TEXT,
    -- Why the row ended in `failed` or `inbox`.
    end_reason    TEXT,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    read_at       INTEGER
);

CREATE INDEX notifications_due ON notifications (state, priority, due_at);
CREATE INDEX notifications_inbox ON notifications (account_id, created_at);
-- The dispatcher leases one unsettled notification per person at a time.
CREATE INDEX notifications_person_state ON notifications (account_id, state);
CREATE INDEX notifications_campaign ON notifications (campaign_id, state) WHERE campaign_id IS NOT NULL;

-- One try to deliver one notification through one channel. `pending` is written before the
-- request leaves, so a crash leaves evidence of every request that may have gone out.
CREATE TABLE notification_attempts (
    id              INTEGER PRIMARY KEY,
    notification_id TEXT    NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    -- wechat | alipay | app
    channel         TEXT    NOT NULL,
    -- The template id (WeChat, Alipay) or device platform (app): never the person's openid.
    target          TEXT    NOT NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    -- pending | accepted | transient | permanent | refused | in_doubt | resolved
    outcome         TEXT    NOT NULL,
    -- The provider's error code, when there was one.
    code            TEXT,
    -- WeChat msgid, JPush msg_id: what receipts name.
    provider_ref    TEXT
);

CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id);
CREATE INDEX notification_attempts_ref ON notification_attempts (channel, provider_ref);
CREATE INDEX notification_attempts_pending ON notification_attempts (outcome) WHERE outcome IN ('pending', 'in_doubt');

-- What the platforms reported after accepting a message: WeChat `subscribe_msg_sent_event`,
-- push-gateway receipts. Kept by the provider's id, so a receipt that arrives before its attempt
-- is recorded still counts, and a repeated one counts once.
CREATE TABLE push_receipts (
    channel       TEXT    NOT NULL,
    provider_ref  TEXT    NOT NULL,
    -- delivered | failed
    status        TEXT    NOT NULL,
    code          TEXT,
    -- Who it was for (resolved from the openid or device) and through which template/platform.
    account_id    TEXT,
    target        TEXT,
    received_at   INTEGER NOT NULL,
    PRIMARY KEY (channel, provider_ref)
);

CREATE INDEX push_receipts_account ON push_receipts (account_id, channel, target, received_at);

-- Subscription credits: `wx.requestSubscribeMessage` / `my.requestSubscribeMessage` accepts.
-- A one-time credit is spent by one send; a long-term subscription is never spent.
CREATE TABLE push_credits (
    account_id  TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- wechat | alipay
    platform    TEXT    NOT NULL,
    template_id TEXT    NOT NULL,
    credits     INTEGER NOT NULL,
    long_term   INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, platform, template_id)
);

-- The app's push registrations (JPush registration ids).
CREATE TABLE push_devices (
    registration_id TEXT    PRIMARY KEY,
    account_id      TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- android | ios
    platform        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE INDEX push_devices_account ON push_devices (account_id);

-- Messages counted against a provider's daily quota, per channel and (Beijing) day.
CREATE TABLE push_quota (
    channel TEXT    NOT NULL,
    day     TEXT    NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (channel, day)
);

-- Campaigns an operator paused.
CREATE TABLE push_campaigns (
    id         TEXT    PRIMARY KEY,
    paused     INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

-- The person's channels, in order of preference (JSON list of wechat | alipay | app), and
-- quiet hours as HH:MM in their time zone; NULL: the configured defaults.
ALTER TABLE accounts ADD COLUMN notify_channels TEXT;
ALTER TABLE accounts ADD COLUMN quiet_start TEXT;
ALTER TABLE accounts ADD COLUMN quiet_end TEXT;
