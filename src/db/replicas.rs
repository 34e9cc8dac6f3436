//! Read replicas (PostgreSQL streaming replication): GraphQL reads go to
//! the standbys of `GRASSROOTS_READ_REPLICA_URLS`, round robin, and
//! everything else to the primary. A session that wrote reads its own
//! writes: for a while after a write (`PoolOptions::fresh_for`, by
//! default [`FRESH_FOR`]) its reads go to the primary;
//! later, a standby serves it only once that standby has replayed the
//! primary's WAL position recorded after the write, else the primary
//! does. A standby that fails is left alone for [`super::SUSPECT_FOR`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2;
use diesel::sql_types::{Double, Nullable, Text};
use diesel::RunQueryDsl;

use super::{DatabaseTarget, DbConnection, Health, Manager, QueryStats};
use crate::error::{AppError, AppResult};

/// How long after a write a session reads from the primary, by default,
/// whatever the standbys have replayed.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// How long a standby connection may take to open before the read goes to
/// the primary.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// The most sessions remembered with a write (the older half is forgotten
/// when full; a forgotten session may at worst read from a standby that is
/// a few milliseconds behind, long after `FRESH_FOR`).
const MAX_SESSIONS: usize = 100_000;

struct Standby {
    target: DatabaseTarget,
    pool: r2d2::Pool<Manager>,
    health: Arc<Health>,
    reads: AtomicU64,
}

/// The standbys, and where each session's last write left the primary.
pub struct Replicas {
    standbys: Vec<Standby>,
    next: AtomicUsize,
    /// Session (account id) → its last write.
    written: Mutex<HashMap<i64, Written>>,
    primary_reads: AtomicU64,
    fresh_for: Duration,
}

/// A session's last write: the primary's WAL position after it, when, and
/// the standbys (bits by index) seen to have replayed it, which need not
/// be asked again.
#[derive(Debug, Clone)]
struct Written {
    lsn: String,
    at: Instant,
    replayed_by: u64,
}

/// One standby's state, for `/readyz`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaStatus {
    /// The standby, without its password.
    pub url: String,
    pub reachable: bool,
    /// WAL bytes the standby has still to replay.
    pub lag_bytes: Option<u64>,
    /// Seconds since the last transaction it replayed was committed.
    pub replay_age_seconds: Option<f64>,
    /// Reads it served since the start.
    pub reads: u64,
}

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<Text>)]
    lsn: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct Replay {
    #[diesel(sql_type = Nullable<Text>)]
    lsn: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    age: Option<f64>,
}

/// `16/B374D848` → its byte position.
fn position(lsn: &str) -> Option<u64> {
    let (high, low) = lsn.split_once('/')?;
    Some((u64::from_str_radix(high, 16).ok()? << 32) + u64::from_str_radix(low, 16).ok()?)
}

/// The primary's current WAL position.
pub(super) fn current_position(conn: &mut DbConnection) -> AppResult<Option<String>> {
    let q = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn");
    let p: Position = crate::with_concrete_conn!(conn, |c| q.get_result(c))?;
    Ok(p.lsn)
}

impl Replicas {
    /// Pools for `targets` (PostgreSQL standbys), opened lazily: a standby
    /// down at start only sends reads to the primary.
    pub(super) fn open(
        targets: &[DatabaseTarget],
        stats: &Arc<QueryStats>,
        (max_connections, fresh_for): (u32, Duration),
    ) -> AppResult<Replicas> {
        let mut standbys = Vec::new();
        for target in targets {
            if !matches!(target, DatabaseTarget::Postgres(_)) {
                return Err(AppError::bad_input(
                    "GRASSROOTS_READ_REPLICA_URLS",
                    format!("{target} is not a PostgreSQL standby"),
                ));
            }
            let health = Arc::new(Health::default());
            let manager = Manager {
                target: target.clone(),
                stats: stats.clone(),
                health: health.clone(),
                read_only: true,
            };
            let pool = r2d2::Pool::builder()
                .max_size(max_connections)
                .min_idle(Some(0))
                .connection_timeout(CONNECT_TIMEOUT)
                .test_on_check_out(false)
                .build_unchecked(manager);
            standbys.push(Standby {
                target: target.clone(),
                pool,
                health,
                reads: AtomicU64::new(0),
            });
        }
        Ok(Replicas {
            standbys,
            next: AtomicUsize::new(0),
            written: Mutex::new(HashMap::new()),
            primary_reads: AtomicU64::new(0),
            fresh_for,
        })
    }

    /// Notes that `session` wrote, leaving the primary at `lsn`.
    pub(super) fn wrote(&self, session: i64, lsn: String) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if written.len() >= MAX_SESSIONS && !written.contains_key(&session) {
            // Once full, the older half goes at once (not one per write).
            let mut ages: Vec<Instant> = written.values().map(|w| w.at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            written.retain(|_, w| w.at > cut);
        }
        written.insert(
            session,
            Written {
                lsn,
                at: Instant::now(),
                replayed_by: 0,
            },
        );
    }

    /// A standby connection for a read by `session`, or `None`: the
    /// primary must answer (a fresh write, no standby up, or none caught
    /// up with the session's last write).
    pub(super) fn checkout(&self, session: Option<i64>) -> Option<r2d2::PooledConnection<Manager>> {
        let last = session.and_then(|s| {
            let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
            written.get(&s).cloned()
        });
        if last
            .as_ref()
            .is_some_and(|w| w.at.elapsed() < self.fresh_for)
        {
            return self.to_primary();
        }
        let n = self.standbys.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            let index = (start + i) % n;
            let standby = &self.standbys[index];
            if standby.health.suspect() {
                continue;
            }
            let Ok(mut conn) = standby.pool.get() else {
                standby.health.mark();
                continue;
            };
            let bit = 1u64.checked_shl(index as u32).unwrap_or(0);
            if let (Some(w), Some(s)) = (&last, session) {
                let known = w.replayed_by & bit != 0;
                match if known {
                    Ok(true)
                } else {
                    replayed(&mut conn, &w.lsn)
                } {
                    // This standby has the session's write: it is not asked
                    // again until the session writes anew.
                    Ok(true) => self.replayed(s, w.at, bit),
                    Ok(false) => continue,
                    Err(_) => {
                        standby.health.mark();
                        continue;
                    }
                }
            }
            standby.reads.fetch_add(1, Ordering::Relaxed);
            return Some(conn);
        }
        self.to_primary()
    }

    /// Notes that the standby `bit` (0 past the 64th: always asked)
    /// replayed `session`'s write made at `at` (not a later one).
    fn replayed(&self, session: i64, at: Instant, bit: u64) {
        if bit == 0 {
            return;
        }
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = written
            .get_mut(&session)
            .filter(|w| w.at == at && w.replayed_by & bit == 0)
        {
            w.replayed_by |= bit;
        }
    }

    fn to_primary(&self) -> Option<r2d2::PooledConnection<Manager>> {
        self.primary_reads.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Routed reads served by the primary and by each standby, since the start.
    pub fn reads(&self) -> (u64, Vec<u64>) {
        (
            self.primary_reads.load(Ordering::Relaxed),
            self.standbys
                .iter()
                .map(|s| s.reads.load(Ordering::Relaxed))
                .collect(),
        )
    }

    /// Each standby's lag behind `primary_lsn` (the primary's position now).
    pub(super) fn status(&self, primary_lsn: Option<&str>) -> Vec<ReplicaStatus> {
        self.standbys
            .iter()
            .map(|s| {
                let replay = s.pool.get().ok().and_then(|mut c| {
                    let q = diesel::sql_query(
                        "SELECT pg_last_wal_replay_lsn()::text AS lsn, \
                         CAST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS DOUBLE PRECISION) AS age",
                    );
                    crate::with_concrete_conn!(&mut *c, |c| q.get_result::<Replay>(c)).ok()
                });
                let lag = |r: &Replay| {
                    let at = position(r.lsn.as_deref()?)?;
                    Some(position(primary_lsn?)?.saturating_sub(at))
                };
                ReplicaStatus {
                    url: s.target.to_string(),
                    reachable: replay.is_some(),
                    lag_bytes: replay.as_ref().and_then(lag),
                    replay_age_seconds: replay.as_ref().and_then(|r| r.age),
                    reads: s.reads.load(Ordering::Relaxed),
                }
            })
            .collect()
    }
}

/// Whether the standby behind `conn` has replayed the primary's WAL up to
/// `lsn` (false for a server that is no standby).
fn replayed(conn: &mut DbConnection, lsn: &str) -> AppResult<bool> {
    if position(lsn).is_none() {
        return Ok(false);
    }
    // `lsn` came from the primary as `X/Y` in hexadecimal: checked above.
    let q = diesel::sql_query(format!(
        "SELECT CASE WHEN pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn THEN 'yes' ELSE 'no' END AS lsn"
    ));
    let p: Position = crate::with_concrete_conn!(conn, |c| q.get_result(c))?;
    Ok(p.lsn.as_deref() == Some("yes"))
}

/// Makes every session on a standby read-only, so a misconfigured
/// primary in the list is never written through.
pub(super) fn read_only(conn: &mut DbConnection) -> AppResult<()> {
    conn.batch_execute("SET default_transaction_read_only = on")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::position;

    #[test]
    fn wal_positions_parse() {
        assert_eq!(position("0/3000148"), Some(0x300_0148));
        assert_eq!(position("16/B374D848"), Some((0x16 << 32) + 0xB374_D848));
        assert_eq!(position("nope"), None);
        assert_eq!(position("1/zz"), None);
    }
}
