//! The connection pool's parts: the manager that opens connections of the
//! configured backend, the health mark that checks connections after an
//! outage, and the pool settings.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use super::{DatabaseTarget, DbConnection, QueryStats};

/// How long after a connection error every checkout and return is checked.
pub(super) const SUSPECT_FOR: Duration = Duration::from_secs(30);

/// Whether the database failed lately. Normal traffic costs nothing extra;
/// after a connection error, connections are checked (`SELECT 1`) as they
/// leave and return to the pool for [`SUSPECT_FOR`], so the dead ones of an
/// outage are dropped and a restarted database serves the very next
/// request.
#[derive(Debug)]
pub(super) struct Health {
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

    pub(super) fn mark(&self) {
        let until = self.now_ms().saturating_add(SUSPECT_FOR.as_millis() as u64);
        self.suspect_until_ms
            .store(until, std::sync::atomic::Ordering::Relaxed);
    }

    pub(super) fn suspect(&self) -> bool {
        self.now_ms()
            < self
                .suspect_until_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Opens connections of the configured backend (never guessing from the
/// URL at connect time, so a PostgreSQL outage cannot create a stray file).
#[derive(Debug)]
pub(super) struct Manager {
    pub(super) target: DatabaseTarget,
    pub(super) stats: Arc<QueryStats>,
    pub(super) health: Arc<Health>,
    /// A standby's: every session read-only.
    pub(super) read_only: bool,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let mut conn = match &self.target {
            DatabaseTarget::Postgres(url) => {
                let mut c = DbConnection::Pg(PgConnection::establish(url)?);
                if self.read_only {
                    super::replicas::read_only(&mut c).map_err(|e| {
                        r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                            e.to_string(),
                        ))
                    })?;
                }
                c
            }
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
    /// PostgreSQL standbys for reads (`GRASSROOTS_READ_REPLICA_URLS`).
    pub read_replicas: Vec<DatabaseTarget>,
    /// How long after a write a session reads from the primary, whatever
    /// the standbys have replayed (then: only a standby that has).
    pub fresh_for: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 16,
            // How long a request waits for a connection before it answers
            // 503 SERVICE_UNAVAILABLE.
            connect_timeout: Duration::from_secs(3),
            slow_statement: None,
            read_replicas: Vec::new(),
            fresh_for: super::FRESH_FOR,
        }
    }
}
