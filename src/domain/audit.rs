//! The audit log (审计日志): who read or changed which personal data, when, and through which
//! operation. Entries name accounts by their opaque ids and never hold personal data itself;
//! `detail` says which fields were touched, not their values.

use anyhow::Context;
use tokio::sync::{mpsc, oneshot};

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

/// The audit log. Writes are group-committed: concurrent entries wait together for one
/// multi-row `INSERT` in one transaction (the same trade as a database's group commit), so a
/// busy home screen costs one SQLite write per batch instead of one per request. Every caller
/// still waits for its own entry to be durable (as durable as the store's WAL mode makes it)
/// before it answers, and sees the error when the batch failed.
#[derive(Debug, Clone)]
pub struct Audit {
    store: Store,
    writer: mpsc::Sender<Pending>,
}

/// An entry with owned fields, on its way to the writer.
#[derive(Debug)]
struct OwnedEntry {
    request_id: String,
    actor: String,
    action: String,
    subject: String,
    operation: String,
    detail: String,
}

type Pending = (OwnedEntry, oneshot::Sender<Result<(), String>>);

/// Rows per `INSERT`: 6 parameters each, far below SQLite's limit of 32,766.
const MAX_BATCH: usize = 256;

pub fn account_ref(account_id: &str) -> String {
    format!("account:{account_id}")
}

impl Audit {
    /// The log over `store`, with its writer task on the current runtime.
    pub fn new(store: Store) -> Self {
        let (writer, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(store.clone(), queue));
        Self { store, writer }
    }

    /// Writes one entry and waits until it is stored. The caller's operation fails if this
    /// fails: an unaudited read of personal data must not happen.
    pub async fn record(&self, entry: AuditEntry<'_>) -> anyhow::Result<()> {
        let owned = OwnedEntry {
            request_id: entry.request_id.to_owned(),
            actor: entry.actor,
            action: entry.action.to_owned(),
            subject: entry.subject,
            operation: entry.operation.to_owned(),
            detail: entry.detail.to_string(),
        };
        let (done, stored) = oneshot::channel();
        self.writer
            .send((owned, done))
            .await
            .map_err(|_| anyhow::anyhow!("the audit writer has stopped"))?;
        match stored.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(anyhow::anyhow!("write audit entry: {err}")),
            Err(_) => Err(anyhow::anyhow!("the audit writer has stopped")),
        }
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
        let rows = crate::db::query(
            "SELECT id, at, request_id, actor, action, subject, operation, detail FROM audit_log
             WHERE id > $1 AND ($2 IS NULL OR subject = $3) ORDER BY id LIMIT $4",
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

/// The writer: takes what is queued (at least one entry, at most `MAX_BATCH`), stores it with
/// one statement, and tells each waiting caller.
async fn write_batches(store: Store, mut queue: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // One turn of the scheduler before the commit: the requests that arrived together
        // (a burst of home screens) queue their entries in it and share the commit, instead
        // of one commit for the first and another for the rest. No timer: a turn is
        // microseconds when nothing else is ready.
        tokio::task::yield_now().await;
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        let result = insert(&store, &batch).await.map_err(|err| {
            tracing::error!(error = %err, entries = batch.len(), "audit batch not stored");
            err.to_string()
        });
        for (_, done) in batch.drain(..) {
            // A caller that went away (its request was cancelled) needs no answer.
            let _ = done.send(result.clone());
        }
    }
}

async fn insert(store: &Store, batch: &[Pending]) -> sqlx::Result<()> {
    let mut sql = String::from(
        "INSERT INTO audit_log (request_id, actor, action, subject, operation, detail) VALUES ",
    );
    for i in 0..batch.len() {
        let n = i * 6;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6
        ));
    }
    let mut insert = crate::db::query(&sql);
    for (entry, _) in batch {
        insert = insert
            .bind(&entry.request_id)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.subject)
            .bind(&entry.operation)
            .bind(&entry.detail);
    }
    insert.execute(store.writer()).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = crate::config::Config::default();
        config.database.data_dir = dir.path().to_path_buf();
        let store = Store::open(&config).await.expect("open store");
        store.migrate().await.expect("migrate");
        (store, dir)
    }

    #[tokio::test]
    async fn concurrent_entries_are_all_stored() {
        let (store, _dir) = store().await;
        let audit = Audit::new(store);
        let writes = (0..300).map(|n| {
            let audit = audit.clone();
            async move {
                audit
                    .own(
                        &format!("req-{n}"),
                        &format!("acc-{}", n % 7),
                        "read",
                        "getHome",
                        serde_json::json!({"fields": ["applications"]}),
                    )
                    .await
            }
        });
        for result in futures_util::future::join_all(writes).await {
            result.expect("stored");
        }
        let all = audit.list(None, 0, 1000).await.expect("list");
        assert_eq!(all.len(), 300);
        let mine = audit
            .list(Some("account:acc-3"), 0, 1000)
            .await
            .expect("list one subject");
        assert_eq!(mine.len(), 43);
        assert!(mine.iter().all(|entry| entry.actor == "account:acc-3"
            && entry.operation.as_deref() == Some("getHome")
            && entry.detail["fields"][0] == "applications"));
    }

    #[tokio::test]
    async fn a_failed_batch_fails_every_caller_in_it() {
        let (store, _dir) = store().await;
        crate::db::query("DROP TABLE audit_log")
            .execute(store.pool())
            .await
            .expect("drop");
        let audit = Audit::new(store);
        let err = audit
            .own("req", "acc", "read", "getMe", serde_json::json!({}))
            .await
            .expect_err("the table is gone");
        assert!(err.to_string().contains("audit"), "{err}");
    }
}
