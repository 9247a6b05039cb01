//! Tongban's own sessions (会话): what a person holds after logging in through WeChat or Alipay.
//!
//! A session is one login of one device. It owns a short-lived access token and a rotating
//! refresh token; both are random 256-bit strings handed to the client once and stored only as
//! SHA-256 hashes. Refreshing exchanges the refresh token for a new pair. Presenting a refresh
//! token that was already exchanged means it was copied: the whole session is revoked (RFC 9700
//! §4.14.2, refresh token rotation with reuse detection).
//!
//! A checked access token is remembered for `auth.session_cache_secs` (never past its expiry) in
//! [`PrincipalCache`], so a busy screen does not read the store on every request. Everything
//! that ends or changes a session or its account (revocation, refresh, logout, deletion, a
//! merge, a new saved language) forgets the affected entries first, so on this instance a
//! revocation still takes effect on the next request.
//!
//! Platform identities (an openid, an Alipay open_id) map to accounts; the first login of an
//! identity creates its account in the same transaction that records the identity, so two
//! concurrent first logins of one person can never make two accounts.

use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::{config::AuthConfig, i18n::Lang, store::Store};

/// Where a person logged in from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Wechat,
    Alipay,
}

impl Platform {
    pub fn code(self) -> &'static str {
        match self {
            Platform::Wechat => "wechat",
            Platform::Alipay => "alipay",
        }
    }

    pub fn from_code(code: &str) -> Option<Platform> {
        match code {
            "wechat" => Some(Platform::Wechat),
            "alipay" => Some(Platform::Alipay),
            _ => None,
        }
    }
}

/// An identity a platform vouched for.
#[derive(Debug, Clone)]
pub struct PlatformLogin {
    pub platform: Platform,
    /// The mini-program's app id: openids are scoped to it.
    pub app_id: String,
    /// openid (WeChat), open_id or, for older apps, user_id (Alipay).
    pub subject: String,
    pub union_id: Option<String>,
}

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: String,
    pub session_id: String,
    /// The person's saved language, used by locale negotiation.
    pub lang: Option<Lang>,
}

/// Tokens handed to the client.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub access_expires_at: i64,
    pub refresh_token: String,
    pub refresh_expires_at: i64,
    pub session_id: String,
    pub account_id: String,
    /// The login created the account.
    pub new_account: bool,
}

/// Why a bearer token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// Unknown, malformed, revoked or belongs to a deleted account: log in again.
    Invalid,
    /// Was valid and has expired: refresh it.
    Expired,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("unknown refresh token")]
    Invalid,
    #[error("refresh token expired")]
    Expired,
    #[error("refresh token reused; session revoked")]
    Reused,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One active session of an account, as `GET /v1/me/sessions` lists it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: String,
    pub platform: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone)]
pub struct Sessions {
    store: Store,
    access_ttl: i64,
    refresh_ttl: i64,
    principals: PrincipalCache,
}

/// Checked access tokens (by hash) and who holds them, shared by [`Sessions`] and
/// `Accounts`, which forget entries whenever a session or an account changes.
///
/// A check that read the store before a change committed must not put its old answer back
/// after the change forgot it: every forget bumps `epoch`, and an answer is kept only if the
/// epoch did not move while it was read.
#[derive(Debug, Clone)]
pub struct PrincipalCache {
    entries: moka::sync::Cache<String, (Principal, i64)>,
    epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The other instances, told of every forget.
    cluster: crate::cluster::Cluster,
}

impl PrincipalCache {
    /// Remembers tokens for `ttl_secs` at most (0 turns the cache off).
    pub fn new(ttl_secs: u64, max_entries: u64) -> Self {
        let capacity = if ttl_secs == 0 { 0 } else { max_entries };
        Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(std::time::Duration::from_secs(ttl_secs.max(1)))
                .support_invalidation_closures()
                .build(),
            epoch: Default::default(),
            cluster: Default::default(),
        }
    }

    /// Tells the other instances of `cluster` of every forget.
    pub fn with_cluster(mut self, cluster: crate::cluster::Cluster) -> Self {
        self.cluster = cluster;
        self
    }

    fn get(&self, hash: &str) -> Option<(Principal, i64)> {
        self.entries.get(hash)
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Keeps an answer read from the store while the epoch was `read_at`.
    fn put(&self, read_at: u64, hash: String, principal: Principal, expires_at: i64) {
        if self.epoch() == read_at {
            self.entries.insert(hash.clone(), (principal, expires_at));
            // A forget that ran between the check and the insert did not see this entry.
            if self.epoch() != read_at {
                self.entries.invalidate(&hash);
            }
        }
    }

    fn bump(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Forgets every token of `session_id`, here and in the other instances.
    pub fn forget_session(&self, session_id: &str) {
        self.forget_session_here(session_id);
        self.cluster
            .tell_soon(crate::cluster::Signal::Session(session_id.to_owned()));
    }

    /// Forgets every token of `account_id`, here and in the other instances.
    pub fn forget_account(&self, account_id: &str) {
        self.forget_account_here(account_id);
        self.cluster
            .tell_soon(crate::cluster::Signal::Account(account_id.to_owned()));
    }

    /// Forgets every checked token (signals from other instances may have been missed).
    pub fn forget_all_here(&self) {
        self.bump();
        self.entries.invalidate_all();
    }

    /// Forgets every token of `session_id` in this instance only.
    pub fn forget_session_here(&self, session_id: &str) {
        self.bump();
        let session_id = session_id.to_owned();
        if let Err(err) = self
            .entries
            .invalidate_entries_if(move |_, (principal, _)| principal.session_id == session_id)
        {
            tracing::error!(error = %err, "principal cache: cannot forget a session");
            self.entries.invalidate_all();
        }
    }

    /// Forgets every token of every session of `account_id`, in this instance only.
    pub fn forget_account_here(&self, account_id: &str) {
        self.bump();
        let account_id = account_id.to_owned();
        if let Err(err) = self
            .entries
            .invalidate_entries_if(move |_, (principal, _)| principal.account_id == account_id)
        {
            tracing::error!(error = %err, "principal cache: cannot forget an account");
            self.entries.invalidate_all();
        }
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A random identifier or token: `prefix` + 256 bits, base64url.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not a condition a request can recover from.
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        panic!("the system random number generator failed");
    }
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A random opaque id: `prefix` + 128 bits, hex.
pub fn random_id(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// SHA-256 hex of a token, the form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const ACCESS_PREFIX: &str = "tba_";
const REFRESH_PREFIX: &str = "tbr_";

impl Sessions {
    /// The checked access tokens this instance holds.
    pub fn principals(&self) -> &PrincipalCache {
        &self.principals
    }

    pub fn new(store: Store, config: &AuthConfig, principals: PrincipalCache) -> Self {
        Self {
            store,
            access_ttl: config.access_token_ttl_secs as i64,
            refresh_ttl: config.refresh_token_ttl_secs as i64,
            principals,
        }
    }

    /// Finds or creates the account of `login` and opens a session for it.
    pub async fn login(&self, login: &PlatformLogin) -> anyhow::Result<IssuedTokens> {
        let now = now();
        crate::db::transaction!(self.store.pool(), |tx| {
            let existing: Option<String> = crate::db::query_scalar(
                "SELECT account_id FROM platform_identities
                 WHERE platform = $1 AND app_id = $2 AND subject = $3",
            )
            .bind(login.platform.code())
            .bind(&login.app_id)
            .bind(&login.subject)
            .fetch_optional(&mut *tx)
            .await
            .context("find platform identity")?;
            let (account_id, new_account) = match existing {
                Some(account_id) => {
                    crate::db::query(
                        "UPDATE platform_identities SET last_login_at = $1, union_id = COALESCE($2, union_id)
                         WHERE platform = $3 AND app_id = $4 AND subject = $5",
                    )
                    .bind(now)
                    .bind(&login.union_id)
                    .bind(login.platform.code())
                    .bind(&login.app_id)
                    .bind(&login.subject)
                    .execute(&mut *tx)
                    .await
                    .context("touch platform identity")?;
                    (account_id, false)
                }
                None => {
                    let account_id = random_id("acc_");
                    crate::db::query("INSERT INTO accounts (id, created_at) VALUES ($1, $2)")
                        .bind(&account_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .context("create account")?;
                    crate::db::query(
                        "INSERT INTO platform_identities
                         (platform, app_id, subject, union_id, account_id, created_at, last_login_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(login.platform.code())
                    .bind(&login.app_id)
                    .bind(&login.subject)
                    .bind(&login.union_id)
                    .bind(&account_id)
                    .bind(now)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .context("record platform identity")?;
                    (account_id, true)
                }
            };
            let session_id = random_id("ses_");
            crate::db::query(
                "INSERT INTO sessions (id, account_id, platform, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&session_id)
            .bind(&account_id)
            .bind(login.platform.code())
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("create session")?;
            let tokens = self
                .issue(&mut *tx, &session_id, &account_id, new_account, now)
                .await?;
            Ok(tokens)
        })
        .await
        .context("login")
    }

    async fn issue(
        &self,
        tx: &mut crate::db::Tx,
        session_id: &str,
        account_id: &str,
        new_account: bool,
        now: i64,
    ) -> anyhow::Result<IssuedTokens> {
        let access_token = random_token(ACCESS_PREFIX);
        let refresh_token = random_token(REFRESH_PREFIX);
        let tokens = IssuedTokens {
            access_expires_at: now + self.access_ttl,
            refresh_expires_at: now + self.refresh_ttl,
            access_token,
            refresh_token,
            session_id: session_id.to_string(),
            account_id: account_id.to_string(),
            new_account,
        };
        for (token, kind, expires_at) in [
            (&tokens.access_token, "access", tokens.access_expires_at),
            (&tokens.refresh_token, "refresh", tokens.refresh_expires_at),
        ] {
            crate::db::query(
                "INSERT INTO session_tokens (token_hash, session_id, kind, expires_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash(token))
            .bind(session_id)
            .bind(kind)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .context("store token")?;
        }
        Ok(tokens)
    }

    /// Who holds `access_token`.
    pub async fn authenticate(&self, access_token: &str) -> Result<Principal, AuthFailure> {
        if !access_token.starts_with(ACCESS_PREFIX) || access_token.len() > 128 {
            return Err(AuthFailure::Invalid);
        }
        let hash = token_hash(access_token);
        if let Some((principal, expires_at)) = self.principals.get(&hash) {
            if expires_at <= now() {
                return Err(AuthFailure::Expired);
            }
            return Ok(principal);
        }
        let read_at = self.principals.epoch();
        let row = crate::db::query(
            "SELECT t.expires_at, s.id AS session_id, s.account_id, s.revoked_at, a.lang
             FROM session_tokens t
             JOIN sessions s ON s.id = t.session_id
             JOIN accounts a ON a.id = s.account_id
             WHERE t.token_hash = $1 AND t.kind = 'access'",
        )
        .bind(&hash)
        .fetch_optional(self.store.pool())
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "session lookup failed");
            AuthFailure::Invalid
        })?
        .ok_or(AuthFailure::Invalid)?;
        let revoked_at: Option<i64> = row.get("revoked_at");
        if revoked_at.is_some() {
            return Err(AuthFailure::Invalid);
        }
        let expires_at: i64 = row.get("expires_at");
        if expires_at <= now() {
            return Err(AuthFailure::Expired);
        }
        let lang: Option<String> = row.get("lang");
        let principal = Principal {
            account_id: row.get("account_id"),
            session_id: row.get("session_id"),
            lang: lang.as_deref().and_then(Lang::from_tag),
        };
        self.principals
            .put(read_at, hash, principal.clone(), expires_at);
        Ok(principal)
    }

    /// Exchanges a refresh token for a new pair; a reused one revokes its session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens, RefreshError> {
        if !refresh_token.starts_with(REFRESH_PREFIX) || refresh_token.len() > 128 {
            return Err(RefreshError::Invalid);
        }
        let now = now();
        let hash = token_hash(refresh_token);
        // What the token turns out to be is an answer, committed like any other: a reused
        // token's revocation must stay.
        let (session_id, outcome) = crate::db::transaction!(self.store.pool(), |tx| {
            let row = crate::db::query(
                "SELECT t.expires_at, t.rotated_at, s.id AS session_id, s.account_id, s.revoked_at
             FROM session_tokens t JOIN sessions s ON s.id = t.session_id
             WHERE t.token_hash = $1 AND t.kind = 'refresh'",
            )
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await
            .context("find refresh token")?;
            let Some(row) = row else {
                return Ok((String::new(), Err(RefreshError::Invalid)));
            };
            let session_id: String = row.get("session_id");
            let account_id: String = row.get("account_id");
            let revoked_at: Option<i64> = row.get("revoked_at");
            let rotated_at: Option<i64> = row.get("rotated_at");
            let expires_at: i64 = row.get("expires_at");
            if revoked_at.is_some() {
                return Ok((session_id, Err(RefreshError::Invalid)));
            }
            if rotated_at.is_some() {
                revoke_in(&mut *tx, &session_id, "refresh_token_reused", now).await?;
                return Ok((session_id, Err(RefreshError::Reused)));
            }
            if expires_at <= now {
                return Ok((session_id, Err(RefreshError::Expired)));
            }
            crate::db::query("UPDATE session_tokens SET rotated_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&mut *tx)
                .await
                .context("rotate refresh token")?;
            // The old access token dies with the rotation: one live pair per session.
            crate::db::query(
                "DELETE FROM session_tokens WHERE session_id = $1 AND kind = 'access'",
            )
            .bind(&session_id)
            .execute(&mut *tx)
            .await
            .context("retire access token")?;
            crate::db::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&session_id)
                .execute(&mut *tx)
                .await
                .context("touch session")?;
            let tokens = self
                .issue(&mut *tx, &session_id, &account_id, false, now)
                .await?;
            Ok((session_id, Ok(tokens)))
        })
        .await
        .context("refresh")?;
        match &outcome {
            Ok(_) => self.principals.forget_session(&session_id),
            Err(RefreshError::Reused) => {
                self.principals.forget_session(&session_id);
                tracing::warn!(session = %session_id, "refresh token reused: session revoked");
            }
            Err(_) => {}
        }
        outcome
    }

    /// Revokes one session of `account_id`. False when it has no such live session.
    pub async fn revoke(
        &self,
        account_id: &str,
        session_id: &str,
        reason: &str,
    ) -> anyhow::Result<bool> {
        let revoked = crate::db::transaction!(self.store.pool(), |tx| {
            let owned: Option<String> = crate::db::query_scalar(
                "SELECT id FROM sessions WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL",
            )
            .bind(session_id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await
            .context("find session")?;
            if owned.is_none() {
                return Ok(false);
            }
            revoke_in(&mut *tx, session_id, reason, now()).await?;
            Ok(true)
        })
        .await
        .context("revoke session")?;
        if revoked {
            self.principals.forget_session(session_id);
        }
        Ok(revoked)
    }

    /// The live sessions of an account, newest first.
    pub async fn list(&self, account_id: &str) -> anyhow::Result<Vec<SessionInfo>> {
        let rows = crate::db::query(
            "SELECT id, platform, created_at, last_seen_at FROM sessions
             WHERE account_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id",
        )
        .bind(account_id)
        .fetch_all(self.store.pool())
        .await
        .context("list sessions")?;
        Ok(rows
            .iter()
            .map(|row| SessionInfo {
                id: row.get("id"),
                platform: row.get("platform"),
                created_at: row.get("created_at"),
                last_seen_at: row.get("last_seen_at"),
            })
            .collect())
    }
}

async fn revoke_in(
    tx: &mut crate::db::Tx,
    session_id: &str,
    reason: &str,
    now: i64,
) -> anyhow::Result<()> {
    crate::db::query(
        "UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(session_id)
    .execute(&mut *tx)
    .await
    .context("revoke session")?;
    crate::db::query("DELETE FROM session_tokens WHERE session_id = $1 AND kind = 'access'")
        .bind(session_id)
        .execute(&mut *tx)
        .await
        .context("drop access tokens")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(account: &str, session: &str) -> Principal {
        Principal {
            account_id: account.into(),
            session_id: session.into(),
            lang: None,
        }
    }

    #[test]
    fn forgetting_a_session_or_an_account_drops_only_their_tokens() {
        let cache = PrincipalCache::new(30, 100);
        cache.put(cache.epoch(), "t1".into(), principal("a1", "s1"), i64::MAX);
        cache.put(cache.epoch(), "t2".into(), principal("a1", "s2"), i64::MAX);
        cache.put(cache.epoch(), "t3".into(), principal("a2", "s3"), i64::MAX);
        cache.forget_session("s1");
        assert!(cache.get("t1").is_none());
        assert!(cache.get("t2").is_some());
        cache.forget_account("a1");
        assert!(cache.get("t2").is_none());
        assert_eq!(
            cache.get("t3").map(|(p, _)| p.session_id),
            Some("s3".into())
        );
    }

    #[test]
    fn an_answer_read_before_a_change_is_not_kept_after_it() {
        let cache = PrincipalCache::new(30, 100);
        // A check reads the store …
        let read_at = cache.epoch();
        // … while a logout commits and forgets the session …
        cache.forget_session("s1");
        // … and then tries to keep what it read before the logout.
        cache.put(read_at, "t1".into(), principal("a1", "s1"), i64::MAX);
        assert!(cache.get("t1").is_none());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = PrincipalCache::new(0, 100);
        cache.put(cache.epoch(), "t1".into(), principal("a1", "s1"), i64::MAX);
        assert!(cache.get("t1").is_none());
    }
}
