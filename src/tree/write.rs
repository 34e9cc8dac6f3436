//! Writing the tree. Each function runs inside the caller's transaction
//! ([`crate::db::Db::write`]), loads the facts it needs, asks the access
//! policy and the domain rules, then writes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::history::{self, Change};
pub use super::inputs::{NewUnit, UnitPatch};
pub use super::lifecycle::{dissolve, restore};
use super::{coverage, locks, read, staffing};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::{ActionKind, Sight};
use crate::auth::{Action, Viewer};
use crate::db::models::{NewOrgUnitRow, OrgUnitChanges};
use crate::db::schema::org_units::{self, dsl as u};
use crate::db::{ancestry, DbConnection};
use crate::domain::history::UnitState;
use crate::domain::{rules, Ancestry, Level, OrgForm, OrgUnit, Patch};
use crate::error::{AppError, AppResult};
use crate::ids::{Id, UnitId};

/// Codes are unique among active units. The holder is named only to a
/// viewer who sees it in full; to anyone else the conflict says no more
/// than that the code is taken.
pub fn unique_code(
    conn: &mut DbConnection,
    viewer: &Viewer,
    code: Option<&str>,
    except: Option<i64>,
) -> AppResult<()> {
    if let Some(code) = code {
        if let Some(other) = read::active_code_holder(conn, code, except)? {
            let message = if viewer.visibility().sight(&other) == Sight::Full {
                format!("code {code} is already used by {}", other.name)
            } else {
                format!("code {code} is already used by another active unit")
            };
            return Err(AppError::conflict_on("code", message));
        }
    }
    Ok(())
}

/// The unit `input` would create under `parent`, with every rule and the
/// access policy checked but nothing written (its id is 0). `host` loads a
/// host unit by id as the viewer sees it. Shared by [`create`] and the
/// import's rehearsal, so both refuse the same input the same way.
pub fn prepare_create(
    viewer: &Viewer,
    parent: Option<&OrgUnit>,
    input: &NewUnit,
    host: impl FnOnce(i64) -> AppResult<OrgUnit>,
    now: DateTime<Utc>,
) -> AppResult<OrgUnit> {
    viewer.authorize(Action::CreateUnder(parent))?;
    rules::placement(input.unit_type, parent, "parentId")?;
    let level = input.unit_type.level();
    let ancestry = parent.map(Ancestry::for_child_of).unwrap_or_default();
    let org_form = rules::org_form(level, input.org_form)?;
    let host = input.host_unit_id.map(|id| host(id.get())).transpose()?;
    let unit = OrgUnit {
        id: 0,
        parent_id: parent.map(|p| p.id),
        unit_type: input.unit_type,
        name: rules::name("name", &input.name)?,
        code: rules::code(input.code.as_deref())?,
        org_form,
        host_unit_id: rules::host(org_form, host.as_ref(), &ancestry)?,
        team_category: rules::team_category(level, input.team_category)?,
        ancestry,
        founded_on: input.founded_on,
        dissolved_on: None,
        dissolved_reason: None,
        service_station: optional(
            &input.service_station,
            "serviceStation",
            rules::MAX_SHORT_TEXT_CHARS,
        )?,
        wechat_group: optional(
            &input.wechat_group,
            "wechatGroup",
            rules::MAX_SHORT_TEXT_CHARS,
        )?,
        notes: optional(&input.notes, "notes", rules::MAX_NOTES_CHARS)?,
        created_at: now,
        updated_at: now,
    };
    rules::not_future("foundedOn", unit.founded_on, now.date_naive())?;
    Ok(unit)
}

/// Creates a unit; the level follows from the unit type.
pub fn create(conn: &mut DbConnection, actor: &Actor<'_>, input: NewUnit) -> AppResult<OrgUnit> {
    let (viewer, now) = (actor.viewer, actor.now);
    let parent = input
        .parent_id
        .map(|id| locks::unit(conn, id.get(), "parentId"))
        .transpose()?;
    let visibility = viewer.visibility();
    let mut unit = prepare_create(
        viewer,
        parent.as_ref(),
        &input,
        |id| read::get(conn, &visibility, id, "hostUnitId"),
        now,
    )?;
    unique_code(conn, viewer, unit.code.as_deref(), None)?;
    let on = input.effective_on.unwrap_or(now.date_naive());
    let row = NewOrgUnitRow::from(&unit);
    unit.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(org_units::table)
        .values(&row)
        .returning(u::id)
        .get_result::<i64>(c))?;
    history::stamp(
        conn,
        &[history::township_of(&unit)],
        ("effectiveOn", on),
        now.date_naive(),
    )?;
    history::record(conn, &unit, Change::Created, on, now)?;
    coverage::on_change(conn, None, Some(&unit), on)?;
    staffing::refresh(conn, &[unit.id])?;
    audit::record(conn, &AuditEntry::unit(actor, "CREATE_UNIT", None, &unit))?;
    Ok(unit)
}

fn optional(v: &Option<String>, field: &str, max: usize) -> AppResult<Option<String>> {
    rules::optional_text(field, v.as_deref(), max)
}

fn optional_patch(
    p: Patch<String>,
    field: &str,
    max: usize,
    current: Option<String>,
) -> AppResult<Option<String>> {
    match p {
        Patch::Set(v) => rules::optional_text(field, Some(&v), max),
        other => Ok(other.apply(current)),
    }
}

/// `current` as `patch` would leave it, with every rule and the access
/// policy checked but nothing written; equal to `current` when nothing
/// changes. `host` loads a host unit by id as the viewer sees it. Shared by
/// [`update`] and the import's rehearsal.
pub fn prepare_update(
    viewer: &Viewer,
    current: &OrgUnit,
    patch: UnitPatch,
    host: impl FnOnce(i64) -> AppResult<OrgUnit>,
    now: DateTime<Utc>,
) -> AppResult<OrgUnit> {
    let structure = patch.unit_type.is_some()
        || patch.code != Patch::Keep
        || patch.org_form.is_some()
        || patch.host_unit_id != Patch::Keep
        || patch.team_category.is_some();
    viewer.authorize(Action::Edit {
        unit: current,
        structure,
    })?;
    rules::active(current)?;
    let level = current.level();
    let mut next = current.clone();
    if let Some(t) = patch.unit_type {
        if t.level() != level {
            return Err(AppError::bad_input(
                "unitType",
                format!(
                    "a {} unit cannot become a {}: the level would change; create a new unit instead",
                    level.as_str(),
                    t.as_str()
                ),
            ));
        }
        next.unit_type = t;
    }
    if let Some(name) = patch.name {
        next.name = rules::name("name", &name)?;
    }
    next.code = match patch.code {
        Patch::Set(code) => rules::code(Some(&code))?,
        other => other.apply(current.code.clone()),
    };
    if patch.org_form.is_some() || !level.is_management_unit() {
        next.org_form = rules::org_form(level, patch.org_form)?;
    }
    // A host belongs to the AFFILIATED form: it goes when the form changes,
    // and must be given when the form becomes AFFILIATED.
    let host_id = match (patch.host_unit_id, next.org_form) {
        (Patch::Set(h), _) => Some(h.get()),
        (Patch::Clear, _) => None,
        (Patch::Keep, Some(OrgForm::Affiliated)) => current.host_unit_id,
        (Patch::Keep, _) => None,
    };
    let host = host_id.map(host).transpose()?;
    next.host_unit_id = rules::host(next.org_form, host.as_ref(), &next.ancestry)?;
    if patch.team_category.is_some() || level == Level::VolunteerTeam {
        next.team_category =
            rules::team_category(level, patch.team_category.or(current.team_category))?;
    }
    next.founded_on = patch.founded_on.apply(current.founded_on);
    rules::not_future("foundedOn", next.founded_on, now.date_naive())?;
    next.service_station = optional_patch(
        patch.service_station,
        "serviceStation",
        rules::MAX_SHORT_TEXT_CHARS,
        current.service_station.clone(),
    )?;
    next.wechat_group = optional_patch(
        patch.wechat_group,
        "wechatGroup",
        rules::MAX_SHORT_TEXT_CHARS,
        current.wechat_group.clone(),
    )?;
    next.notes = optional_patch(
        patch.notes,
        "notes",
        rules::MAX_NOTES_CHARS,
        current.notes.clone(),
    )?;
    Ok(next)
}

/// Edits a unit's own fields (not its place in the tree: see [`move_unit`]).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: UnitId,
    patch: UnitPatch,
) -> AppResult<OrgUnit> {
    let (viewer, now, id) = (actor.viewer, actor.now, id.get());
    let current = locks::unit(conn, id, "id")?;
    let effective_on = patch.effective_on;
    let visibility = viewer.visibility();
    let mut next = prepare_update(
        viewer,
        &current,
        patch,
        |h| read::get(conn, &visibility, h, "hostUnitId"),
        now,
    )?;
    if next == current {
        return Ok(current);
    }
    if next.code != current.code {
        unique_code(conn, viewer, next.code.as_deref(), Some(id))?;
    }
    next.updated_at = now;
    let on = effective_on.unwrap_or(now.date_naive());
    let changed = UnitState::from(&current) != UnitState::from(&next);
    if changed {
        history::stamp(
            conn,
            &[history::township_of(&current)],
            ("effectiveOn", on),
            now.date_naive(),
        )?;
    }
    diesel::update(u::org_units.find(id))
        .set(OrgUnitChanges::from(&next))
        .execute(conn)?;
    if changed {
        history::record(conn, &next, Change::Updated, on, now)?;
        coverage::on_change(conn, Some(&current), Some(&next), on)?;
        staffing::refresh(conn, &[next.id])?;
    }
    audit::record(
        conn,
        &AuditEntry::unit(actor, "UPDATE_UNIT", Some(&current), &next),
    )?;
    Ok(next)
}

/// Whether moving `unit` under `new_parent` is allowed and changes
/// anything, with the access policy and the tree's rules checked but
/// nothing read or written. Shared by [`move_unit`] and the import's
/// rehearsal.
pub fn prepare_move(viewer: &Viewer, unit: &OrgUnit, new_parent: &OrgUnit) -> AppResult<bool> {
    viewer.authorize(Action::Move { unit, new_parent })?;
    rules::moving(unit, new_parent)?;
    Ok(unit.parent_id != Some(new_parent.id))
}

/// The hosts a move of `unit` to `new` ancestry would leave behind: its
/// ancestors that are not ancestors any more.
pub fn left_behind(unit: &OrgUnit, new: &Ancestry) -> Vec<i64> {
    let (level, old) = (unit.level(), &unit.ancestry);
    Level::ALL
        .iter()
        .filter(|l| l.number() < level.number())
        .filter_map(|l| old.at(*l).filter(|h| new.at(*l) != Some(*h)))
        .collect()
}

/// Affiliated units named in a refused move, at most this many.
pub const STRANDED_NAMED: usize = 5;

/// Refuses a move that would leave `stranded` affiliated units of the
/// subtree without their host: one that stays behind is no longer their
/// ancestor.
pub fn not_stranded(stranded: &[OrgUnit]) -> AppResult<()> {
    if stranded.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = stranded
        .iter()
        .take(STRANDED_NAMED)
        .map(|s| s.name.as_str())
        .collect();
    Err(AppError::bad_input(
        "newParentId",
        format!(
            "these units are affiliated to an organization the move would leave behind; re-affiliate them first: {}",
            names.join("、")
        ),
    ))
}

/// Moves a unit (and its whole subtree) under a new parent one level up,
/// rewriting the subtree's ancestry in the same transaction.
pub fn move_unit(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: UnitId,
    new_parent_id: UnitId,
    effective_on: Option<NaiveDate>,
) -> AppResult<OrgUnit> {
    let (viewer, now) = (actor.viewer, actor.now);
    let (id, new_parent_id) = (id.get(), new_parent_id.get());
    // Both are looked up (and their townships locked) whatever they are;
    // the unit is decided on first, so an unseen unit answers exactly as a
    // missing one, whatever `newParentId` is.
    let (unit, new_parent) = locks::pair(conn, (id, "id"), new_parent_id)?;
    viewer.check(ActionKind::Move, Some(&unit), "id")?;
    let new_parent = new_parent.ok_or_else(|| AppError::unit_not_found("newParentId"))?;
    if !prepare_move(viewer, &unit, &new_parent)? {
        return Ok(unit);
    }
    let level = unit.level();
    let old = unit.ancestry;
    let new = Ancestry::for_child_of(&new_parent);
    let hosts = left_behind(&unit, &new);
    not_stranded(&read::affiliated_to(
        conn,
        &unit,
        &hosts,
        STRANDED_NAMED as i64,
    )?)?;
    let on = effective_on.unwrap_or(now.date_naive());
    history::stamp(
        conn,
        &[
            history::township_of(&unit),
            history::township_of(&new_parent),
        ],
        ("effectiveOn", on),
        now.date_naive(),
    )?;
    diesel::update(u::org_units.find(id))
        .set((
            u::parent_id.eq(new_parent.id),
            u::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    // The unit, its descendants, their people, posts and staffing gaps take
    // the new ancestors above the moved unit's level.
    ancestry::rewrite_subtree(conn, id, level, new.0)?;
    let moved = OrgUnit {
        parent_id: Some(new_parent.id),
        ancestry: new,
        updated_at: now,
        ..unit.clone()
    };
    history::record(conn, &moved, Change::Moved, on, now)?;
    coverage::on_move(conn, &unit, &moved, on)?;
    // The households beneath it, with their points, change scopes too.
    let above = |a: &Ancestry| -> Vec<i64> {
        std::iter::once(0)
            .chain(a.0.iter().flatten().copied())
            .collect()
    };
    crate::db::tallies::move_scope(conn, id, &above(&old), &above(&new))?;
    // Volunteers beneath a moved group or team change grids.
    if level.number() > Level::Grid.number() {
        let grids = [old.at(Level::Grid), new.at(Level::Grid)];
        staffing::refresh(conn, &grids.into_iter().flatten().collect::<Vec<_>>())?;
    }
    audit::record(
        conn,
        &AuditEntry::unit(actor, "MOVE_UNIT", Some(&unit), &moved),
    )?;
    Ok(moved)
}
