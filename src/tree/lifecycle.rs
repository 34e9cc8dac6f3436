//! Dissolving and restoring units: the end of a unit's life in the tree,
//! and its return. Same transaction rules as [`super::write`].

use chrono::NaiveDate;
use diesel::prelude::*;

use super::history::{self, Change};
use super::write::unique_code;
use super::{coverage, read, staffing};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::{Action, Visibility};
use crate::db::schema::org_units::dsl as u;
use crate::db::DbConnection;
use crate::domain::{rules, OrgUnit};
use crate::error::AppResult;
use crate::ids::{Id, UnitId};

/// Dissolves a unit (soft delete): it keeps its history, drops out of counts
/// and can get no new children. Its children must be moved or dissolved first.
pub fn dissolve(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: UnitId,
    on: NaiveDate,
    reason: &str,
) -> AppResult<OrgUnit> {
    let (viewer, now, id) = (actor.viewer, actor.now, id.get());
    let unit = super::locks::unit(conn, id, "id")?;
    viewer.authorize(Action::Dissolve(&unit))?;
    let children = read::active_children(conn, id)?;
    let reason = rules::dissolving(&unit, on, reason, children, now.date_naive())?;
    history::stamp(
        conn,
        &[history::township_of(&unit)],
        ("on", on),
        now.date_naive(),
    )?;
    diesel::update(u::org_units.find(id))
        .set((
            u::dissolved_on.eq(Some(on)),
            u::dissolved_reason.eq(Some(&reason)),
            u::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    let dissolved = OrgUnit {
        dissolved_on: Some(on),
        dissolved_reason: Some(reason),
        updated_at: now,
        ..unit.clone()
    };
    history::record(conn, &dissolved, Change::Dissolved, on, now)?;
    coverage::on_change(conn, Some(&unit), Some(&dissolved), on)?;
    // Its posts still count where they did (volunteers for their grid).
    staffing::refresh(conn, &[id])?;
    audit::record(
        conn,
        &AuditEntry::unit(actor, "DISSOLVE_UNIT", Some(&unit), &dissolved),
    )?;
    Ok(dissolved)
}

/// Restores a dissolved unit under its (active) parent, if its code is free.
pub fn restore(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: UnitId,
    effective_on: Option<NaiveDate>,
) -> AppResult<OrgUnit> {
    let (viewer, now, id) = (actor.viewer, actor.now, id.get());
    let unit = super::locks::unit(conn, id, "id")?;
    viewer.authorize(Action::Restore(&unit))?;
    let parent = unit
        .parent_id
        .map(|p| read::get(conn, &Visibility::Everything, p, "id"))
        .transpose()?;
    rules::restoring(&unit, parent.as_ref())?;
    unique_code(conn, actor.viewer, unit.code.as_deref(), Some(id))?;
    let on = effective_on.unwrap_or(now.date_naive());
    history::stamp(
        conn,
        &[history::township_of(&unit)],
        ("effectiveOn", on),
        now.date_naive(),
    )?;
    diesel::update(u::org_units.find(id))
        .set((
            u::dissolved_on.eq(None::<NaiveDate>),
            u::dissolved_reason.eq(None::<String>),
            u::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    let restored = OrgUnit {
        dissolved_on: None,
        dissolved_reason: None,
        updated_at: now,
        ..unit.clone()
    };
    history::record(conn, &restored, Change::Restored, on, now)?;
    coverage::on_change(conn, Some(&unit), Some(&restored), on)?;
    staffing::refresh(conn, &[id])?;
    audit::record(
        conn,
        &AuditEntry::unit(actor, "RESTORE_UNIT", Some(&unit), &restored),
    )?;
    Ok(restored)
}
