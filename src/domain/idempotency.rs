//! Idempotency keys of a person's submissions: a retried tap on "submit" answers the first
//! result again instead of making a second application (办件).
//!
//! Per (account, key) the store holds the SHA-256 of the request and, once there is one, the
//! answer. [`Idempotency::begin`] claims a key atomically (one `INSERT`), so of concurrent
//! requests with one key exactly one goes ahead. Only successes are kept, as the platform does
//! (docs/upstream-gov.md §1.4): a refused or failed request frees its key with
//! [`Idempotency::release`] and may be retried with it. A claim whose request died (a crash,
//! a dropped connection) expires after [`LEASE_SECS`]; taking it over is safe because the
//! platform is idempotent on the same `clientRequestId`.

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::store::Store;

/// How long a claimed key waits for its answer before another request may take it over.
pub const LEASE_SECS: i64 = 60;

/// How long answers are kept: retries come within minutes, not days.
const KEEP_SECS: i64 = 24 * 60 * 60;

/// An `Idempotency-Key` header value: 1–64 of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &str) -> Option<Self> {
        let valid = (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The platform's `clientRequestId` for this key of this account: keys are chosen by
    /// clients, so two people's equal keys must not meet at the platform.
    pub fn client_request_id(&self, account_id: &str) -> String {
        let account = hex::encode(Sha256::digest(account_id.as_bytes()));
        format!("{}-{}", &account[..16], self.0)
    }
}

/// The SHA-256 of what a request asks: the operation (so one key cannot serve two
/// operations) and its canonical JSON body.
pub fn request_hash(operation: &str, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(body.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// What [`Idempotency::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's now: handle it, then [`Idempotency::complete`] or
    /// [`Idempotency::release`].
    Started,
    /// The same request was answered before: answer this again.
    Replay(StoredAnswer),
    /// The key was used with another request.
    Reused,
    /// The same request is being handled right now.
    InProgress,
}

/// The idempotency store.
#[derive(Debug, Clone)]
pub struct Idempotency {
    store: Store,
}

impl Idempotency {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Claims `key` of `account_id` for a request hashing to `hash`, or says why not.
    pub async fn begin(
        &self,
        account_id: &str,
        key: &IdempotencyKey,
        hash: &str,
    ) -> anyhow::Result<Claim> {
        let now = jiff::Timestamp::now().as_second();
        let pool = self.store.pool();
        crate::db::query("DELETE FROM idempotency_keys WHERE account_id = $1 AND started_at < $2")
            .bind(account_id)
            .bind(now - KEEP_SECS)
            .execute(pool)
            .await
            .context("forget old idempotency keys")?;
        let inserted = crate::db::query(
            "INSERT INTO idempotency_keys (account_id, key, request_hash, started_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(key.as_str())
        .bind(hash)
        .bind(now)
        .execute(pool)
        .await
        .context("claim idempotency key")?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Started);
        }
        let row: Option<(String, Option<i64>, Option<String>)> = crate::db::query_as(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE account_id = $1 AND key = $2",
        )
        .bind(account_id)
        .bind(key.as_str())
        .fetch_optional(pool)
        .await
        .context("read idempotency key")?;
        let Some((stored_hash, status, body)) = row else {
            // Released between our insert and our read: the caller may simply retry.
            return Ok(Claim::InProgress);
        };
        if stored_hash != hash {
            return Ok(Claim::Reused);
        }
        if let (Some(status), Some(body)) = (status, body) {
            let status = u16::try_from(status).context("stored status")?;
            return Ok(Claim::Replay(StoredAnswer { status, body }));
        }
        let taken_over = crate::db::query(
            "UPDATE idempotency_keys SET started_at = $1
             WHERE account_id = $2 AND key = $3 AND status IS NULL AND started_at < $4",
        )
        .bind(now)
        .bind(account_id)
        .bind(key.as_str())
        .bind(now - LEASE_SECS)
        .execute(pool)
        .await
        .context("take over idempotency key")?;
        Ok(if taken_over.rows_affected() == 1 {
            Claim::Started
        } else {
            Claim::InProgress
        })
    }

    /// Stores the answer of a claimed key; it is answered again from now on.
    pub async fn complete(
        &self,
        account_id: &str,
        key: &IdempotencyKey,
        answer: &StoredAnswer,
    ) -> anyhow::Result<()> {
        crate::db::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE account_id = $3 AND key = $4",
        )
        .bind(i64::from(answer.status))
        .bind(&answer.body)
        .bind(account_id)
        .bind(key.as_str())
        .execute(self.store.pool())
        .await
        .context("store idempotent answer")?;
        Ok(())
    }

    /// Frees a claimed key whose request was refused or failed, so it may be retried.
    pub async fn release(&self, account_id: &str, key: &IdempotencyKey) -> anyhow::Result<()> {
        crate::db::query(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status IS NULL",
        )
        .bind(account_id)
        .bind(key.as_str())
        .execute(self.store.pool())
        .await
        .context("release idempotency key")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with_account(account_id: &str) -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = crate::Config::default();
        config.database.data_dir = dir.path().to_path_buf();
        let store = Store::open(&config).await.expect("store");
        store.migrate().await.expect("migrations");
        crate::db::query("INSERT INTO accounts (id, created_at) VALUES ($1, 0)")
            .bind(account_id)
            .execute(store.pool())
            .await
            .expect("account");
        (store, dir)
    }

    fn key(value: &str) -> IdempotencyKey {
        IdempotencyKey::parse(value).expect("valid key")
    }

    #[test]
    fn keys_are_1_to_64_letters_digits_dashes_and_underscores() {
        assert!(IdempotencyKey::parse("a").is_some());
        assert!(IdempotencyKey::parse("Ab_9-").is_some());
        assert!(IdempotencyKey::parse(&"k".repeat(64)).is_some());
        assert!(IdempotencyKey::parse("").is_none());
        assert!(IdempotencyKey::parse(&"k".repeat(65)).is_none());
        assert!(IdempotencyKey::parse("a b").is_none());
        assert!(IdempotencyKey::parse("ключ").is_none());
    }

    #[test]
    fn two_accounts_with_one_key_send_different_client_request_ids() {
        let k = key("tap-1");
        let a = k.client_request_id("acc_a");
        assert_ne!(a, k.client_request_id("acc_b"));
        assert!(a.ends_with("-tap-1") && !a.contains("acc_a"), "{a}");
    }

    #[tokio::test]
    async fn a_key_answers_its_stored_result_and_refuses_another_request() {
        let (store, _dir) = store_with_account("acc_1").await;
        let keys = Idempotency::new(store);
        let k = key("tap-1");
        let hash = request_hash("submit", &serde_json::json!({"a": 1}));
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::Started)
        );
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::InProgress)
        );
        let answer = StoredAnswer {
            status: 201,
            body: "{}".into(),
        };
        keys.complete("acc_1", &k, &answer).await.expect("stored");
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::Replay(answer))
        );
        let other = request_hash("submit", &serde_json::json!({"a": 2}));
        assert_eq!(
            keys.begin("acc_1", &k, &other).await.ok(),
            Some(Claim::Reused)
        );
    }

    #[tokio::test]
    async fn a_released_key_may_be_claimed_again() {
        let (store, _dir) = store_with_account("acc_1").await;
        let keys = Idempotency::new(store);
        let k = key("tap-2");
        let hash = request_hash("supplement", &serde_json::json!([]));
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::Started)
        );
        keys.release("acc_1", &k).await.expect("released");
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::Started)
        );
    }

    #[tokio::test]
    async fn a_claim_older_than_its_lease_is_taken_over() {
        let (store, _dir) = store_with_account("acc_1").await;
        let keys = Idempotency::new(store.clone());
        let k = key("tap-3");
        let hash = request_hash("submit", &serde_json::json!({}));
        keys.begin("acc_1", &k, &hash).await.expect("claimed");
        crate::db::query("UPDATE idempotency_keys SET started_at = started_at - $1")
            .bind(LEASE_SECS + 1)
            .execute(store.pool())
            .await
            .expect("aged");
        assert_eq!(
            keys.begin("acc_1", &k, &hash).await.ok(),
            Some(Claim::Started)
        );
    }
}
