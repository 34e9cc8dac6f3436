//! Residents' problems (民情诉求): reported in a grid through a channel,
//! then moved along `RECEIVED → ASSIGNED → RESOLVED | ESCALATED → CLOSED`
//! (`domain::service::check_step`), each step stamped with its time and
//! actor. A step needs `HandleProblems` where the problem is handled: the
//! grid, then the village, township or region it was escalated to.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::rows::{place, ProblemRow, StepRow};
use super::tallies::{self, Count, RECEIVED};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::problem_deadlines::dsl as pd;
use crate::db::schema::problem_steps::{self};
use crate::db::schema::problems::{self, dsl as pr};
use crate::db::DbConnection;
use crate::domain::people::phone_number;
use crate::domain::service::{
    month_of, HandlingLevel, ProblemCategory, ProblemChannel, ProblemStatus,
};
use crate::domain::{rules, text, Level};
use crate::error::{AppError, AppResult};
use crate::ids::{HouseholdId, Id, Kind, PersonId, UnitId};

/// A problem to report.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub unit_id: UnitId,
    pub channel: ProblemChannel,
    pub category: ProblemCategory,
    pub description: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_person_id: Option<PersonId>,
    pub household_id: Option<HouseholdId>,
    /// Default: now.
    pub received_at: Option<DateTime<Utc>>,
}

/// A step's time: not in the future, not before `after`.
pub(super) fn when(
    actor: &Actor<'_>,
    at: Option<DateTime<Utc>>,
    after: Option<DateTime<Utc>>,
    field: &str,
) -> AppResult<DateTime<Utc>> {
    let at = at.unwrap_or(actor.now);
    text::date(field, at.date_naive())?;
    if at > actor.now {
        return Err(AppError::bad_input(
            field,
            format!("{field} lies in the future"),
        ));
    }
    if after.is_some_and(|a| at < a) {
        return Err(AppError::bad_input(
            field,
            format!("{field} lies before the problem's last step"),
        ));
    }
    Ok(at)
}

/// The deadline in days of a category.
pub fn deadline_days(conn: &mut DbConnection, category: ProblemCategory) -> AppResult<i32> {
    Ok(pd::problem_deadlines
        .find(category.as_str())
        .select(pd::days)
        .first::<i32>(conn)
        .optional()?
        .unwrap_or(7))
}

pub(super) fn step_row(
    problem: &ProblemRow,
    actor: &Actor<'_>,
    at: DateTime<Utc>,
    note: Option<String>,
) -> StepRow {
    StepRow {
        id: 0,
        problem_id: problem.id,
        status: problem.status.clone(),
        level: problem.level,
        at: at.naive_utc(),
        actor_account_id: actor.viewer.account_id(),
        assigned_unit_id: problem.assigned_unit_id,
        assigned_person_id: problem.assigned_person_id,
        note,
    }
}

pub(super) fn insert_step(conn: &mut DbConnection, step: &StepRow) -> AppResult<()> {
    crate::with_concrete_conn!(conn, |c| diesel::insert_into(problem_steps::table)
        .values(step)
        .execute(c))?;
    Ok(())
}

/// Reports a problem in a grid.
pub fn report_problem(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewProblem,
) -> AppResult<ProblemRow> {
    let grid = super::unit_for(
        conn,
        actor,
        new.unit_id.get(),
        ActionKind::HandleProblems,
        "unitId",
    )?;
    if grid.level() != Level::Grid {
        return Err(AppError::bad_input(
            "unitId",
            "a problem is reported in a grid (level 3)",
        ));
    }
    rules::active(&grid)?;
    if new.channel == ProblemChannel::WechatGroup && grid.wechat_group.is_none() {
        return Err(AppError::bad_input(
            "channel",
            "the grid has no WeChat group on record (its wechatGroup)",
        ));
    }
    let at = when(actor, new.received_at, None, "receivedAt")?;
    let description = rules::optional_text(
        "description",
        Some(&new.description),
        rules::MAX_NOTES_CHARS,
    )?
    .ok_or_else(|| AppError::bad_input("description", "describe the problem"))?;
    let reporter_name = rules::optional_text(
        "reporterName",
        new.reporter_name.as_deref(),
        rules::MAX_NAME_CHARS,
    )?;
    let reporter_phone = new
        .reporter_phone
        .as_deref()
        .map(|p| phone_number("reporterPhone", p))
        .transpose()?;
    if let Some(person) = new.reporter_person_id {
        super::person_seen(conn, actor, person.get(), "reporterPersonId")?;
    }
    if let Some(h) = new.household_id {
        let grid_of: Option<Option<i64>> = crate::db::schema::households::dsl::households
            .find(h.get())
            .select(crate::db::schema::households::dsl::grid_id)
            .first(conn)
            .optional()?;
        if grid_of != Some(Some(grid.id)) {
            return Err(AppError::bad_input(
                "householdId",
                "the household does not live in this grid",
            ));
        }
    }
    if reporter_name.is_none() && new.reporter_person_id.is_none() && new.household_id.is_none() {
        return Err(AppError::bad_input(
            "reporterName",
            "name the reporter: a name, a person or a household",
        ));
    }
    let days = deadline_days(conn, new.category)?;
    let mut row = ProblemRow {
        id: 0,
        unit_id: grid.id,
        township_id: None,
        village_id: None,
        grid_id: None,
        building_group_id: None,
        channel: new.channel.as_str().to_owned(),
        category: new.category.as_str().to_owned(),
        description,
        reporter_name,
        reporter_phone,
        reporter_person_id: new.reporter_person_id.map(Id::get),
        household_id: new.household_id.map(Id::get),
        status: ProblemStatus::Received.as_str().to_owned(),
        level: HandlingLevel::Grid.number(),
        escalated: false,
        assigned_unit_id: None,
        assigned_person_id: None,
        received_at: at.naive_utc(),
        due_on: at.date_naive() + Duration::days(i64::from(days)),
        resolved_at: None,
        closed_at: None,
        updated_at: actor.now.naive_utc(),
        recorded_by: actor.viewer.account_id(),
    };
    let here = place(&grid);
    [
        row.township_id,
        row.village_id,
        row.grid_id,
        row.building_group_id,
    ] = here.slots;
    row.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(problems::table)
        .values(&row)
        .returning(pr::id)
        .get_result::<i64>(c))?;
    insert_step(conn, &step_row(&row, actor, at, None))?;
    tallies::add(
        conn,
        here,
        &[Count::new(
            month_of(at.date_naive()),
            RECEIVED,
            &row.category,
            1,
        )],
    )?;
    tallies::open_problem(conn, here, at.date_naive(), row.due_on, 1)?;
    super::audit(
        conn,
        actor,
        "REPORT_PROBLEM",
        (Kind::Problem, row.id),
        &grid,
        (None, Some(&row)),
    )?;
    Ok(row)
}
