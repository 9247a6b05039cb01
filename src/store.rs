//! Tongban's own persistence. SQLite (WAL) is the embedded default, created under
//! `database.data_dir` on first run; PostgreSQL is the scale-out store, chosen by a
//! `postgres://` `database.url`, which many instances share (docs/deploy.md). Queries go
//! through [`crate::db`], written once for both. Migrations are compiled in, one set per
//! engine, and applied at start-up and by `tongban migrate`.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{
    config::Config,
    db::{Db, Engine, Pools},
};

#[derive(Debug, Clone)]
pub struct Store {
    pools: Pools,
    /// Signals to the other instances on the same PostgreSQL; none on SQLite.
    cluster: crate::cluster::Cluster,
    /// Which database this is, for logs: SQLite's URL, or PostgreSQL's host, port and
    /// database without the user and password.
    place: std::sync::Arc<str>,
}
/// A PostgreSQL database named for logs and errors: host, port and database, never the user
/// or the password.
fn postgres_place(options: &PgConnectOptions) -> String {
    format!(
        "postgres://{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("")
    )
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
    /// Opens the database the configuration names: PostgreSQL for a `postgres://` (or
    /// `postgresql://`) URL, otherwise SQLite, created if needed.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let url = config.database_url();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::open_postgres(config, &url).await;
        }
        if config.database.url.is_empty() {
            std::fs::create_dir_all(&config.database.data_dir).with_context(|| {
                format!(
                    "cannot create data directory {}",
                    config.database.data_dir.display()
                )
            })?;
        }
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
        Ok(Self {
            pools: Pools::Sqlite { pool, writer },
            cluster: crate::cluster::Cluster::default(),
            place: url.into(),
        })
    }

    async fn open_postgres(config: &Config, url: &str) -> anyhow::Result<Self> {
        // The URL's password is never logged: errors name the host and database only.
        let options = PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?;
        let place = postgres_place(&options);
        let pool = PgPoolOptions::new()
            .max_connections(config.database.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open PostgreSQL database {place}"))?;
        Ok(Self {
            cluster: crate::cluster::Cluster::postgres(pool.clone()),
            pools: Pools::Postgres(pool),
            place: place.into(),
        })
    }

    /// Which database this is, safe to log: never a password.
    pub fn place(&self) -> &str {
        &self.place
    }

    pub fn engine(&self) -> Engine {
        self.pool().engine()
    }

    /// Signals to the other instances sharing this store.
    pub fn cluster(&self) -> &crate::cluster::Cluster {
        &self.cluster
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pools {
            Pools::Sqlite { pool, .. } => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Pools::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .context("database migration failed")
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        crate::db::query("SELECT 1")
            .execute(self.pool())
            .await
            .context("database ping failed")?;
        Ok(())
    }

    /// SQLite's journal mode in force (`wal` for the embedded store); `None` on PostgreSQL.
    pub async fn journal_mode(&self) -> anyhow::Result<Option<String>> {
        match &self.pools {
            Pools::Sqlite { pool, .. } => {
                let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
                    .fetch_one(pool)
                    .await?;
                Ok(Some(mode.0))
            }
            Pools::Postgres(_) => Ok(None),
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { pool, writer } => {
                writer.close().await;
                pool.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }

    /// The pool every read and most writes run on.
    pub fn pool(&self) -> Db<'_> {
        Db::new(&self.pools, false)
    }

    /// Where busy write paths (the push outbox and dispatcher, benefit sweeps, the audit log)
    /// write. On SQLite it is one connection: SQLite admits one writer at a time and makes the
    /// others poll for the lock, sleeping up to 100 ms between tries; waiting for this
    /// connection instead is a FIFO queue that wakes the next writer the moment the last one
    /// commits (measured in BENCHMARKS.md, push). On PostgreSQL, which has row locks, it is
    /// the pool.
    pub fn writer(&self) -> Db<'_> {
        Db::new(&self.pools, true)
    }
}

/// The environment variable that points the test suite at a PostgreSQL database
/// (`.ci/run` sets it): each test then gets a schema of its own there.
pub const TEST_POSTGRES_ENV: &str = "TONGBAN_TEST_POSTGRES";

/// For tests: when [`TEST_POSTGRES_ENV`] names a PostgreSQL database, creates a schema of
/// its own in it and returns a URL whose connections work in that schema only; `None` when
/// the variable is unset (the tests then use SQLite). Schemas left by runs more than an hour
/// old are dropped first, so an interrupted run does not leave them behind for long.
pub async fn scratch_postgres() -> anyhow::Result<Option<String>> {
    let Ok(base) = std::env::var(TEST_POSTGRES_ENV) else {
        return Ok(None);
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut suffix = [0u8; 6];
    openssl::rand::rand_bytes(&mut suffix)?;
    let schema = format!("tbtest_{now}_{}", hex::encode(suffix));
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&base)
        .await
        .with_context(|| format!("cannot reach the test database named by {TEST_POSTGRES_ENV}"))?;
    let stale: Vec<String> = crate::db::query_scalar(
        "SELECT nspname::text FROM pg_namespace
         WHERE nspname LIKE 'tbtest\\_%' AND split_part(nspname, '_', 2)::bigint < $1",
    )
    .bind(i64::try_from(now).unwrap_or(i64::MAX) - 3600)
    .fetch_all(&pool)
    .await?;
    for old in stale {
        // Another test process may be dropping it too.
        let _ = crate::db::query(&format!("DROP SCHEMA IF EXISTS {old} CASCADE"))
            .execute(&pool)
            .await;
    }
    crate::db::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await?;
    pool.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    Ok(Some(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_database_is_named_without_its_user_or_password() {
        let options = PgConnectOptions::from_str(
            "postgres://tongban:s3cret-Pass@db.internal:6432/tongban?sslmode=require",
        )
        .expect("parses");
        let place = postgres_place(&options);
        assert_eq!(place, "postgres://db.internal:6432/tongban");
        assert!(!place.contains("s3cret") && !place.contains("tongban:"));
    }

    #[tokio::test]
    async fn an_embedded_database_is_named_by_its_url() {
        let dir = tempfile::tempdir().expect("dir");
        let mut config = Config::default();
        config.database.data_dir = dir.path().to_path_buf();
        let store = Store::open(&config).await.expect("opens");
        assert_eq!(store.place(), config.database_url());
    }
}
