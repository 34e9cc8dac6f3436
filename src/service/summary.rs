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
use crate::db::schema::open_problems::dsl as op;
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

/// Residents' problems in a period, and open and overdue now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemFigures {
    /// Per problem category: received, resolved, resolved within the
    /// grid, closed.
    pub categories: BTreeMap<String, [i64; 4]>,
    /// Escalations per level escalated to.
    pub escalated: BTreeMap<String, i64>,
    /// The lower median of whole hours taken to resolve.
    pub median_hours: Option<i64>,
    /// Open now (received, assigned or escalated).
    pub open: i64,
    /// Open now and past their deadline.
    pub overdue: i64,
}

pub fn problems(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
    today: NaiveDate,
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
    let open: Vec<(NaiveDate, i64)> = op::open_problems
        .filter(op::scope_id.eq_any(scopes))
        .filter(op::n.ne(0))
        .select((op::due_on, op::n))
        .load(conn)?;
    Ok(ProblemFigures {
        categories,
        escalated: by_category(&f, ESCALATED),
        median_hours: lower_median(hours),
        open: open.iter().map(|(_, n)| n).sum(),
        overdue: open
            .iter()
            .filter(|(d, _)| *d < today)
            .map(|(_, n)| n)
            .sum(),
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

/// One month of a trend: its key (`yyyymm`), its counters, and its
/// distinct active volunteers.
pub type MonthFigures = (i32, BTreeMap<(String, String), i64>, i64);

/// Each month of `months` (at most 120), from the counters.
pub fn trend(
    conn: &mut DbConnection,
    scopes: &[i64],
    months: Months,
    metrics: &[&str],
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
        out.push((month, f, volunteers(conn, scopes, one)?));
        month = if month % 100 == 12 {
            month + 89
        } else {
            month + 1
        };
    }
    Ok(out)
}
