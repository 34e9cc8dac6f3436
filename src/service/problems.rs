//! Residents' problems (民情诉求): reported in a grid through a channel,
//! then moved along `RECEIVED → ASSIGNED → RESOLVED | ESCALATED → CLOSED`
//! (`domain::service::check_step`), each step stamped with its time and
//! actor. A step needs `HandleProblems` where the problem is handled: the
//! grid, then the village, township or region it was escalated to.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::rows::{place, ProblemRow, StepRow};
use super::tallies::{self, Count, CLOSED, ESCALATED, IN_GRID, RECEIVED, RESOLVED, RESOLVE_HOURS};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::problem_deadlines::dsl as pd;
use crate::db::schema::problem_steps::{self, dsl as st};
use crate::db::schema::problems::{self, dsl as pr};
use crate::db::DbConnection;
use crate::domain::people::phone_number;
use crate::domain::service::{
    check_step, is_open, month_of, HandlingLevel, ProblemCategory, ProblemChannel, ProblemStatus,
};
use crate::domain::{rules, text, Level, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{HouseholdId, Id, Kind, PersonId, ProblemId, UnitId};
use crate::tree::locks;

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

/// A step's time: not in the future, not before `after`.
fn when(
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

fn step_row(
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

fn insert_step(conn: &mut DbConnection, step: &StepRow) -> AppResult<()> {
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
    tallies::open_problem(conn, here, row.due_on, 1)?;
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
        tallies::open_problem(conn, here, row.due_on, -1)?;
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
