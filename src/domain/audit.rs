//! The audit log (审计日志): who read or changed which personal data, when, and through which
//! operation. Entries name accounts by their opaque ids and never hold personal data itself;
//! `detail` says which fields were touched, not their values.

use anyhow::Context;
use sqlx::Row;

use crate::store::Store;

/// One thing that happened to personal data.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub request_id: &'a str,
    /// `account:<id>`, `operator:<key id>` or `system`.
    pub actor: String,
    /// `read`, `update`, `create`, `delete`, `login`, `logout`, `export`, …
    pub action: &'a str,
    /// `account:<id>` whose data it was.
    pub subject: String,
    /// The API operation (`getMe`, `bindRealName`, …).
    pub operation: &'a str,
    /// Which fields, as JSON: `{"fields":["idNumber","name"]}`.
    pub detail: serde_json::Value,
}

/// An entry as stored.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub request_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub operation: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Audit {
    store: Store,
}

pub fn account_ref(account_id: &str) -> String {
    format!("account:{account_id}")
}

impl Audit {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Writes one entry. The caller's operation fails if this fails: an unaudited read of
    /// personal data must not happen.
    pub async fn record(&self, entry: AuditEntry<'_>) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (request_id, actor, action, subject, operation, detail)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.request_id)
        .bind(&entry.actor)
        .bind(entry.action)
        .bind(&entry.subject)
        .bind(entry.operation)
        .bind(entry.detail.to_string())
        .execute(self.store.pool())
        .await
        .context("write audit entry")?;
        Ok(())
    }

    /// Writes an entry of a person acting on their own data, the common case.
    pub async fn own(
        &self,
        request_id: &str,
        account_id: &str,
        action: &str,
        operation: &str,
        detail: serde_json::Value,
    ) -> anyhow::Result<()> {
        self.record(AuditEntry {
            request_id,
            actor: account_ref(account_id),
            action,
            subject: account_ref(account_id),
            operation,
            detail,
        })
        .await
    }

    /// Entries newer than `after_id` (0: from the start), oldest first, optionally about one
    /// subject.
    pub async fn list(
        &self,
        subject: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> anyhow::Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, request_id, actor, action, subject, operation, detail FROM audit_log
             WHERE id > ? AND (? IS NULL OR subject = ?) ORDER BY id LIMIT ?",
        )
        .bind(after_id)
        .bind(subject)
        .bind(subject)
        .bind(i64::from(limit))
        .fetch_all(self.store.pool())
        .await
        .context("read audit log")?;
        Ok(rows
            .iter()
            .map(|row| {
                let detail: String = row.get("detail");
                AuditRecord {
                    id: row.get("id"),
                    at: row.get("at"),
                    request_id: row.get("request_id"),
                    actor: row.get("actor"),
                    action: row.get("action"),
                    subject: row.get("subject"),
                    operation: row.get("operation"),
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                }
            })
            .collect())
    }
}
