-- The dispatcher reads each person's newest WeChat (or Alipay) identity for one mini-program:
-- the account leads, then the equalities, then the order.
DROP INDEX platform_identities_account;
CREATE INDEX platform_identities_account
    ON platform_identities (account_id, platform, app_id, last_login_at);
