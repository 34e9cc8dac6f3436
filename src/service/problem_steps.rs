//! The steps of a problem's status flow (`domain::service::check_step`):
//! each needs `HandleProblems` where the problem is handled (the grid,
//! then the village, township or region it was escalated to), is stamped
//! with its time and actor, and keeps the counters.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::problems::{insert_step, step_row, when};
use super::rows::{place, ProblemRow};
use super::tallies::{self, Count, CLOSED, ESCALATED, IN_GRID, RESOLVED, RESOLVE_HOURS};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::problem_steps::dsl as st;
use crate::db::schema::problems::{self, dsl as pr};
use crate::db::DbConnection;
use crate::domain::service::{check_step, is_open, month_of, HandlingLevel, ProblemStatus};
use crate::domain::{rules, Level, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{Id, Kind, PersonId, ProblemId, UnitId};
use crate::tree::locks;

/// A step of a problem's status flow.
#[derive(Debug, Clone)]
pub struct Step {
    pub status: ProblemStatus,
    /// For `ASSIGNED`: a unit (a volunteer team, or any unit) or a person.
    pub assigned_unit_id: Option<UnitId>,
    pub assigned_person_id: Option<PersonId>,
    /// Default: now.
    pub at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// The unit where a problem at `level` is handled (`None`: the county,
/// that is the region).
fn handler(grid: &OrgUnit, level: HandlingLevel) -> Option<i64> {
    match level {
        HandlingLevel::Grid => Some(grid.id),
        HandlingLevel::Village => grid.ancestry.at(Level::Village),
        HandlingLevel::Township => grid.ancestry.at(Level::Township),
        HandlingLevel::County => None,
    }
}

/// Problem `id` and its grid, the township locked, if the actor sees it.
fn held(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: ProblemId,
) -> AppResult<(ProblemRow, OrgUnit)> {
    let missing = || AppError::not_found("no such problem");
    let found = locks::holding(conn, |c| {
        let row: Option<ProblemRow> = pr::problems
            .find(id.get())
            .select(ProblemRow::as_select())
            .first(c)
            .optional()?;
        let Some(row) = row else {
            return Ok((None, Vec::new()));
        };
        let grid = super::unit_of(c, row.unit_id)?;
        let township = locks::township_of(&grid);
        Ok((Some((row, grid)), vec![township]))
    })?;
    let (row, grid) = found.ok_or_else(missing)?;
    if actor.viewer.visibility().sight(&grid) != crate::auth::policy::Sight::Full {
        return Err(missing());
    }
    Ok((row, grid))
}

/// Checks an assignee: within the unit handling the problem.
fn assignee(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    handler_unit: &OrgUnit,
    step: &Step,
) -> AppResult<(Option<i64>, Option<i64>)> {
    let within = |u: &OrgUnit| u.id == handler_unit.id || u.ancestry.contains(handler_unit.id);
    match (step.assigned_unit_id, step.assigned_person_id) {
        (Some(u), None) => {
            let unit = crate::tree::read::find(conn, &actor.viewer.visibility(), u.get())?
                .ok_or_else(|| AppError::unit_not_found("assignedUnitId"))?;
            if !within(&unit) {
                return Err(AppError::bad_input(
                    "assignedUnitId",
                    format!("assign to a unit at or beneath {}", handler_unit.name),
                ));
            }
            rules::active(&unit)?;
            Ok((Some(unit.id), None))
        }
        (None, Some(p)) => {
            let (_, unit) = super::person_seen(conn, actor, p.get(), "assignedPersonId")?;
            if !within(&unit) {
                return Err(AppError::bad_input(
                    "assignedPersonId",
                    format!("assign to a person of {} or beneath it", handler_unit.name),
                ));
            }
            Ok((None, Some(p.get())))
        }
        _ => Err(AppError::bad_input(
            "assignedUnitId",
            "assign the problem to exactly one unit (a team, say) or one person",
        )),
    }
}

/// Moves a problem one step along its status flow.
pub fn step_problem(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: ProblemId,
    step: Step,
) -> AppResult<ProblemRow> {
    let (before, grid) = held(conn, actor, id)?;
    let from: ProblemStatus = before.status.parse().map_err(AppError::internal)?;
    let level = HandlingLevel::from_number(before.level)
        .ok_or_else(|| AppError::internal("problem level"))?;
    let handler_id = handler(&grid, level);
    let handler_unit = match handler_id {
        Some(h) => Some(super::unit_of(conn, h)?),
        None => None,
    };
    // The problem is in sight: a refusal is FORBIDDEN, even where the
    // level it was escalated to lies above the actor's scope.
    actor
        .viewer
        .check(ActionKind::HandleProblems, handler_unit.as_ref(), "id")
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::Forbidden(format!(
                "the problem is handled at the {} level, beyond your grants",
                level.label()
            )),
            other => other,
        })?;
    check_step(from, step.status, level)?;
    if step.status != ProblemStatus::Assigned
        && (step.assigned_unit_id.is_some() || step.assigned_person_id.is_some())
    {
        return Err(AppError::bad_input(
            "assignedUnitId",
            "only an ASSIGNED step names an assignee",
        ));
    }
    let last: Option<chrono::NaiveDateTime> = st::problem_steps
        .filter(st::problem_id.eq(before.id))
        .select(diesel::dsl::max(st::at))
        .first(conn)?;
    let last = last.map(|t| t.and_utc());
    let at = when(actor, step.at, last, "at")?;
    let note = rules::optional_text("note", step.note.as_deref(), rules::MAX_NOTES_CHARS)?;
    let mut row = before.clone();
    row.status = step.status.as_str().to_owned();
    row.updated_at = actor.now.naive_utc();
    let here = place(&grid);
    let month = month_of(at.date_naive());
    let mut counts = Vec::new();
    match step.status {
        ProblemStatus::Assigned => {
            let unit = handler_unit
                .as_ref()
                .ok_or_else(|| AppError::internal("county assignment"))?;
            (row.assigned_unit_id, row.assigned_person_id) = assignee(conn, actor, unit, &step)?;
        }
        ProblemStatus::Resolved => {
            row.resolved_at = Some(at.naive_utc());
            let hours = (at.naive_utc() - before.received_at).num_hours().max(0);
            counts.push(Count::new(month, RESOLVED, &row.category, 1));
            counts.push(Count::new(month, RESOLVE_HOURS, hours.to_string(), 1));
            if !row.escalated {
                counts.push(Count::new(month, IN_GRID, &row.category, 1));
            }
        }
        ProblemStatus::Escalated => {
            let up = level
                .up()
                .ok_or_else(|| AppError::internal("escalation above the county"))?;
            row.level = up.number();
            row.escalated = true;
            row.assigned_unit_id = None;
            row.assigned_person_id = None;
            counts.push(Count::new(month, ESCALATED, up.as_str(), 1));
        }
        ProblemStatus::Closed => {
            row.closed_at = Some(at.naive_utc());
            counts.push(Count::new(month, CLOSED, &row.category, 1));
        }
        ProblemStatus::Received => return Err(AppError::internal("step to RECEIVED")),
    }
    crate::with_concrete_conn!(conn, |c| diesel::update(problems::table.find(row.id))
        .set(&row)
        .execute(c))?;
    insert_step(conn, &step_row(&row, actor, at, note))?;
    tallies::add(conn, here, &counts)?;
    if is_open(from) && !is_open(step.status) {
        tallies::open_problem(conn, here, at.date_naive(), row.due_on, -1)?;
    }
    super::audit(
        conn,
        actor,
        "STEP_PROBLEM",
        (Kind::Problem, row.id),
        &grid,
        (Some(&before), Some(&row)),
    )?;
    Ok(row)
}
