//! One query interface over the two stores: SQLite, the embedded default, and PostgreSQL, the
//! scale-out store (decision 0006). A query is written once with `$1, $2, …` placeholders, which
//! both engines read; its arguments are kept as plain values ([`Arg`]) and bound to the engine
//! the [`Db`] handle points at when it runs. Rows decode with sqlx's own `FromRow` and `Decode`
//! for either engine, so a type that reads from one reads from the other.
//!
//! Why not `sqlx::Any`: it decodes only what every engine shares and refuses SQLite's `BOOLEAN`,
//! and it cannot run SQLite's `BEGIN IMMEDIATE`. Why not generic functions over
//! `sqlx::Database`: every query would carry a dozen higher-ranked bounds, and each would be
//! compiled twice on a two-core build machine. Here the domain code is compiled once and only
//! the handful of generic runners below exist per engine.
//!
//! Where the dialects differ, portable forms come first (`CAST(x AS BIGINT)`, `CASE` for
//! SQLite's two-argument `MAX`); a batch bound as one JSON array reads through [`json_rows`] or
//! [`json_texts`]; otherwise the caller picks between two texts with [`Db::sql`].

use std::marker::PhantomData;

use sqlx::{
    Arguments, Decode, FromRow, Postgres, Sqlite, Type,
    postgres::{PgArguments, PgPool, PgRow},
    sqlite::{SqliteArguments, SqlitePool, SqliteRow},
};

/// The engines a [`Db`] can point at.
#[derive(Debug, Clone)]
pub(crate) enum Pools {
    /// Reads from a pool; the writes that queue go through `writer`, a pool of one connection.
    Sqlite {
        pool: SqlitePool,
        writer: SqlitePool,
    },
    Postgres(PgPool),
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle to run queries on: the store's pool, or for SQLite its one writing connection.
#[derive(Debug, Clone, Copy)]
pub struct Db<'a> {
    pools: &'a Pools,
    writer: bool,
}

impl<'a> Db<'a> {
    pub(crate) fn new(pools: &'a Pools, writer: bool) -> Self {
        Self { pools, writer }
    }

    pub fn engine(&self) -> Engine {
        match self.pools {
            Pools::Sqlite { .. } => Engine::Sqlite,
            Pools::Postgres(_) => Engine::Postgres,
        }
    }

    /// The text for this engine, where the two dialects need different statements.
    pub fn sql<'q>(&self, sqlite: &'q str, postgres: &'q str) -> &'q str {
        match self.engine() {
            Engine::Sqlite => sqlite,
            Engine::Postgres => postgres,
        }
    }

    /// A transaction that only reads, or writes without reading first.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self.pools {
            Pools::Sqlite { pool, writer } => Tx::Sqlite(self.sqlite(pool, writer).begin().await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that reads and then writes what it read, as if it ran alone: SQLite takes
    /// its write lock at `BEGIN IMMEDIATE` (a deferred transaction that reads first can fail to
    /// upgrade its lock); PostgreSQL runs it `SERIALIZABLE`. PostgreSQL may then abort it for a
    /// concurrent conflict (`40001`): run such work through [`transaction!`], which runs it again.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self.pools {
            Pools::Sqlite { pool, writer } => Tx::Sqlite(
                self.sqlite(pool, writer)
                    .begin_with("BEGIN IMMEDIATE")
                    .await?,
            ),
            Pools::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    .await?,
            ),
        })
    }

    fn target(self) -> Target<'a> {
        match self.pools {
            Pools::Sqlite { pool, writer } => Target::SqlitePool(self.sqlite(pool, writer)),
            Pools::Postgres(pool) => Target::PgPool(pool),
        }
    }

    /// SQLite's writing connection for a writer handle, its pool otherwise.
    fn sqlite(&self, pool: &'a SqlitePool, writer: &'a SqlitePool) -> &'a SqlitePool {
        if self.writer { writer } else { pool }
    }
}

/// Runs a block of database work in a [`Db::begin_write`] transaction and commits it; when
/// PostgreSQL aborts it for a serialization conflict or a deadlock (`40001`, `40P01`, at any
/// statement or at commit), the transaction is rolled back and the block runs again from the
/// start, up to [`WRITE_ATTEMPTS`] times, after a short random pause. SQLite never aborts this
/// way: its writes queue for one connection.
///
/// ```ignore
/// let moved = crate::db::transaction!(store.writer(), |tx| {
///     let row = crate::db::query("…").bind(id).fetch_one(&mut *tx).await?;
///     crate::db::query("…").execute(&mut *tx).await?;
///     Ok(row.get::<i64>("n"))
/// })
/// .await?;
/// ```
///
/// The block must do nothing but database work it can repeat (counters, caches and calls to
/// other services go after it), and it is the body of an `async` block: `?` and `return` leave
/// the block, and a value returned commits. A macro rather than a function taking an async
/// closure: a future holding such a closure's borrow of the transaction cannot yet be proven
/// `Send` for every lifetime, which `tokio::spawn` needs.
macro_rules! transaction {
    ($db:expr, |$tx:ident| $body:block) => {
        async {
            let db: $crate::db::Db<'_> = $db;
            let mut attempt = 1u32;
            loop {
                let done = async {
                    let mut tx = db.begin_write().await?;
                    let value = $crate::db::work(async {
                        let $tx = &mut tx;
                        $body
                    })
                    .await?;
                    tx.commit().await?;
                    Ok(value)
                };
                match $crate::db::work(done).await {
                    Err(err) if $crate::db::again(&err, attempt).await => attempt += 1,
                    done => break done,
                }
            }
        }
    };
}
pub(crate) use transaction;

/// Types the block of [`transaction!`] as database work (its `?` then converts to `anyhow`).
pub fn work<T>(
    block: impl Future<Output = anyhow::Result<T>>,
) -> impl Future<Output = anyhow::Result<T>> {
    block
}

/// Whether work that failed with `err` on attempt `attempt` runs again, after the pause.
pub async fn again(err: &anyhow::Error, attempt: u32) -> bool {
    if attempt >= WRITE_ATTEMPTS || !is_conflict(err) {
        return false;
    }
    tracing::debug!(attempt, error = %err, "store: transaction conflicted, running it again");
    tokio::time::sleep(conflict_pause(attempt)).await;
    true
}

/// How many times [`transaction!`] runs work PostgreSQL keeps aborting for conflicts.
pub const WRITE_ATTEMPTS: u32 = 8;

/// Whether an error comes from PostgreSQL aborting a transaction so it can be run again:
/// a serialization failure (`40001`) or a deadlock (`40P01`).
pub fn is_conflict(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|e| e.code())
            .is_some_and(|code| code == "40001" || code == "40P01")
    })
}

/// A random pause before attempt `attempt + 1`, growing from about 1 ms to about 64 ms, so
/// that transactions that conflicted do not meet again in step.
fn conflict_pause(attempt: u32) -> std::time::Duration {
    use std::hash::BuildHasher;
    let ceiling_us = 1000u64 << attempt.min(6);
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    std::time::Duration::from_micros(ceiling_us / 2 + random % (ceiling_us / 2 + 1))
}

/// A JSON array bound as parameter `param` (`"$2"`), as a table of rows named `value`, each an
/// array whose items read as `value ->> 0`, `value ->> 1`, … (text; `CAST` them for numbers).
/// One parameter carries a whole batch, and the statement's text stays the same whatever its
/// size, so each engine prepares it once.
pub fn json_rows(engine: Engine, param: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_each({param})"),
        Engine::Postgres => format!("jsonb_array_elements({param}::jsonb)"),
    }
}

/// A JSON array of strings bound as parameter `param`, as a table of one text column, `value`
/// (for `IN (SELECT value FROM …)`).
pub fn json_texts(engine: Engine, param: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_each({param})"),
        Engine::Postgres => format!("jsonb_array_elements_text({param}::jsonb)"),
    }
}

/// A transaction on either engine. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Where a query runs: a pool, or an open transaction.
pub enum Target<'c> {
    SqlitePool(&'c SqlitePool),
    SqliteTx(&'c mut sqlx::SqliteConnection),
    PgPool(&'c PgPool),
    PgTx(&'c mut sqlx::PgConnection),
}

impl<'c> From<&'c SqlitePool> for Target<'c> {
    fn from(pool: &'c SqlitePool) -> Self {
        Target::SqlitePool(pool)
    }
}

impl<'c> From<&'c PgPool> for Target<'c> {
    fn from(pool: &'c PgPool) -> Self {
        Target::PgPool(pool)
    }
}

impl<'c> From<Db<'c>> for Target<'c> {
    fn from(db: Db<'c>) -> Self {
        db.target()
    }
}

impl<'c> From<&Db<'c>> for Target<'c> {
    fn from(db: &Db<'c>) -> Self {
        db.target()
    }
}

impl<'c> From<&'c mut Tx> for Target<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        match tx {
            Tx::Sqlite(tx) => Target::SqliteTx(tx),
            Tx::Postgres(tx) => Target::PgTx(tx),
        }
    }
}

/// What a bound `NULL` stands for: PostgreSQL types every parameter.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Int,
    Float,
    Text,
}

/// One query argument, kept until the query knows its engine.
#[derive(Debug, Clone)]
pub enum Arg {
    Null(Kind),
    Int(i64),
    Float(f64),
    Text(String),
}

/// A value that binds as a query argument.
pub trait Bind {
    const KIND: Kind;
    fn into_arg(self) -> Arg;
}

macro_rules! bind_int {
    ($($t:ty),*) => {$(
        impl Bind for $t {
            const KIND: Kind = Kind::Int;
            fn into_arg(self) -> Arg {
                Arg::Int(i64::from(self))
            }
        }
    )*};
}
bind_int!(i64, i32, u32, i16, u16, u8);

/// Flags are `0`/`1` integers in both schemas (SQLite has no boolean type), so a
/// `bool` binds as one: PostgreSQL would not compare a `boolean` with a `BIGINT`.
impl Bind for bool {
    const KIND: Kind = Kind::Int;
    fn into_arg(self) -> Arg {
        Arg::Int(i64::from(self))
    }
}

impl Bind for f64 {
    const KIND: Kind = Kind::Float;
    fn into_arg(self) -> Arg {
        Arg::Float(self)
    }
}

impl Bind for String {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg {
        Arg::Text(self)
    }
}

impl Bind for &str {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_owned())
    }
}

impl Bind for &String {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg {
        Arg::Text(self.clone())
    }
}

impl Bind for &&str {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg {
        Arg::Text((*self).to_owned())
    }
}

impl<T: Bind> Bind for Option<T> {
    const KIND: Kind = T::KIND;
    fn into_arg(self) -> Arg {
        match self {
            Some(value) => value.into_arg(),
            None => Arg::Null(T::KIND),
        }
    }
}

impl<T: Bind + Clone> Bind for &Option<T> {
    const KIND: Kind = T::KIND;
    fn into_arg(self) -> Arg {
        self.clone().into_arg()
    }
}

fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments<'static>, sqlx::Error> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Null(_) => out.add(Option::<i64>::None),
            Arg::Int(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Text(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

fn pg_args(args: Vec<Arg>) -> Result<PgArguments, sqlx::Error> {
    let mut out = PgArguments::default();
    for arg in args {
        match arg {
            Arg::Null(Kind::Int) => out.add(Option::<i64>::None),
            Arg::Null(Kind::Float) => out.add(Option::<f64>::None),
            Arg::Null(Kind::Text) => out.add(Option::<String>::None),
            Arg::Int(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Text(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

/// A value that decodes from a column of either engine.
pub trait Value:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}

impl<T> Value for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// A record that decodes from a row of either engine (`#[derive(sqlx::FromRow)]`, tuples).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A row of either engine, read by column name.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub fn try_get<T: Value>(&self, column: &str) -> Result<T, sqlx::Error> {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(row) => row.try_get(column),
            Row::Postgres(row) => row.try_get(column),
        }
    }

    /// The column's value; panics when the column is missing or of another type, which is a
    /// mistake in the query next to it (as with `sqlx::Row::get`).
    pub fn get<T: Value>(&self, column: &str) -> T {
        self.try_get(column)
            .unwrap_or_else(|err| panic!("column {column}: {err}"))
    }
}

/// What an `INSERT`, `UPDATE` or `DELETE` did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement and its arguments.
#[must_use = "a query does nothing until it runs"]
pub struct Query<'q, O = ()> {
    sql: &'q str,
    args: Vec<Arg>,
    out: PhantomData<fn() -> O>,
}

/// A statement whose rows are read by column name ([`Row`]) or only counted.
pub fn query(sql: &str) -> Query<'_, ()> {
    Query {
        sql,
        args: Vec::new(),
        out: PhantomData,
    }
}

/// A statement whose rows decode as `T`.
pub fn query_as<T: Record>(sql: &str) -> Query<'_, As<T>> {
    Query {
        sql,
        args: Vec::new(),
        out: PhantomData,
    }
}

/// A statement whose rows' first column decodes as `T`.
pub fn query_scalar<T: Value>(sql: &str) -> Query<'_, Scalar<T>> {
    Query {
        sql,
        args: Vec::new(),
        out: PhantomData,
    }
}

/// Marker: rows decode as `T` ([`query_as`]).
pub struct As<T>(PhantomData<T>);
/// Marker: the first column decodes as `T` ([`query_scalar`]).
pub struct Scalar<T>(PhantomData<T>);

impl<'q, O> Query<'q, O> {
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// Runs the statement; what it changed.
    pub async fn execute<'c>(self, on: impl Into<Target<'c>>) -> Result<Done, sqlx::Error> {
        let rows_affected = match on.into() {
            Target::SqlitePool(pool) => sqlx::query_with(self.sql, sqlite_args(self.args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            Target::SqliteTx(conn) => sqlx::query_with(self.sql, sqlite_args(self.args)?)
                .execute(conn)
                .await?
                .rows_affected(),
            Target::PgPool(pool) => sqlx::query_with(self.sql, pg_args(self.args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            Target::PgTx(conn) => sqlx::query_with(self.sql, pg_args(self.args)?)
                .execute(conn)
                .await?
                .rows_affected(),
        };
        Ok(Done { rows_affected })
    }
}

/// The three ways of reading rows, written once for each kind of query.
macro_rules! fetchers {
    ($out:ty, [$($gen:tt)*], $sqlite:expr, $pg:expr, $item:ty) => {
        impl<'q, $($gen)*> Query<'q, $out> {
            pub async fn fetch_all<'c>(self, on: impl Into<Target<'c>>) -> Result<Vec<$item>, sqlx::Error> {
                match on.into() {
                    Target::SqlitePool(pool) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_all(pool).await,
                    Target::SqliteTx(conn) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_all(conn).await,
                    Target::PgPool(pool) => $pg(self.sql, pg_args(self.args)?).fetch_all(pool).await,
                    Target::PgTx(conn) => $pg(self.sql, pg_args(self.args)?).fetch_all(conn).await,
                }
            }

            pub async fn fetch_optional<'c>(self, on: impl Into<Target<'c>>) -> Result<Option<$item>, sqlx::Error> {
                match on.into() {
                    Target::SqlitePool(pool) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_optional(pool).await,
                    Target::SqliteTx(conn) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_optional(conn).await,
                    Target::PgPool(pool) => $pg(self.sql, pg_args(self.args)?).fetch_optional(pool).await,
                    Target::PgTx(conn) => $pg(self.sql, pg_args(self.args)?).fetch_optional(conn).await,
                }
            }

            pub async fn fetch_one<'c>(self, on: impl Into<Target<'c>>) -> Result<$item, sqlx::Error> {
                match on.into() {
                    Target::SqlitePool(pool) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_one(pool).await,
                    Target::SqliteTx(conn) => $sqlite(self.sql, sqlite_args(self.args)?).fetch_one(conn).await,
                    Target::PgPool(pool) => $pg(self.sql, pg_args(self.args)?).fetch_one(pool).await,
                    Target::PgTx(conn) => $pg(self.sql, pg_args(self.args)?).fetch_one(conn).await,
                }
            }
        }
    };
}

fetchers!(
    As<T>,
    [T: Record],
    sqlx::query_as_with::<Sqlite, T, _>,
    sqlx::query_as_with::<Postgres, T, _>,
    T
);
fetchers!(
    Scalar<T>,
    [T: Value],
    sqlx::query_scalar_with::<Sqlite, T, _>,
    sqlx::query_scalar_with::<Postgres, T, _>,
    T
);

/// Rows read by column name: each engine's row, wrapped.
impl Query<'_, ()> {
    pub async fn fetch_all<'c>(self, on: impl Into<Target<'c>>) -> Result<Vec<Row>, sqlx::Error> {
        Ok(match on.into() {
            Target::SqlitePool(pool) => wrap(
                sqlx::query_with(self.sql, sqlite_args(self.args)?)
                    .fetch_all(pool)
                    .await?,
                Row::Sqlite,
            ),
            Target::SqliteTx(conn) => wrap(
                sqlx::query_with(self.sql, sqlite_args(self.args)?)
                    .fetch_all(conn)
                    .await?,
                Row::Sqlite,
            ),
            Target::PgPool(pool) => wrap(
                sqlx::query_with(self.sql, pg_args(self.args)?)
                    .fetch_all(pool)
                    .await?,
                Row::Postgres,
            ),
            Target::PgTx(conn) => wrap(
                sqlx::query_with(self.sql, pg_args(self.args)?)
                    .fetch_all(conn)
                    .await?,
                Row::Postgres,
            ),
        })
    }

    pub async fn fetch_optional<'c>(
        self,
        on: impl Into<Target<'c>>,
    ) -> Result<Option<Row>, sqlx::Error> {
        Ok(match on.into() {
            Target::SqlitePool(pool) => sqlx::query_with(self.sql, sqlite_args(self.args)?)
                .fetch_optional(pool)
                .await?
                .map(Row::Sqlite),
            Target::SqliteTx(conn) => sqlx::query_with(self.sql, sqlite_args(self.args)?)
                .fetch_optional(conn)
                .await?
                .map(Row::Sqlite),
            Target::PgPool(pool) => sqlx::query_with(self.sql, pg_args(self.args)?)
                .fetch_optional(pool)
                .await?
                .map(Row::Postgres),
            Target::PgTx(conn) => sqlx::query_with(self.sql, pg_args(self.args)?)
                .fetch_optional(conn)
                .await?
                .map(Row::Postgres),
        })
    }

    pub async fn fetch_one<'c>(self, on: impl Into<Target<'c>>) -> Result<Row, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

fn wrap<R>(rows: Vec<R>, into: fn(R) -> Row) -> Vec<Row> {
    rows.into_iter().map(into).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{config::Config, store::Store};

    async fn sqlite() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.database.data_dir = dir.path().to_path_buf();
        let store = Store::open(&config).await.expect("store");
        query("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER)")
            .execute(store.writer())
            .await
            .expect("table");
        (store, dir)
    }

    /// `$n` names the n-th bound argument wherever it stands, and may stand twice; a `None`
    /// binds as NULL.
    #[tokio::test]
    async fn placeholders_name_arguments_by_number() {
        let (store, _dir) = sqlite().await;
        let done = query("INSERT INTO t (id, a, b, c) VALUES ($3, $1, $2, $2)")
            .bind("x")
            .bind(Some(7_i64))
            .bind(1_i64)
            .execute(store.writer())
            .await
            .expect("insert");
        assert_eq!(done.rows_affected(), 1);
        query("INSERT INTO t (id, a, b, c) VALUES ($1, $2, $3, $3)")
            .bind(2_i64)
            .bind(Option::<String>::None)
            .bind(Option::<i64>::None)
            .execute(store.writer())
            .await
            .expect("insert nulls");
        type T = (i64, Option<String>, Option<i64>, Option<i64>);
        let rows: Vec<T> = query_as("SELECT id, a, b, c FROM t ORDER BY id")
            .fetch_all(store.pool())
            .await
            .expect("rows");
        assert_eq!(
            rows,
            [
                (1, Some("x".into()), Some(7), Some(7)),
                (2, None, None, None)
            ]
        );
        let row = query("SELECT a FROM t WHERE id = $1")
            .bind(1_i64)
            .fetch_one(store.pool())
            .await
            .expect("row");
        assert_eq!(row.get::<String>("a"), "x");
        assert!(row.try_get::<String>("missing").is_err());
    }

    /// A transaction's writes are seen after `commit` and gone when it is dropped without one.
    #[tokio::test]
    async fn a_transaction_commits_or_rolls_back() {
        let (store, _dir) = sqlite().await;
        for (id, commit) in [(1_i64, true), (2, false)] {
            let mut tx = store.writer().begin_write().await.expect("begin");
            query("INSERT INTO t (id) VALUES ($1)")
                .bind(id)
                .execute(&mut tx)
                .await
                .expect("insert");
            if commit {
                tx.commit().await.expect("commit");
            }
        }
        let ids: Vec<i64> = query_scalar("SELECT id FROM t")
            .fetch_all(store.pool())
            .await
            .expect("ids");
        assert_eq!(ids, [1]);
    }

    /// A batch bound as one JSON array reads as rows on SQLite.
    #[tokio::test]
    async fn a_json_batch_reads_as_rows() {
        let (store, _dir) = sqlite().await;
        let engine = store.engine();
        let sql = format!(
            "INSERT INTO t (id, a) SELECT CAST(v.value ->> 0 AS BIGINT), v.value ->> 1 FROM {} AS v",
            json_rows(engine, "$1")
        );
        query(&sql)
            .bind(r#"[[1, "x"], [2, "y"]]"#)
            .execute(store.writer())
            .await
            .expect("insert");
        let sql = format!(
            "SELECT a FROM t WHERE a IN (SELECT value FROM {}) ORDER BY a",
            json_texts(engine, "$1")
        );
        let found: Vec<String> = query_scalar(&sql)
            .bind(r#"["y", "z"]"#)
            .fetch_all(store.pool())
            .await
            .expect("select");
        assert_eq!(found, ["y"]);
    }
}
