//! The reads of grassroots work that the writes and the API share: one
//! record by id, and pages of a table's records at or beneath a unit (or
//! everything the viewer sees), in a period, in creation order.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rows::{
    ActivityRow, DutyRow, IncomeRow, ParticipantRow, ProblemRow, StepRow, TrainingRow,
};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath};
use crate::db::schema::{
    duty_logs, problem_steps, problems, service_activities, service_participants,
    training_sessions, village_incomes,
};
use crate::db::DbConnection;
use crate::domain::{Page, PageOf, Sorted};
use crate::error::AppResult;

/// Which records a list shows: at or beneath `under` (a unit the viewer
/// fully sees) or everything the viewer sees, dated within `from..=to`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Within {
    pub under: Option<UnitRef>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only records of this status (problems: `RECEIVED`, …).
    pub status: Option<&'static str>,
}

/// The rows of table `T` at or beneath `under` (a unit the viewer fully
/// sees), or else those the viewer sees; `None`: every row.
fn seen<T: Beneath + 'static>(
    visibility: &Visibility,
    under: Option<UnitRef>,
) -> Option<ancestry::Condition<T>> {
    let within = |s: &UnitRef| T::at_or_beneath(s.id, s.level);
    match (under, visibility) {
        (Some(under), _) => Some(within(&under)),
        (None, Visibility::Everything) => None,
        (None, Visibility::Nothing) => Some(ancestry::never()),
        (None, Visibility::Units(scopes)) => Some(
            scopes
                .iter()
                .map(within)
                .reduce(|a, b| Box::new(a.or(b)))
                .unwrap_or_else(ancestry::never),
        ),
    }
}

/// A `DATE` column's bound for a day: the day.
fn on_day(day: NaiveDate) -> NaiveDate {
    day
}

/// A `TIMESTAMP` column's bound for a day: its first instant.
fn from_day(day: NaiveDate) -> chrono::NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN)
}

/// For `table` (rows `Row`, dated by `date`, whose bound for a day is
/// `bound`): `list` (a page in creation order), `count`, and `find` (one
/// row, whoever sees it).
macro_rules! scoped_list {
    ($module:ident, $table:ident, $row:ty, $date:ident) => {
        scoped_list!(@rows $module, $table, $row, $date, on_day, |q, _status| q);
    };
    ($module:ident, $table:ident, $row:ty, $date:ident as $bound:path, status) => {
        scoped_list!(@rows $module, $table, $row, $date, $bound, |q: Boxed<'a>,
                                                    status: Option<
            &'static str,
        >| match status {
            Some(s) => q.filter($table::dsl::status.eq(s)),
            None => q,
        });
    };
    (@rows $module:ident, $table:ident, $row:ty, $date:ident, $bound:path, $by_status:expr) => {
        pub mod $module {
            use super::*;
            use $table::dsl as x;

            type Boxed<'a> = $table::BoxedQuery<'a, crate::db::MultiBackend>;

            fn filtered<'a>(visibility: &Visibility, w: Within) -> Boxed<'a> {
                let mut q: Boxed<'a> = $table::table.into_boxed();
                if let Some(c) = seen::<$table::table>(visibility, w.under) {
                    q = q.filter(c);
                }
                if let Some(from) = w.from {
                    q = q.filter(x::$date.ge($bound(from)));
                }
                if let Some(to) = w.to {
                    let next = to.succ_opt().unwrap_or(NaiveDate::MAX);
                    q = q.filter(x::$date.lt($bound(next)));
                }
                let by_status = $by_status;
                by_status(q, w.status)
            }

            /// What `w` selects, for further conditions.
            #[allow(dead_code)]
            pub(crate) fn selected<'a>(visibility: &Visibility, w: Within) -> Boxed<'a> {
                filtered(visibility, w)
            }

            /// A page of the records `w` selects, in creation order.
            pub fn list(
                conn: &mut DbConnection,
                visibility: &Visibility,
                w: Within,
                page: Page,
            ) -> AppResult<PageOf<$row>> {
                let postgres = matches!(conn, DbConnection::Pg(_));
                let (past, by) = crate::db::sort::sorted_page(
                    stringify!($table),
                    &Sorted::by_creation(&page),
                    &page,
                    postgres,
                )?;
                let mut q = filtered(visibility, w);
                for condition in past {
                    q = q.filter(condition);
                }
                let rows: Vec<$row> = q
                    .order(by)
                    .limit(page.limit as i64 + 1)
                    .select(<$row>::as_select())
                    .load(conn)?;
                Ok(page.finish(rows))
            }

            /// How many records `w` selects.
            pub fn count(
                conn: &mut DbConnection,
                visibility: &Visibility,
                w: Within,
            ) -> AppResult<i64> {
                Ok(filtered(visibility, w)
                    .select(diesel::dsl::count_star())
                    .first(conn)?)
            }
        }
    };
}

scoped_list!(activities, service_activities, ActivityRow, held_on);
scoped_list!(
    problem_list,
    problems,
    ProblemRow,
    received_at as from_day,
    status
);
scoped_list!(duties, duty_logs, DutyRow, done_on);
scoped_list!(trainings, training_sessions, TrainingRow, held_on);

/// One activity, whoever sees it.
pub fn activity(conn: &mut DbConnection, id: i64) -> AppResult<Option<ActivityRow>> {
    Ok(service_activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()?)
}

/// An activity's participants.
pub fn participants(conn: &mut DbConnection, activity: i64) -> AppResult<Vec<ParticipantRow>> {
    use service_participants::dsl as sp;
    Ok(sp::service_participants
        .filter(sp::activity_id.eq(activity))
        .order(sp::person_id)
        .select(ParticipantRow::as_select())
        .load(conn)?)
}

/// One problem, whoever sees it.
pub fn problem(conn: &mut DbConnection, id: i64) -> AppResult<Option<ProblemRow>> {
    Ok(problems::table
        .find(id)
        .select(ProblemRow::as_select())
        .first(conn)
        .optional()?)
}

/// A problem's steps, oldest first.
pub fn steps(conn: &mut DbConnection, problem: i64) -> AppResult<Vec<StepRow>> {
    use problem_steps::dsl as st;
    Ok(st::problem_steps
        .filter(st::problem_id.eq(problem))
        .order(st::id)
        .select(StepRow::as_select())
        .load(conn)?)
}

/// One duty log, whoever sees it.
pub fn duty(conn: &mut DbConnection, id: i64) -> AppResult<Option<DutyRow>> {
    Ok(duty_logs::table
        .find(id)
        .select(DutyRow::as_select())
        .first(conn)
        .optional()?)
}

/// One training session, whoever sees it.
pub fn training(conn: &mut DbConnection, id: i64) -> AppResult<Option<TrainingRow>> {
    Ok(training_sessions::table
        .find(id)
        .select(TrainingRow::as_select())
        .first(conn)
        .optional()?)
}

/// The incomes of a year at or beneath `under` (or the viewer's), by
/// village id.
pub fn incomes(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
    year: i32,
) -> AppResult<Vec<IncomeRow>> {
    use village_incomes::dsl as vi;
    let mut q = vi::village_incomes.filter(vi::year.eq(year)).into_boxed();
    if let Some(c) = seen::<village_incomes::table>(visibility, under) {
        q = q.filter(c);
    }
    Ok(q.order(vi::unit_id)
        .limit(crate::domain::service::MAX_INCOME_ROWS)
        .select(IncomeRow::as_select())
        .load(conn)?)
}

/// The most units or posts a gap list returns.
pub const MAX_GAP_ROWS: i64 = 1_000;

/// Grids (at or beneath `under`, or the viewer's) with an open problem
/// past its deadline on `today`.
pub fn overdue_grids(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
    today: NaiveDate,
) -> AppResult<Vec<i64>> {
    use problems::dsl as pr;
    let w = Within {
        under,
        ..Within::default()
    };
    let ids: Vec<i64> = problem_list::selected(visibility, w)
        .filter(pr::resolved_at.is_null())
        .filter(pr::closed_at.is_null())
        .filter(pr::due_on.lt(today))
        .select(pr::unit_id)
        .distinct()
        .order(pr::unit_id)
        .limit(MAX_GAP_ROWS)
        .load(conn)?;
    Ok(ids)
}

/// Posts of duty cadres (linked leaders, instructors, grid liaisons) held
/// on `today` at or beneath `under` (or the viewer's), whose holder has
/// logged no duty since `since`.
pub fn idle_cadre_posts(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
    today: NaiveDate,
    since: NaiveDate,
) -> AppResult<Vec<i64>> {
    use crate::db::schema::positions::{self, dsl as ps};
    use duty_logs::dsl as d;
    let roles: Vec<&str> = crate::domain::people::PositionRole::DUTY_CADRES
        .iter()
        .map(|r| r.as_str())
        .collect();
    let mut q: positions::BoxedQuery<'_, crate::db::MultiBackend> = ps::positions
        .filter(ps::role.eq_any(roles))
        .filter(ps::started_on.le(today))
        .filter(ps::ended_on.is_null().or(ps::ended_on.gt(today)))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            d::duty_logs
                .filter(d::person_id.eq(ps::person_id))
                .filter(d::done_on.ge(since)),
        )))
        .into_boxed();
    if let Some(c) = seen::<positions::table>(visibility, under) {
        q = q.filter(c);
    }
    Ok(q.order(ps::id)
        .limit(MAX_GAP_ROWS)
        .select(ps::id)
        .load(conn)?)
}

/// One person's service in `from..=to` in activities the viewer sees:
/// activities taken part in, and hours (in tenths). The activities are
/// chosen by a subquery, so a busy volunteer binds no list of ids.
pub fn person_service(
    conn: &mut DbConnection,
    visibility: &Visibility,
    person: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<(i64, i64)> {
    use service_activities::dsl as a;
    use service_participants::dsl as sp;
    let theirs = sp::service_participants
        .filter(sp::person_id.eq(person))
        .select(sp::activity_id);
    let mut q = a::service_activities
        .filter(a::id.eq_any(theirs))
        .filter(a::cancelled_on.is_null())
        .filter(a::held_on.between(from, to))
        .into_boxed();
    if let Some(c) = seen::<service_activities::table>(visibility, None) {
        q = q.filter(c);
    }
    let counted: std::collections::HashSet<i64> =
        q.select(a::id).load::<i64>(conn)?.into_iter().collect();
    let mine: Vec<(i64, i32)> = sp::service_participants
        .filter(sp::person_id.eq(person))
        .select((sp::activity_id, sp::hours_tenths))
        .load(conn)?;
    let hours = mine
        .iter()
        .filter(|m| counted.contains(&m.0))
        .map(|m| i64::from(m.1))
        .sum();
    Ok((counted.len() as i64, hours))
}

/// One person's duties in `from..=to` at units the viewer sees, per kind.
pub fn person_duties(
    conn: &mut DbConnection,
    visibility: &Visibility,
    person: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<Vec<String>> {
    use duty_logs::dsl as d;
    let mut q = d::duty_logs
        .filter(d::person_id.eq(person))
        .filter(d::done_on.between(from, to))
        .into_boxed();
    if let Some(c) = seen::<duty_logs::table>(visibility, None) {
        q = q.filter(c);
    }
    Ok(q.select(d::kind).load(conn)?)
}
