//! Storage: one diesel connection type over SQLite and PostgreSQL, a pool,
//! embedded migrations, and a way to run blocking database work off the
//! async runtime.

pub mod ancestry;
pub mod commits;
pub mod models;
mod pool;
mod replicas;
pub mod schema;
mod schema_service;
mod search;
pub mod sort;
mod stats;
pub mod tallies;
pub mod transaction;
mod url;

use std::sync::{Arc, Mutex};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use self::pool::PoolOptions;
use self::pool::{Health, Manager};
pub use self::replicas::{ReplicaStatus, FRESH_FOR};
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
    /// Standbys for reads, if configured.
    replicas: Option<Arc<replicas::Replicas>>,
    /// Whose reads these are (see [`Db::for_session`]); `None` with
    /// `routed` false: every read goes to the primary.
    session: Option<i64>,
    routed: bool,
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
            read_only: false,
        };
        let replicas = match (&options.read_replicas[..], target) {
            ([], _) => None,
            (standbys, DatabaseTarget::Postgres(_)) => Some(Arc::new(replicas::Replicas::open(
                standbys,
                &stats,
                (options.max_connections, options.fresh_for),
            )?)),
            _ => {
                return Err(AppError::bad_input(
                    "GRASSROOTS_READ_REPLICA_URLS",
                    "read replicas need a PostgreSQL primary",
                ))
            }
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
            replicas,
            session: None,
            routed: false,
        })
    }

    /// This database for one API request of `session` (an account): its
    /// reads go to a standby when one is configured and has the session's
    /// own writes (see [`replicas`]); its writes are remembered for that.
    pub fn for_session(&self, session: Option<i64>) -> Db {
        Db {
            session,
            // Requests without an account (sign-ins) stay on the primary.
            routed: self.replicas.is_some() && session.is_some(),
            ..self.clone()
        }
    }

    /// Routed reads served by the primary and by each standby.
    pub fn replica_reads(&self) -> Option<(u64, Vec<u64>)> {
        self.replicas.as_ref().map(|r| r.reads())
    }

    /// Each standby's lag (for `/readyz`); `None` without standbys.
    pub async fn replica_status(&self) -> AppResult<Option<Vec<ReplicaStatus>>> {
        let Some(r) = self.replicas.clone() else {
            return Ok(None);
        };
        let primary = self.read(replicas::current_position).await?;
        tokio::task::spawn_blocking(move || r.status(primary.as_deref()))
            .await
            .map(Some)
            .map_err(|e| AppError::internal(format!("database task failed: {e}")))
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
            if let (Some(r), Some(session)) = (&self.replicas, self.session) {
                if let Ok(Some(lsn)) = replicas::current_position(conn) {
                    r.wrote(session, lsn);
                }
            }
        }
        result
    }

    /// [`Db::read`] for callers already off the runtime.
    pub fn read_blocking<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T>,
    {
        if let (true, Some(r)) = (self.routed, &self.replicas) {
            if let Some(mut standby) = r.checkout(self.session) {
                return f(&mut standby);
            }
        }
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
