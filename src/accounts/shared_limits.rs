//! Sign-in limits shared by every instance on one PostgreSQL database, so
//! that ten wrong passwords are ten whichever instances they reach. Each
//! key (see `LoginLimiter::shared_keys`) keeps a theoretical arrival time
//! in `login_limits` and one statement decides an attempt (GCRA, the
//! algorithm of the in-memory limits): allowed while the key's next
//! arrival, one period later, lies no more than the burst ahead of the
//! database's clock. The in-memory limits still come first (the global
//! ceiling per instance, and no database round trip for a flood). On
//! SQLite, one instance, the in-memory limits are the whole story.

use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;

use super::limiter::LoginLimiter;
use crate::db::DbConnection;
use crate::error::AppResult;

/// One attempt in this many also drops the keys whose limits have fully
/// refilled.
const PRUNE_EVERY: u64 = 256;

#[derive(diesel::QueryableByName)]
struct Allowed {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    key: i64,
}

/// Counts an attempt against the shared limits; `RATE_LIMITED` past any.
pub fn attempt(
    conn: &mut DbConnection,
    limiter: &LoginLimiter,
    username: &str,
    client: &str,
) -> AppResult<()> {
    let DbConnection::Pg(pg) = conn else {
        return Ok(());
    };
    for (key, burst, window) in limiter.shared_keys(username, client) {
        let period = i64::try_from((window / burst.max(1)).as_micros())
            .unwrap_or(i64::MAX)
            .max(1);
        let q = diesel::sql_query(
            "WITH clock AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS now) \
             INSERT INTO login_limits (key, tat) SELECT $1, clock.now + $2 FROM clock \
             ON CONFLICT (key) DO UPDATE SET tat = GREATEST(login_limits.tat, excluded.tat - $2) + $2 \
             WHERE GREATEST(login_limits.tat, excluded.tat - $2) + $2 <= excluded.tat - $2 + $3 \
             RETURNING key",
        )
        .bind::<BigInt, _>(key)
        .bind::<BigInt, _>(period)
        .bind::<BigInt, _>(period.saturating_mul(i64::from(burst)));
        let allowed: Vec<Allowed> = q.load(pg)?;
        if allowed.is_empty() {
            return Err(limiter.refusal());
        }
    }
    if limiter.count_shared_attempt() % PRUNE_EVERY == 0 {
        diesel::sql_query(
            "DELETE FROM login_limits \
             WHERE tat < CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
        )
        .execute(pg)?;
    }
    Ok(())
}
