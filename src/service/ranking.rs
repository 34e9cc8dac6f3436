//! Cadres ranked by the duties they logged within a scope and period
//! (duties per cadre, the seed's 联点包片 and 坐班接访 made visible), read
//! from `cadre_duty_periods`: one index range for one scope and a month
//! or a calendar year, else a sum over the months.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::DbConnection;
use crate::domain::service::{year_key, Months};
use crate::error::AppResult;

/// The most cadres one ranking returns.
pub const MAX_RANKED: i64 = 100;

/// A cadre and the duties they logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct CadreDuties {
    #[diesel(sql_type = BigInt)]
    pub person_id: i64,
    #[diesel(sql_type = BigInt)]
    pub duties: i64,
}

/// The `limit` cadres with the most duties at or beneath `scopes`
/// (disjoint) in `months`: most first, then by person id.
pub fn cadre_duties(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
    limit: i64,
) -> AppResult<Vec<CadreDuties>> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = scopes.iter().map(i64::to_string).collect();
    let period = months.single().or(months.whole_year().map(year_key));
    let statement = match (scopes, period) {
        ([scope], Some(p)) => format!(
            "SELECT person_id, n AS duties FROM cadre_duty_periods \
             WHERE scope_id = {scope} AND period = {p} AND n > 0 \
             ORDER BY n DESC, person_id LIMIT {limit}"
        ),
        _ => {
            let periods = match period {
                Some(p) => format!("period = {p}"),
                None => format!(
                    "period BETWEEN {} AND {} AND period % 100 <> 0",
                    months.first, months.last
                ),
            };
            format!(
                "SELECT person_id, CAST(SUM(n) AS BIGINT) AS duties FROM cadre_duty_periods \
                 WHERE scope_id IN ({}) AND {periods} GROUP BY person_id HAVING SUM(n) > 0 \
                 ORDER BY 2 DESC, person_id LIMIT {limit}",
                list.join(", ")
            )
        }
    };
    let q = diesel::sql_query(statement);
    Ok(crate::with_concrete_conn!(conn, |c| q.load(c))?)
}
