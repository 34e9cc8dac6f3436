//! Storage: one diesel connection type over SQLite and PostgreSQL, a pool,
//! embedded migrations, and a way to run blocking database work off the
//! async runtime.

pub mod ancestry;
pub mod commits;
pub mod models;
pub mod schema;
mod schema_service;
mod search;
pub mod sort;
mod stats;
pub mod tallies;
pub mod transaction;
mod url;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use self::search::{snapshot, trigram_candidates, trigram_phrase};
pub use self::stats::QueryStats;
pub use self::url::{Backend, DatabaseTarget};
use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written once against it run on
/// both; the few backend-specific statements match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection, for the few
/// statements (RETURNING, bulk inserts) the multi-backend does not build.
#[macro_export]
macro_rules! with_concrete_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// How long after a connection error every checkout and return is checked.
const SUSPECT_FOR: Duration = Duration::from_secs(30);

/// Whether the database failed lately. Normal traffic costs nothing extra;
/// after a connection error, connections are checked (`SELECT 1`) as they
/// leave and return to the pool for [`SUSPECT_FOR`], so the dead ones of an
/// outage are dropped and a restarted database serves the very next
/// request.
#[derive(Debug)]
struct Health {
    /// When the pool was made: `suspect_until_ms` counts from here.
    since: std::time::Instant,
    /// Milliseconds after `since` until which connections are checked; 0:
    /// never failed. An atomic, so the check costs no lock per checkout.
    suspect_until_ms: std::sync::atomic::AtomicU64,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            since: std::time::Instant::now(),
            suspect_until_ms: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl Health {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn mark(&self) {
        let until = self.now_ms().saturating_add(SUSPECT_FOR.as_millis() as u64);
        self.suspect_until_ms
            .store(until, std::sync::atomic::Ordering::Relaxed);
    }

    fn suspect(&self) -> bool {
        self.now_ms()
            < self
                .suspect_until_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Opens connections of the configured backend (never guessing from the
/// URL at connect time, so a PostgreSQL outage cannot create a stray file).
#[derive(Debug)]
struct Manager {
    target: DatabaseTarget,
    stats: Arc<QueryStats>,
    health: Arc<Health>,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let mut conn = match &self.target {
            DatabaseTarget::Postgres(url) => DbConnection::Pg(PgConnection::establish(url)?),
            DatabaseTarget::SqliteFile(path) => {
                let mut c = SqliteConnection::establish(path)?;
                c.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                DbConnection::Sqlite(c)
            }
            DatabaseTarget::SqliteMemory => {
                let mut c = SqliteConnection::establish(":memory:")?;
                c.batch_execute("PRAGMA foreign_keys = ON;")
                    .map_err(r2d2::Error::QueryError)?;
                DbConnection::Sqlite(c)
            }
        };
        conn.set_instrumentation(self.stats.instrument());
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
            || (self.health.suspect() && conn.batch_execute("SELECT 1").is_err())
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub connect_timeout: Duration,
    /// Statements slower than this are logged (`GRASSROOTS_SLOW_STATEMENT_MS`).
    pub slow_statement: Option<Duration>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 16,
            // How long a request waits for a connection before it answers
            // 503 SERVICE_UNAVAILABLE.
            connect_timeout: Duration::from_secs(3),
            slow_statement: None,
        }
    }
}

/// The database handle kept in app state: a pool plus what the server needs
/// to know about it. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite takes one writer at a time; writes queue here rather than
    /// fail with SQLITE_BUSY when a deferred transaction upgrades.
    write_lock: Arc<Mutex<()>>,
    stats: Arc<QueryStats>,
    health: Arc<Health>,
    max_connections: u32,
    /// Where committed writes are announced (live updates).
    commits: Arc<commits::Commits>,
}

impl Db {
    /// Opens the pool (and, for SQLite, creates the file).
    pub fn connect(target: &DatabaseTarget, options: &PoolOptions) -> AppResult<Db> {
        let stats = Arc::new(QueryStats::logging_slower_than(options.slow_statement));
        let health = Arc::new(Health::default());
        let manager = Manager {
            target: target.clone(),
            stats: stats.clone(),
            health: health.clone(),
        };
        let builder = r2d2::Pool::builder().connection_timeout(options.connect_timeout);
        let builder = match target {
            // One connection holds the whole in-memory database: keep it forever.
            DatabaseTarget::SqliteMemory => builder
                .max_size(1)
                .min_idle(Some(1))
                .idle_timeout(None)
                .max_lifetime(None)
                .test_on_check_out(false),
            // No `SELECT 1` before every checkout: it would double the
            // statements of a cheap request. After a connection error,
            // `Health` checks connections instead (see `Db::checkout`).
            _ => builder
                .max_size(options.max_connections)
                .min_idle(Some(1))
                .test_on_check_out(false),
        };
        let pool = builder
            .build(manager)
            .map_err(|e| AppError::Unavailable(format!("cannot open {target}: {e}")))?;
        Ok(Db {
            pool,
            backend: target.backend(),
            write_lock: Arc::new(Mutex::new(())),
            stats,
            health,
            max_connections: options.max_connections,
            commits: Arc::new(commits::Commits::new(target)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Statement counters of every connection of this pool.
    pub fn stats(&self) -> &QueryStats {
        &self.stats
    }

    /// The announcements of committed writes (see [`commits`]).
    pub fn commits(&self) -> &commits::Commits {
        &self.commits
    }

    /// (connections open, connections idle) for the metrics.
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    /// A pooled connection. While the database is suspect (a connection
    /// error lately), each is checked first and dead ones are dropped (the
    /// pool drops them on return), up to one try per pooled connection.
    fn checkout(&self) -> AppResult<r2d2::PooledConnection<Manager>> {
        for _ in 0..=self.max_connections {
            let mut conn = self.pool.get().inspect_err(|_| self.health.mark())?;
            if !self.health.suspect() || conn.batch_execute("SELECT 1").is_ok() {
                return Ok(conn);
            }
        }
        Err(AppError::Unavailable(
            "no live database connection".to_owned(),
        ))
    }

    /// Notes a connection-level failure of `result`.
    fn watch<T>(&self, result: AppResult<T>) -> AppResult<T> {
        if let Err(AppError::Unavailable(_)) = &result {
            self.health.mark();
        }
        result
    }

    /// Runs the embedded migrations of the backend; returns how many ran.
    pub fn migrate(&self) -> AppResult<usize> {
        let mut conn = self.pool.get()?;
        let applied = crate::with_concrete_conn!(&mut *conn, |c| {
            let migrations = match self.backend {
                Backend::Postgres => POSTGRES_MIGRATIONS,
                Backend::Sqlite => SQLITE_MIGRATIONS,
            };
            c.run_pending_migrations(migrations)
                .map(|v| v.len())
                .map_err(|e| AppError::internal(format!("migration failed: {e}")))
        })?;
        Ok(applied)
    }

    /// Runs read-only work on a pooled connection, on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(|e| AppError::internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in one transaction on the blocking pool: all of it is
    /// committed, or none of it. Tree writes lock the townships they touch
    /// (see [`Db::write_blocking`]); reads are never blocked.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(f))
            .await
            .map_err(|e| AppError::internal(format!("database task failed: {e}")))?
    }

    /// [`Db::write`] for callers already off the runtime (CLI, loaders).
    ///
    /// Tree writes read the ancestry they then write (a move rewrites a
    /// subtree computed from its new parent; a create copies its parent's
    /// ancestry), so two of them interleaving in one township could leave a
    /// stale ancestry behind. On SQLite writes are serialized by the
    /// one-writer lock. On PostgreSQL (several instances, one database) each
    /// tree write locks the townships it touches before it decides anything
    /// (the tree's `locks`, [`transaction::lock_townships`]), so writes in
    /// one township run one at a time and writes in different townships
    /// side by side.
    pub fn write_blocking<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T>,
    {
        self.transact(f)
    }

    /// A write that touches no tree ancestry (sessions, tokens): one
    /// transaction that locks no township, so sign-ins never wait for tree
    /// writes or each other on PostgreSQL.
    pub async fn write_rows<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.transact(f))
            .await
            .map_err(|e| AppError::internal(format!("database task failed: {e}")))?
    }

    fn transact<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T>,
    {
        let _serialized = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        let mut pooled = self.checkout()?;
        let conn: &mut DbConnection = &mut pooled;
        commits::begin();
        transaction::begin();
        let result = self.watch(conn.transaction(|conn| {
            let value = f(conn)?;
            transaction::before_commit_run(conn)?;
            Ok(value)
        }));
        transaction::finish();
        let recorded = commits::finish();
        if result.is_ok() {
            // Committed: only now may anyone hear of it.
            self.commits.announce(conn, recorded);
        }
        result
    }

    /// [`Db::read`] for callers already off the runtime.
    pub fn read_blocking<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T>,
    {
        let mut conn = self.checkout()?;
        self.watch(f(&mut conn))
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> AppResult<()> {
        self.read(|c| c.batch_execute("SELECT 1").map_err(AppError::from))
            .await
    }
}

impl From<diesel::r2d2::Error> for AppError {
    /// Opening or checking a connection failed: the database is unreachable.
    fn from(e: diesel::r2d2::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}
