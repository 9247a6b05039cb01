//! Operator API keys (运维密钥): random secrets shown once at creation, stored as SHA-256
//! hashes with the scopes they grant. `tongban admin-key create` makes one.

use anyhow::Context;

use super::session::{now, random_id, random_token, token_hash};
use crate::store::Store;

/// Scopes an operator key can carry.
pub const SCOPES: [&str; 6] = [
    SCOPE_AUDIT_READ,
    SCOPE_CACHE_INVALIDATE,
    SCOPE_POLICIES_READ,
    SCOPE_POLICIES_WRITE,
    SCOPE_PUSH_READ,
    SCOPE_PUSH_WRITE,
];
/// Read push campaigns' progress and failures.
pub const SCOPE_PUSH_READ: &str = "push:read";
/// Pause, resume and retry push campaigns (implies read).
pub const SCOPE_PUSH_WRITE: &str = "push:write";
/// Read benefit policies and sweeps.
pub const SCOPE_POLICIES_READ: &str = "policies:read";
/// Create, check, try, publish and retire benefit policies; start sweeps (implies read).
pub const SCOPE_POLICIES_WRITE: &str = "policies:write";
/// Read the audit log.
pub const SCOPE_AUDIT_READ: &str = "audit:read";
/// Drop cached shared data.
pub const SCOPE_CACHE_INVALIDATE: &str = "cache:invalidate";

/// The holder of a valid operator key.
#[derive(Debug, Clone)]
pub struct Operator {
    pub key_id: String,
    pub name: String,
    pub scopes: Vec<String>,
}

impl Operator {
    pub fn may(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug, Clone)]
pub struct AdminKeys {
    store: Store,
}

impl AdminKeys {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Creates a key; the returned secret is never stored and cannot be shown again.
    pub async fn create(&self, name: &str, scopes: &[String]) -> anyhow::Result<(String, String)> {
        if let Some(unknown) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
            anyhow::bail!(
                "unknown scope {unknown}; known scopes: {}",
                SCOPES.join(", ")
            );
        }
        let id = random_id("key_");
        let secret = random_token("tbk_");
        crate::db::query(
            "INSERT INTO admin_keys (id, name, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(token_hash(&secret))
        .bind(scopes.join(" "))
        .bind(now())
        .execute(self.store.pool())
        .await
        .context("store admin key")?;
        Ok((id, secret))
    }

    /// The operator holding `secret`, if it is a live key.
    pub async fn resolve(&self, secret: &str) -> anyhow::Result<Option<Operator>> {
        if secret.len() > 128 {
            return Ok(None);
        }
        let row = crate::db::query(
            "SELECT id, name, scopes FROM admin_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(secret))
        .fetch_optional(self.store.pool())
        .await
        .context("find admin key")?;
        Ok(row.map(|row| {
            let scopes: String = row.get("scopes");
            Operator {
                key_id: row.get("id"),
                name: row.get("name"),
                scopes: scopes.split_whitespace().map(str::to_string).collect(),
            }
        }))
    }
}
