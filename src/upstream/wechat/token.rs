//! The access token (接口调用凭证) every WeChat business call carries, obtained from
//! `POST /cgi-bin/stable_token` and held until shortly before it expires.
//!
//! Three rules, each from a known way WeChat integrations break (platform-apis.md §3.3):
//! - **Single flight.** Only one refresh runs at a time; callers that need a token meanwhile
//!   wait for it and then use its result, instead of starting their own.
//! - **Passive refresh.** A call answered 40001/40014/42001 hands back the token it used. That
//!   token is dropped only if it is still the current one, so a burst of calls that all failed
//!   with the same stale token causes one refresh, not one each.
//! - **Force only when needed.** Normal mode returns the platform's current token; only if it
//!   returns the very token that was just rejected do we ask with `force_refresh: true`, at most
//!   once per 30 s as WeChat allows (20 a day), because forcing invalidates the token for every
//!   other holder.
//!
//! # Several instances
//!
//! Who may refresh is decided in one place, [`RefreshGate`]: an in-process async mutex, and on
//! PostgreSQL also a transaction holding `pg_advisory_xact_lock` on a key derived from the
//! appid ([`SharedToken`]). The token and when to refresh it live in a shared row
//! (`upstream_tokens`, sealed with the identity vault's key), which the "did someone else
//! already refresh?" checks read after entering the gate; committing the transaction that wrote
//! it releases the lock. So of N instances that all need a token, one fetches it and the others
//! take it from the row; a rejected token is replaced once for all of them, and a forced
//! refresh (which invalidates the token for every holder) is spaced 30 s apart across the
//! deployment. If PostgreSQL cannot be reached, the instance goes on with its local gate: a
//! normal-mode `stable_token` call hands every instance the same token anyway.
//!
//! Time comes from a [`Clock`] so tests can move it without waiting.

use std::{
    future::Future,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};

use super::WechatError;
use crate::{domain::identity::vault::Vault, store::Store};

/// WeChat refuses force refreshes closer together than this ("否则不会刷新").
const FORCE_REFRESH_SPACING: Duration = Duration::from_secs(30);

/// What one `stable_token` call handed out.
pub(super) struct IssuedToken {
    pub token: SecretString,
    /// The token's remaining lifetime as WeChat stated it (`expires_in`).
    pub expires_in: Duration,
}

/// The time source; tests drive a manual one.
#[derive(Clone, Default)]
pub(super) struct Clock {
    manual: Option<Arc<Mutex<Instant>>>,
}

impl Clock {
    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(now) => *lock(now),
            None => Instant::now(),
        }
    }

    #[cfg(test)]
    pub fn manual() -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(Instant::now()))),
        }
    }

    #[cfg(test)]
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.manual {
            *lock(now) += by;
        }
    }
}

/// Decides which caller may refresh: in this process, and with a [`SharedToken`] in the whole
/// deployment.
#[derive(Default)]
struct RefreshGate {
    local: tokio::sync::Mutex<()>,
    shared: std::sync::OnceLock<SharedToken>,
}

impl RefreshGate {
    /// Waits until no one else is refreshing. Dropping the turn lets the next one in.
    async fn enter(&self) -> Turn<'_> {
        let local = self.local.lock().await;
        let shared = match self.shared.get() {
            Some(shared) => match shared.lock().await {
                Ok(tx) => Some((shared, tx)),
                Err(err) => {
                    tracing::warn!(error = %format!("{err:#}"), "WeChat token: the shared gate is unreachable; refreshing alone");
                    None
                }
            },
            None => None,
        };
        Turn {
            _local: local,
            shared,
        }
    }
}

/// The access token as all instances of a deployment share it, in PostgreSQL.
pub struct SharedToken {
    store: Store,
    vault: Vault,
    /// The row's name, `wechat:<appid>`, also the seal's associated data.
    name: String,
    /// The advisory lock's key, from the name.
    key: i64,
}

/// What the shared row holds.
struct SharedRow {
    token: SecretString,
    /// Wall-clock milliseconds after which the token is refreshed.
    refresh_at: i64,
    forced_at: Option<i64>,
}

impl SharedToken {
    pub fn new(store: Store, vault: Vault, app_id: &str) -> Self {
        let name = format!("wechat:{app_id}");
        // FNV-1a: a key that stays the same across builds and instances (std's hasher is
        // seeded per process).
        let key = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        Self {
            store,
            vault,
            name,
            key: i64::from_ne_bytes(key.to_ne_bytes()),
        }
    }

    /// A transaction holding the deployment-wide lock; it ends (and frees the lock) when it is
    /// committed or dropped.
    async fn lock(&self) -> anyhow::Result<crate::db::Tx> {
        let mut tx = self.store.pool().begin().await?;
        crate::db::query("SELECT pg_advisory_xact_lock($1)")
            .bind(self.key)
            .execute(&mut tx)
            .await
            .context("advisory lock")?;
        Ok(tx)
    }

    async fn read(&self, tx: &mut crate::db::Tx) -> anyhow::Result<Option<SharedRow>> {
        let row = crate::db::query(
            "SELECT sealed, refresh_at, forced_at FROM upstream_tokens WHERE name = $1",
        )
        .bind(&self.name)
        .fetch_optional(tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sealed: String = row.get("sealed");
        Ok(Some(SharedRow {
            token: self.vault.open(&sealed, &self.name)?.into(),
            refresh_at: row.get("refresh_at"),
            forced_at: row.get("forced_at"),
        }))
    }

    async fn save(
        &self,
        mut tx: crate::db::Tx,
        token: &SecretString,
        refresh_at: i64,
        forced: bool,
    ) -> anyhow::Result<()> {
        let now = wall_ms();
        crate::db::query(
            "INSERT INTO upstream_tokens (name, sealed, refresh_at, forced_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed,
               refresh_at = excluded.refresh_at,
               forced_at = COALESCE(excluded.forced_at, upstream_tokens.forced_at),
               updated_at = excluded.updated_at",
        )
        .bind(&self.name)
        .bind(self.vault.seal(token.expose_secret(), &self.name))
        .bind(refresh_at)
        .bind(forced.then_some(now))
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One caller's turn at the gate.
struct Turn<'a> {
    _local: tokio::sync::MutexGuard<'a, ()>,
    shared: Option<(&'a SharedToken, crate::db::Tx)>,
}

impl Turn<'_> {
    /// The shared row, if there is one and it can be read.
    async fn row(&mut self) -> Option<SharedRow> {
        let (shared, tx) = self.shared.as_mut()?;
        shared.read(tx).await.unwrap_or_else(|err| {
            tracing::warn!(error = %format!("{err:#}"), "WeChat token: the shared row is unreadable");
            None
        })
    }

    /// Writes a token just fetched to the shared row, which ends the turn's lock.
    async fn share(
        &mut self,
        token: &SecretString,
        refresh_at: Instant,
        now: Instant,
        forced: bool,
    ) {
        let Some((shared, tx)) = self.shared.take() else {
            return;
        };
        let at = wall_ms()
            + i64::try_from(refresh_at.saturating_duration_since(now).as_millis())
                .unwrap_or(i64::MAX);
        if let Err(err) = shared.save(tx, token, at, forced).await {
            tracing::warn!(error = %format!("{err:#}"), "WeChat token: not shared with the other instances");
        }
    }
}

fn wall_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

struct Held {
    token: SecretString,
    refresh_at: Instant,
}

/// Holds the current access token and refreshes it by the rules in the module documentation.
pub(super) struct TokenManager {
    margin: Duration,
    clock: Clock,
    gate: RefreshGate,
    held: Mutex<Option<Held>>,
    last_forced: Mutex<Option<Instant>>,
}

impl TokenManager {
    /// `margin`: refresh when less than this is left of a token's life.
    pub fn new(margin: Duration, clock: Clock) -> Self {
        Self {
            margin,
            clock,
            gate: RefreshGate::default(),
            held: Mutex::new(None),
            last_forced: Mutex::new(None),
        }
    }

    /// A token with more than the margin left, fetched with `fetch(force)` if there is none.
    pub async fn token<F, Fut>(&self, fetch: F) -> Result<SecretString, WechatError>
    where
        F: Fn(bool) -> Fut,
        Fut: Future<Output = Result<IssuedToken, WechatError>>,
    {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let mut turn = self.gate.enter().await;
        // Whoever held the gate before us, here or in another instance, may have just refreshed.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        if let Some(row) = turn.row().await
            && let Some(token) = self.adopt(row, None)
        {
            return Ok(token);
        }
        tracing::info!("fetching a WeChat access token");
        let issued = fetch(false).await?;
        Ok(self.keep_shared(&mut turn, issued, false).await)
    }

    /// Takes the shared row's token as this instance's if it is still fresh and is not
    /// `rejected`.
    fn adopt(&self, row: SharedRow, rejected: Option<&str>) -> Option<SecretString> {
        let left = row.refresh_at - wall_ms();
        if left <= 0 || rejected.is_some_and(|r| r == row.token.expose_secret()) {
            return None;
        }
        let refresh_at = self.clock.now() + Duration::from_millis(left.unsigned_abs());
        *lock(&self.held) = Some(Held {
            token: row.token.clone(),
            refresh_at,
        });
        Some(row.token)
    }

    async fn keep_shared(
        &self,
        turn: &mut Turn<'_>,
        issued: IssuedToken,
        forced: bool,
    ) -> SecretString {
        let token = self.keep(issued);
        let refresh_at = lock(&self.held)
            .as_ref()
            .map_or_else(|| self.clock.now(), |held| held.refresh_at);
        turn.share(&token, refresh_at, self.clock.now(), forced)
            .await;
        token
    }

    /// A replacement for `rejected`, the token a business call was just refused with.
    pub async fn replace_rejected<F, Fut>(
        &self,
        rejected: &str,
        fetch: F,
    ) -> Result<SecretString, WechatError>
    where
        F: Fn(bool) -> Fut,
        Fut: Future<Output = Result<IssuedToken, WechatError>>,
    {
        let mut turn = self.gate.enter().await;
        {
            let mut held = lock(&self.held);
            let now = self.clock.now();
            match held.as_ref() {
                Some(current) if current.token.expose_secret() != rejected => {
                    if now < current.refresh_at {
                        return Ok(current.token.clone());
                    }
                }
                _ => *held = None,
            }
        }
        let row = turn.row().await;
        let forced_at = row.as_ref().and_then(|row| row.forced_at);
        if let Some(row) = row
            && let Some(token) = self.adopt(row, Some(rejected))
        {
            return Ok(token);
        }
        tracing::info!("WeChat rejected our access token; fetching another");
        let issued = fetch(false).await?;
        if issued.token.expose_secret() != rejected {
            return Ok(self.keep_shared(&mut turn, issued, false).await);
        }
        let forced_lately = forced_at.is_some_and(|at| {
            wall_ms() - at < i64::try_from(FORCE_REFRESH_SPACING.as_millis()).unwrap_or(0)
        });
        if forced_lately || !self.may_force() {
            return Err(WechatError::Unauthorized(
                "stable_token returns the access token WeChat just rejected, and a forced \
                 refresh was made less than 30 s ago"
                    .into(),
            ));
        }
        tracing::warn!("stable_token returned the rejected access token; forcing a refresh");
        let issued = fetch(true).await?;
        if issued.token.expose_secret() == rejected {
            return Err(WechatError::Unauthorized(
                "a forced stable_token refresh returned the rejected access token".into(),
            ));
        }
        Ok(self.keep_shared(&mut turn, issued, true).await)
    }

    /// Shares the token with the other instances of a deployment through `shared`.
    pub fn share(&self, shared: SharedToken) {
        let _ = self.gate.shared.set(shared);
    }

    fn fresh(&self) -> Option<SecretString> {
        let now = self.clock.now();
        lock(&self.held)
            .as_ref()
            .filter(|held| now < held.refresh_at)
            .map(|held| held.token.clone())
    }

    fn keep(&self, issued: IssuedToken) -> SecretString {
        // A token issued with less life than twice the margin (normal mode returns the remaining
        // lifetime, possibly only 300 s) is still used for half of it, so that a large margin
        // cannot turn every call into a refresh.
        let usable = issued
            .expires_in
            .saturating_sub(self.margin)
            .max(issued.expires_in / 2);
        *lock(&self.held) = Some(Held {
            token: issued.token.clone(),
            refresh_at: self.clock.now() + usable,
        });
        issued.token
    }

    fn may_force(&self) -> bool {
        let now = self.clock.now();
        let mut last = lock(&self.last_forced);
        match *last {
            Some(at) if now.duration_since(at) < FORCE_REFRESH_SPACING => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A stand-in for the token endpoint: answers `token-<n>` (or a fixed token in normal mode
    /// when `stuck` is set), counts normal and forced calls.
    #[derive(Default)]
    struct FakeEndpoint {
        normal: AtomicU64,
        forced: AtomicU64,
        stuck: Mutex<Option<String>>,
        delay: Duration,
    }

    impl FakeEndpoint {
        async fn fetch(&self, force: bool) -> Result<IssuedToken, WechatError> {
            tokio::time::sleep(self.delay).await;
            let n = if force {
                self.forced.fetch_add(1, Ordering::SeqCst) + 100
            } else {
                self.normal.fetch_add(1, Ordering::SeqCst) + 1
            };
            let token = match (&*lock(&self.stuck), force) {
                (Some(stuck), false) => stuck.clone(),
                _ => format!("token-{n}"),
            };
            Ok(IssuedToken {
                token: token.into(),
                expires_in: Duration::from_secs(7200),
            })
        }

        fn calls(&self) -> (u64, u64) {
            (
                self.normal.load(Ordering::SeqCst),
                self.forced.load(Ordering::SeqCst),
            )
        }
    }

    fn manager() -> (TokenManager, Clock) {
        let clock = Clock::manual();
        (
            TokenManager::new(Duration::from_secs(300), clock.clone()),
            clock,
        )
    }

    #[tokio::test]
    async fn fifty_concurrent_callers_on_a_cold_manager_share_one_fetch() {
        let (tokens, _clock) = manager();
        let endpoint = FakeEndpoint {
            delay: Duration::from_millis(30),
            ..FakeEndpoint::default()
        };

        let results = futures_util::future::join_all(
            (0..50).map(|_| tokens.token(|force| endpoint.fetch(force))),
        )
        .await;

        assert_eq!(endpoint.calls(), (1, 0));
        for result in results {
            assert_eq!(result.expect("token").expose_secret(), "token-1");
        }
    }

    #[tokio::test]
    async fn a_token_is_reused_until_the_margin_and_then_refreshed() {
        let (tokens, clock) = manager();
        let endpoint = FakeEndpoint::default();
        let fetch = |force| endpoint.fetch(force);

        tokens.token(fetch).await.expect("first");
        clock.advance(Duration::from_secs(6899));
        let still = tokens.token(fetch).await.expect("still fresh");
        assert_eq!(still.expose_secret(), "token-1");
        assert_eq!(endpoint.calls(), (1, 0));

        clock.advance(Duration::from_secs(2));
        let renewed = tokens.token(fetch).await.expect("renewed");
        assert_eq!(renewed.expose_secret(), "token-2");
        assert_eq!(endpoint.calls(), (2, 0));
    }

    #[tokio::test]
    async fn two_calls_rejected_with_the_same_stale_token_cause_one_refresh() {
        let (tokens, _clock) = manager();
        let endpoint = FakeEndpoint::default();
        let fetch = |force| endpoint.fetch(force);
        let stale = tokens.token(fetch).await.expect("first");

        let (a, b) = tokio::join!(
            tokens.replace_rejected(stale.expose_secret(), fetch),
            tokens.replace_rejected(stale.expose_secret(), fetch),
        );

        assert_eq!(a.expect("a").expose_secret(), "token-2");
        assert_eq!(b.expect("b").expose_secret(), "token-2");
        assert_eq!(endpoint.calls(), (2, 0));
    }

    #[tokio::test]
    async fn the_rejected_token_handed_back_again_is_force_refreshed_at_most_every_30_s() {
        let (tokens, clock) = manager();
        let endpoint = FakeEndpoint::default();
        let fetch = |force| endpoint.fetch(force);
        let first = tokens.token(fetch).await.expect("first");
        *lock(&endpoint.stuck) = Some(first.expose_secret().to_string());

        let forced = tokens
            .replace_rejected(first.expose_secret(), fetch)
            .await
            .expect("forced");
        assert_eq!(forced.expose_secret(), "token-100");
        assert_eq!(endpoint.calls(), (2, 1));

        *lock(&endpoint.stuck) = Some("token-100".into());
        clock.advance(Duration::from_secs(29));
        let refused = tokens.replace_rejected("token-100", fetch).await;
        assert!(matches!(refused, Err(WechatError::Unauthorized(_))));
        assert_eq!(endpoint.calls(), (3, 1));

        clock.advance(Duration::from_secs(1));
        let again = tokens
            .replace_rejected("token-100", fetch)
            .await
            .expect("forced again");
        assert_eq!(again.expose_secret(), "token-101");
        assert_eq!(endpoint.calls(), (4, 2));
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_remembered_and_the_next_call_tries_again() {
        let (tokens, _clock) = manager();
        let failing =
            |_force: bool| async { Err::<IssuedToken, _>(WechatError::Unavailable("down".into())) };
        assert!(matches!(
            tokens.token(failing).await,
            Err(WechatError::Unavailable(_))
        ));

        let endpoint = FakeEndpoint::default();
        let token = tokens
            .token(|force| endpoint.fetch(force))
            .await
            .expect("second try");
        assert_eq!(token.expose_secret(), "token-1");
    }

    #[tokio::test]
    async fn a_short_lived_token_is_used_for_half_its_life_when_the_margin_exceeds_it() {
        let clock = Clock::manual();
        let tokens = TokenManager::new(Duration::from_secs(600), clock.clone());
        let short = |_force: bool| async {
            Ok(IssuedToken {
                token: "short".into(),
                expires_in: Duration::from_secs(345),
            })
        };
        tokens.token(short).await.expect("first");
        clock.advance(Duration::from_secs(172));
        assert!(tokens.fresh().is_some());
        clock.advance(Duration::from_secs(1));
        assert!(tokens.fresh().is_none());
    }
}
