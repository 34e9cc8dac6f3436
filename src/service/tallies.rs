//! The counters of grassroots work, kept in each write's transaction:
//! `work_tallies` per scope, month, metric and category (a year's rows use
//! month `yyyy00`); `volunteer_periods`, whose rows are the distinct active
//! volunteers per scope and period; `open_problems` per scope and due day
//! (and `open_problem_days`, their history); `cadre_duty_periods`, duties
//! per scope, period and cadre.
//! Each write changes its rows in one statement per table, in key order,
//! so two writes never wait for each other in opposite orders.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::tallies::{Place, DISTINCT_METRIC};
use crate::db::DbConnection;
use crate::error::AppResult;

/// Activities held, per team category.
pub const ACTIVITIES: &str = "activities";
/// Volunteer hours, in tenths, per team category.
pub const HOURS: &str = "hours";
/// Residents served, per team category.
pub const SERVED: &str = "served";
/// Participations (a person in an activity), per team category.
pub const PARTICIPATIONS: &str = "participations";
/// Distinct active volunteers (no category; months and years).
pub const VOLUNTEERS: &str = DISTINCT_METRIC;
/// Problems received, per problem category (by the month received).
pub const RECEIVED: &str = "received";
/// Problems resolved, per problem category (by the month resolved).
pub const RESOLVED: &str = "resolved";
/// Problems resolved never having been escalated, per problem category.
pub const IN_GRID: &str = "in_grid";
/// Escalations, per level escalated to.
pub const ESCALATED: &str = "escalated";
/// Problems closed, per problem category.
pub const CLOSED: &str = "closed";
/// Problems resolved, per whole hours taken (the category).
pub const RESOLVE_HOURS: &str = "resolve_hours";
/// Duties logged, per duty kind.
pub const DUTIES: &str = "duties";
/// Training sessions (no category).
pub const TRAININGS: &str = "trainings";
/// Trainees counted over sessions: person-times (人次).
pub const TRAINEES: &str = "trainees";
/// Villages with a figure for the year, per bracket (the category).
pub const VILLAGES: &str = "villages";
/// The year's total income in yuan.
pub const INCOME: &str = "income";
/// Villages weak the year before and not weak this year.
pub const LIFTED: &str = "lifted";

/// One counter change, for every scope of a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub month: i32,
    pub metric: &'static str,
    pub category: String,
    pub n: i64,
}

impl Count {
    pub fn new(month: i32, metric: &'static str, category: impl Into<String>, n: i64) -> Count {
        Count {
            month,
            metric,
            category: category.into(),
            n,
        }
    }
}

/// A text literal of our own vocabulary (metrics, enum names, numbers).
fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Adds `counts` to every scope of `place`.
pub fn add(conn: &mut DbConnection, place: Place, counts: &[Count]) -> AppResult<()> {
    add_at(conn, &place.scopes(), counts)
}

/// Adds `counts` to each of `scopes`, in one statement.
pub fn add_at(conn: &mut DbConnection, scopes: &[i64], counts: &[Count]) -> AppResult<()> {
    let mut rows: BTreeMap<(i64, i32, &str, &str), i64> = BTreeMap::new();
    for scope in scopes {
        for c in counts.iter().filter(|c| c.n != 0) {
            *rows
                .entry((*scope, c.month, c.metric, c.category.as_str()))
                .or_default() += c.n;
        }
    }
    write(conn, &rows)
}

/// Adds each row's figure to its counter, in one statement (keys ascend).
fn write(conn: &mut DbConnection, rows: &BTreeMap<(i64, i32, &str, &str), i64>) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = rows
        .iter()
        .map(|((s, m, metric, cat), n)| format!("({s}, {m}, {}, {}, {n})", text(metric), text(cat)))
        .collect();
    let statement = format!(
        "INSERT INTO work_tallies (scope_id, month, metric, category, n) VALUES {} \
         ON CONFLICT (scope_id, month, metric, category) DO UPDATE SET n = work_tallies.n + excluded.n",
        values.join(", ")
    );
    let q = diesel::sql_query(statement);
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    Ok(())
}

#[derive(QueryableByName)]
struct PeriodCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    scope_id: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    period: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `people` took part (`sign` 1) or no longer take part (-1) in one more
/// activity at `place` in each of `periods` (a month and its year): their
/// `volunteer_periods` rows change, and the distinct counts with them.
pub fn volunteers(
    conn: &mut DbConnection,
    place: Place,
    periods: &[i32],
    people: &[i64],
    sign: i64,
) -> AppResult<()> {
    if people.is_empty() {
        return Ok(());
    }
    let scopes = place.scopes();
    let list = |xs: &[i64]| xs.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let periods_list = periods
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let of = format!(
        "scope_id IN ({}) AND period IN ({periods_list}) AND person_id IN ({})",
        list(&scopes),
        list(people)
    );
    let mut counts = Vec::new();
    if sign > 0 {
        // Those already active there are not new.
        let q = diesel::sql_query(format!(
            "SELECT scope_id, period, COUNT(*) AS n FROM volunteer_periods WHERE {of} \
             GROUP BY scope_id, period"
        ));
        let had: Vec<PeriodCount> = crate::with_concrete_conn!(conn, |c| q.load(c))?;
        let mut rows = Vec::new();
        for scope in &scopes {
            for period in periods {
                let before = had
                    .iter()
                    .find(|h| h.scope_id == *scope && h.period == *period)
                    .map_or(0, |h| h.n);
                counts.push((*scope, *period, people.len() as i64 - before));
                rows.extend(
                    people
                        .iter()
                        .map(|p| format!("({scope}, {period}, {p}, 1)")),
                );
            }
        }
        let q = diesel::sql_query(format!(
            "INSERT INTO volunteer_periods (scope_id, period, person_id, n) VALUES {} \
             ON CONFLICT (scope_id, period, person_id) DO UPDATE SET n = volunteer_periods.n + 1",
            rows.join(", ")
        ));
        crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    } else {
        let q = diesel::sql_query(format!("UPDATE volunteer_periods SET n = n - 1 WHERE {of}"));
        crate::with_concrete_conn!(conn, |c| q.execute(c))?;
        let q = diesel::sql_query(format!(
            "SELECT scope_id, period, COUNT(*) AS n FROM volunteer_periods WHERE {of} AND n = 0 \
             GROUP BY scope_id, period"
        ));
        let gone: Vec<PeriodCount> = crate::with_concrete_conn!(conn, |c| q.load(c))?;
        counts.extend(gone.iter().map(|g| (g.scope_id, g.period, -g.n)));
        let q = diesel::sql_query(format!(
            "DELETE FROM volunteer_periods WHERE {of} AND n = 0"
        ));
        crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    }
    let rows = counts
        .into_iter()
        .filter(|c| c.2 != 0)
        .map(|(scope, period, n)| ((scope, period, VOLUNTEERS, ""), n))
        .collect();
    write(conn, &rows)
}

/// One more (`n` 1) or one fewer (-1) open problem due on `due_on` at
/// every scope of `place`, from `day` on: today's sums and the history.
pub fn open_problem(
    conn: &mut DbConnection,
    place: Place,
    day: NaiveDate,
    due_on: NaiveDate,
    n: i64,
) -> AppResult<()> {
    let (day, due) = (day.format("%Y-%m-%d"), due_on.format("%Y-%m-%d"));
    let scopes = place.scopes();
    let now: Vec<String> = scopes
        .iter()
        .map(|s| format!("({s}, '{due}', {n})"))
        .collect();
    let dated: Vec<String> = scopes
        .iter()
        .map(|s| format!("({s}, '{day}', '{due}', {n})"))
        .collect();
    let q = diesel::sql_query(format!(
        "INSERT INTO open_problems (scope_id, due_on, n) VALUES {} \
         ON CONFLICT (scope_id, due_on) DO UPDATE SET n = open_problems.n + excluded.n",
        now.join(", ")
    ));
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    let q = diesel::sql_query(format!(
        "INSERT INTO open_problem_days (scope_id, day, due_on, n) VALUES {} \
         ON CONFLICT (scope_id, day, due_on) DO UPDATE SET n = open_problem_days.n + excluded.n",
        dated.join(", ")
    ));
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    Ok(())
}

/// One more duty by `person` at every scope of `place`, in `month` and
/// its year.
pub fn cadre_duty(conn: &mut DbConnection, place: Place, month: i32, person: i64) -> AppResult<()> {
    let rows: Vec<String> = place
        .scopes()
        .iter()
        .flat_map(|s| [month / 100 * 100, month].map(|p| format!("({s}, {p}, {person}, 1)")))
        .collect();
    let q = diesel::sql_query(format!(
        "INSERT INTO cadre_duty_periods (scope_id, period, person_id, n) VALUES {} \
         ON CONFLICT (scope_id, period, person_id) DO UPDATE SET n = cadre_duty_periods.n + 1",
        rows.join(", ")
    ));
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    Ok(())
}
