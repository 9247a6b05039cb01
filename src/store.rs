//! Tongban's own persistence. SQLite (WAL) is the embedded default, created under
//! `database.data_dir` on first run; the PostgreSQL store arrives with the scale-out work.
//! Migrations are compiled in and applied at start-up and by `tongban migrate`.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: SqlitePool,
}

/// Checkpoints the write-ahead log every second from a reading connection. A checkpoint copies
/// the log into the database and syncs it; done by the committing writer (SQLite's default,
/// every 1,000 pages) it stalls every write queued behind that writer, several times a second
/// under a push campaign. A passive checkpoint runs beside the writer instead.
fn spawn_checkpointer(pool: SqlitePool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "checkpoint of the write-ahead log failed");
            }
        }
    });
}

impl Store {
    /// Opens (creating if needed) the database the configuration names.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        if config.database.url.is_empty() {
            std::fs::create_dir_all(&config.database.data_dir).with_context(|| {
                format!(
                    "cannot create data directory {}",
                    config.database.data_dir.display()
                )
            })?;
        }
        let url = config.database_url();
        let options = SqliteConnectOptions::from_str(&url)
            .with_context(|| format!("invalid database URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // The checkpointer below copies the log into the database; a committing writer
            // only does it itself if the log passes ~80 MB (it fell behind).
            .pragma("wal_autocheckpoint", "20000");
        let pool = SqlitePoolOptions::new()
            .max_connections(config.database.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open database {url}"))?;
        // An in-memory database exists once per connection: its writes stay on the pool,
        // and it has no log to checkpoint.
        let in_memory = url.contains(":memory:");
        let writer = if in_memory {
            pool.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .with_context(|| format!("cannot open database {url}"))?
        };
        if !in_memory {
            spawn_checkpointer(pool.clone());
        }
        Ok(Self { pool, writer })
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await
            .context("database migration failed")
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("database ping failed")?;
        Ok(())
    }

    /// The journal mode in force (`wal` for the embedded store).
    pub async fn journal_mode(&self) -> anyhow::Result<String> {
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(mode.0)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one connection busy write paths (the push outbox and dispatcher, benefit sweeps,
    /// the audit log) write through. SQLite admits one writer at a time and makes the others poll for the
    /// lock, sleeping up to 100 ms between tries; waiting for this connection instead is a
    /// FIFO queue that wakes the next writer the moment the last one commits. Measured in
    /// BENCHMARKS.md (push).
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}
