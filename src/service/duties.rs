//! Cadres' duty logs (联点包片, 坐班接访, 结对帮扶, 走访慰问): a person
//! holding a `LINKED_LEADER`, `INSTRUCTOR` or `GRID_LIAISON` post at the
//! unit concerned or above it records a duty there, with the problems it
//! raised. Recorded under `RecordService` at the unit concerned.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rows::{place, DutyRow};
use super::tallies::{self, Count, DUTIES};
use crate::audit::Actor;
use crate::auth::policy::{ActionKind, Sight};
use crate::db::schema::duty_log_problems;
use crate::db::schema::duty_logs::{self, dsl as d};
use crate::db::schema::positions::dsl as ps;
use crate::db::schema::problems::dsl as pr;
use crate::db::DbConnection;
use crate::domain::people::PositionRole;
use crate::domain::service::{month_of, DutyKind};
use crate::domain::{rules, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{HouseholdId, Id, Kind, PersonId, ProblemId, UnitId};

/// The most problems one duty log links.
pub const MAX_LINKED_PROBLEMS: usize = 50;

/// A duty to log.
#[derive(Debug, Clone)]
pub struct NewDuty {
    pub person_id: PersonId,
    pub kind: DutyKind,
    pub done_on: NaiveDate,
    /// The unit concerned, or (with `household_id`) none: the household's group.
    pub unit_id: Option<UnitId>,
    pub household_id: Option<HouseholdId>,
    pub notes: Option<String>,
    pub problem_ids: Vec<ProblemId>,
}

/// Whether `person` held a cadre post at `unit` or above it on `on`.
fn holds_cadre_post(
    conn: &mut DbConnection,
    person: i64,
    unit: &OrgUnit,
    on: NaiveDate,
) -> AppResult<bool> {
    let mut units: Vec<i64> = unit.ancestry.0.iter().flatten().copied().collect();
    units.push(unit.id);
    let roles: Vec<&str> = PositionRole::DUTY_CADRES
        .iter()
        .map(|r| r.as_str())
        .collect();
    let n: i64 = ps::positions
        .filter(ps::person_id.eq(person))
        .filter(ps::unit_id.eq_any(units))
        .filter(ps::role.eq_any(roles))
        .filter(ps::started_on.le(on))
        .filter(ps::ended_on.is_null().or(ps::ended_on.gt(on)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Logs a duty.
pub fn log_duty(conn: &mut DbConnection, actor: &Actor<'_>, new: NewDuty) -> AppResult<DutyRow> {
    let unit_id = match (new.unit_id, new.household_id) {
        (Some(u), None) => u.get(),
        (None, Some(h)) => {
            let group: Option<i64> = crate::db::schema::households::dsl::households
                .find(h.get())
                .select(crate::db::schema::households::dsl::unit_id)
                .first(conn)
                .optional()?;
            group.ok_or_else(|| AppError::not_found("no such household"))?
        }
        _ => {
            return Err(AppError::bad_input(
                "unitId",
                "name the unit concerned or the household, not both",
            ))
        }
    };
    let field = if new.unit_id.is_some() {
        "unitId"
    } else {
        "householdId"
    };
    let unit = super::unit_for(conn, actor, unit_id, ActionKind::RecordService, field)?;
    rules::not_future("doneOn", Some(new.done_on), actor.now.date_naive())?;
    if !holds_cadre_post(conn, new.person_id.get(), &unit, new.done_on)? {
        // Seen through no post here: as if missing, unless seen in full.
        super::person_seen(conn, actor, new.person_id.get(), "personId")?;
        return Err(AppError::bad_input(
            "personId",
            format!(
                "the person held no LINKED_LEADER, INSTRUCTOR or GRID_LIAISON post at {} or above it on {}",
                unit.name, new.done_on
            ),
        ));
    }
    let notes = rules::optional_text("notes", new.notes.as_deref(), rules::MAX_NOTES_CHARS)?;
    if new.problem_ids.len() > MAX_LINKED_PROBLEMS {
        return Err(AppError::bad_input(
            "problemIds",
            format!("a duty links at most {MAX_LINKED_PROBLEMS} problems"),
        ));
    }
    let mut problems: Vec<i64> = Vec::new();
    for p in &new.problem_ids {
        let grid: Option<i64> = pr::problems
            .find(p.get())
            .select(pr::unit_id)
            .first(conn)
            .optional()?;
        let grid = match grid {
            Some(g) => crate::tree::read::find(conn, &actor.viewer.visibility(), g)?,
            None => None,
        };
        if !grid.is_some_and(|g| actor.viewer.visibility().sight(&g) == Sight::Full) {
            return Err(AppError::NotFound(
                "no such problem (problemIds)".to_owned(),
            ));
        }
        if !problems.contains(&p.get()) {
            problems.push(p.get());
        }
    }
    let at = place(&unit);
    let mut row = DutyRow {
        id: 0,
        person_id: new.person_id.get(),
        kind: new.kind.as_str().to_owned(),
        done_on: new.done_on,
        unit_id: unit.id,
        township_id: None,
        village_id: None,
        grid_id: None,
        building_group_id: None,
        household_id: new.household_id.map(Id::get),
        notes,
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now.naive_utc(),
    };
    [
        row.township_id,
        row.village_id,
        row.grid_id,
        row.building_group_id,
    ] = at.slots;
    row.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(duty_logs::table)
        .values(&row)
        .returning(d::id)
        .get_result::<i64>(c))?;
    for p in &problems {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(duty_log_problems::table)
            .values((
                duty_log_problems::duty_log_id.eq(row.id),
                duty_log_problems::problem_id.eq(*p),
            ))
            .execute(c))?;
    }
    tallies::add(
        conn,
        at,
        &[Count::new(month_of(row.done_on), DUTIES, &row.kind, 1)],
    )?;
    tallies::cadre_duty(conn, at, month_of(row.done_on), row.person_id)?;
    super::audit(
        conn,
        actor,
        "LOG_DUTY",
        (Kind::DutyLog, row.id),
        &unit,
        (None, Some(&row)),
    )?;
    Ok(row)
}
