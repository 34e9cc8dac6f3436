//! Summaries of grassroots work within a scope and period, added up from
//! the counters (`tallies`): service, problems, duties and training per
//! month, the economy per year. A scoped viewer without `under` gets the
//! sum over its outermost scopes (they are disjoint); distinct volunteers
//! over several scopes are counted once.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::tallies::*;
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::schema::open_problem_days::dsl as opd;
use crate::db::schema::volunteer_periods::dsl as vp;
use crate::db::schema::work_tallies::dsl as wt;
use crate::db::tallies::REGION;
use crate::db::DbConnection;
use crate::domain::service::{lower_median, year_key, Months};
use crate::error::AppResult;

/// The scopes a summary adds up: `under`, or the region, or the viewer's
/// outermost scope units.
pub fn scopes_seen(visibility: &Visibility, under: Option<UnitRef>) -> Vec<i64> {
    match (under, visibility) {
        (Some(u), _) => vec![u.id],
        (None, Visibility::Everything) => vec![REGION],
        (None, Visibility::Units(units)) => units.iter().map(|u| u.id).collect(),
        (None, Visibility::Nothing) => Vec::new(),
    }
}

/// Counters of `metrics` summed over `scopes` and the months `from..=to`
/// (keys `yyyymm`, or `yyyy00` for years), per metric and category.
pub fn figures(
    conn: &mut DbConnection,
    scopes: &[i64],
    (from, to): (i32, i32),
    metrics: &[&str],
) -> AppResult<BTreeMap<(String, String), i64>> {
    let rows: Vec<(String, String, i64)> = wt::work_tallies
        .filter(wt::scope_id.eq_any(scopes))
        .filter(wt::month.between(from, to))
        .filter(wt::metric.eq_any(metrics))
        .select((wt::metric, wt::category, wt::n))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (metric, category, n) in rows {
        *out.entry((metric, category)).or_insert(0) += n;
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// The figures of one metric per category.
pub fn by_category(
    figures: &BTreeMap<(String, String), i64>,
    metric: &str,
) -> BTreeMap<String, i64> {
    figures
        .iter()
        .filter(|((m, _), _)| m == metric)
        .map(|((_, c), n)| (c.clone(), *n))
        .collect()
}

/// The total of one metric.
pub fn total(figures: &BTreeMap<(String, String), i64>, metric: &str) -> i64 {
    by_category(figures, metric).values().sum()
}

/// Volunteer service in a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceFigures {
    /// Per team category: activities, hours (tenths), residents served,
    /// participations.
    pub categories: BTreeMap<String, [i64; 4]>,
    /// Distinct people with at least one activity.
    pub volunteers: i64,
}

/// Distinct active volunteers of `scopes` in `months`: a counter for one
/// scope and a month or a calendar year, else a count of people.
fn volunteers(conn: &mut DbConnection, scopes: &[i64], months: Months) -> AppResult<i64> {
    let period = months.single().or(months.whole_year().map(year_key));
    match (scopes, period) {
        ([scope], Some(p)) => {
            let n: Option<i64> = wt::work_tallies
                .find((scope, p, VOLUNTEERS, ""))
                .select(wt::n)
                .first(conn)
                .optional()?;
            Ok(n.unwrap_or(0))
        }
        (_, Some(p)) => Ok(vp::volunteer_periods
            .filter(vp::scope_id.eq_any(scopes))
            .filter(vp::period.eq(p))
            .select(diesel::dsl::count(vp::person_id).aggregate_distinct())
            .first(conn)?),
        (_, None) => Ok(vp::volunteer_periods
            .filter(vp::scope_id.eq_any(scopes))
            .filter(vp::period.between(months.first, months.last))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "period % 100 <> 0",
            ))
            .select(diesel::dsl::count(vp::person_id).aggregate_distinct())
            .first(conn)?),
    }
}

pub fn service(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
) -> AppResult<ServiceFigures> {
    let f = figures(
        conn,
        scopes,
        (months.first, months.last),
        &[ACTIVITIES, HOURS, SERVED, PARTICIPATIONS],
    )?;
    let mut categories: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for (i, metric) in [ACTIVITIES, HOURS, SERVED, PARTICIPATIONS]
        .iter()
        .enumerate()
    {
        for (c, n) in by_category(&f, metric) {
            categories.entry(c).or_default()[i] = n;
        }
    }
    Ok(ServiceFigures {
        categories,
        volunteers: volunteers(conn, scopes, months)?,
    })
}

/// Residents' problems in a period, and open and overdue on a day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemFigures {
    /// Per problem category: received, resolved, resolved within the
    /// grid, closed.
    pub categories: BTreeMap<String, [i64; 4]>,
    /// Escalations per level escalated to.
    pub escalated: BTreeMap<String, i64>,
    /// The lower median of whole hours taken to resolve.
    pub median_hours: Option<i64>,
    /// Open at the end of the day asked (received, assigned or escalated).
    pub open: i64,
    /// Of those, past their deadline.
    pub overdue: i64,
    /// The day open and overdue are counted at the end of.
    pub on: NaiveDate,
}

/// Problems open and overdue at the end of each of `days` (ascending, none
/// after today), from the history, read once: for a trend.
fn open_history(
    conn: &mut DbConnection,
    scopes: &[i64],
    days: &[NaiveDate],
) -> AppResult<Vec<(i64, i64)>> {
    let Some(last) = days.iter().max().copied() else {
        return Ok(Vec::new());
    };
    let rows: Vec<(NaiveDate, NaiveDate, i64)> = opd::open_problem_days
        .filter(opd::scope_id.eq_any(scopes))
        .filter(opd::day.le(last))
        .select((opd::day, opd::due_on, opd::n))
        .order(opd::day)
        .load(conn)?;
    let mut dues: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut rows = rows.into_iter().peekable();
    let mut out = Vec::with_capacity(days.len());
    for d in days {
        while let Some((_, due, n)) = rows.next_if(|r| r.0 <= *d) {
            *dues.entry(due).or_default() += n;
        }
        out.push((dues.values().sum(), dues.range(..*d).map(|(_, n)| n).sum()));
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct OpenThen {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    open: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    overdue: i64,
}

#[derive(QueryableByName)]
struct Earliest {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    day: Option<NaiveDate>,
}

/// The first day of `scopes`' history (one index seek per scope).
fn earliest(conn: &mut DbConnection, scopes: &[i64]) -> AppResult<Option<NaiveDate>> {
    let firsts: Vec<String> = scopes
        .iter()
        .map(|s| {
            format!("SELECT (SELECT MIN(day) FROM open_problem_days WHERE scope_id = {s}) AS day")
        })
        .collect();
    let q = diesel::sql_query(format!(
        "SELECT MIN(day) AS day FROM ({}) firsts",
        firsts.join(" UNION ALL ")
    ));
    let e: Earliest = crate::with_concrete_conn!(conn, |c| q.get_result(c))?;
    Ok(e.day)
}

/// Open and overdue at the end of day `d` (today's sums from `today` on),
/// summed by the database over the shorter side of the history: the
/// changes up to `d`, or today's sums less the changes after `d` (the
/// history's rows add up to today's sums).
fn open_at(
    conn: &mut DbConnection,
    scopes: &[i64],
    d: NaiveDate,
    today: NaiveDate,
) -> AppResult<(i64, i64)> {
    if scopes.is_empty() {
        return Ok((0, 0));
    }
    let list = scopes
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let day = d.format("%Y-%m-%d");
    let sums = |table: &str, only: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN due_on < '{day}' THEN n ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM {table} WHERE scope_id IN ({list}){only}"
        )
    };
    let statement = if d >= today {
        sums("open_problems", "")
    } else if today - d < d - earliest(conn, scopes)?.unwrap_or(d) {
        format!(
            "SELECT cur.open - later.open AS open, cur.overdue - later.overdue AS overdue \
             FROM ({}) cur, ({}) later",
            sums("open_problems", ""),
            sums("open_problem_days", &format!(" AND day > '{day}'"))
        )
    } else {
        sums("open_problem_days", &format!(" AND day <= '{day}'"))
    };
    let q = diesel::sql_query(statement);
    let f: OpenThen = crate::with_concrete_conn!(conn, |c| q.get_result(c))?;
    Ok((f.open, f.overdue))
}

/// `on`: the day open and overdue are counted at the end of.
pub fn problems(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
    (on, today): (NaiveDate, NaiveDate),
) -> AppResult<ProblemFigures> {
    let metrics = [RECEIVED, RESOLVED, IN_GRID, CLOSED];
    let mut all = metrics.to_vec();
    all.extend([ESCALATED, RESOLVE_HOURS]);
    let f = figures(conn, scopes, (months.first, months.last), &all)?;
    let mut categories: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for (i, metric) in metrics.iter().enumerate() {
        for (c, n) in by_category(&f, metric) {
            categories.entry(c).or_default()[i] = n;
        }
    }
    let hours: Vec<(i64, i64)> = by_category(&f, RESOLVE_HOURS)
        .into_iter()
        .filter_map(|(h, n)| h.parse().ok().map(|h| (h, n)))
        .collect();
    let (open, overdue) = open_at(conn, scopes, on.min(today), today)?;
    Ok(ProblemFigures {
        categories,
        escalated: by_category(&f, ESCALATED),
        median_hours: lower_median(hours),
        open,
        overdue,
        on: on.min(today),
    })
}

/// Duties per kind, and training sessions and person-times, in a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DutyFigures {
    pub duties: BTreeMap<String, i64>,
    pub trainings: i64,
    pub trainees: i64,
}

pub fn duties(conn: &mut DbConnection, scopes: &[i64], months: Months) -> AppResult<DutyFigures> {
    let f = figures(
        conn,
        scopes,
        (months.first, months.last),
        &[DUTIES, TRAININGS, TRAINEES],
    )?;
    Ok(DutyFigures {
        duties: by_category(&f, DUTIES),
        trainings: total(&f, TRAININGS),
        trainees: total(&f, TRAINEES),
    })
}

/// One month of a trend: its key (`yyyymm`), its counters, its distinct
/// active volunteers, and the problems open and overdue at its end (or
/// today, within the current month; `None` for months to come).
pub type MonthFigures = (
    i32,
    BTreeMap<(String, String), i64>,
    i64,
    Option<(i64, i64)>,
);

/// Each month of `months` (at most 120), from the counters, as of `today`.
pub fn trend(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
    metrics: &[&str],
    today: NaiveDate,
) -> AppResult<Vec<MonthFigures>> {
    let rows: Vec<(i32, String, String, i64)> = wt::work_tallies
        .filter(wt::scope_id.eq_any(scopes))
        .filter(wt::month.between(months.first, months.last))
        .filter(wt::metric.eq_any(metrics))
        .select((wt::month, wt::metric, wt::category, wt::n))
        .load(conn)?;
    let mut out = Vec::new();
    let mut month = months.first;
    while month <= months.last {
        let mut f = BTreeMap::new();
        for (_, metric, category, n) in rows.iter().filter(|r| r.0 == month) {
            *f.entry((metric.clone(), category.clone())).or_insert(0) += n;
        }
        let one = Months {
            first: month,
            last: month,
        };
        out.push((month, f, volunteers(conn, scopes, one)?, None));
        month = if month % 100 == 12 {
            month + 89
        } else {
            month + 1
        };
    }
    // The last day of each month begun, or today.
    let ends: Vec<NaiveDate> = out
        .iter()
        .filter_map(|(m, ..)| NaiveDate::from_ymd_opt(m / 100, (m % 100) as u32, 1))
        .filter(|first| *first <= today)
        .map(|first| {
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first);
            (next - chrono::Duration::days(1)).min(today)
        })
        .collect();
    let open = open_history(conn, scopes, &ends)?;
    for (point, figures) in out.iter_mut().zip(open) {
        point.3 = Some(figures);
    }
    Ok(out)
}
