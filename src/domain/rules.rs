//! The rules of docs/design.md §1 that every write must keep, as pure functions
//! over the facts a write has loaded. Each failure names the input field.

use chrono::NaiveDate;

use super::kinds::{Level, OrgForm, TeamCategory, UnitType};
use super::org_unit::{Ancestry, OrgUnit};
use super::text::{self, TextKind};
use crate::error::{AppError, AppResult};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_CODE_CHARS: usize = 64;
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 4000;

/// A required name: one line, trimmed, NFC, non-empty, nothing invisible
/// ([`text::clean`]).
pub fn name(field: &str, value: &str) -> AppResult<String> {
    let v = text::clean(field, value, MAX_NAME_CHARS, TextKind::Line)?;
    if v.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    Ok(v)
}

/// An optional free text: trimmed, empty means none.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Ok(Some(text::clean(field, v, max, TextKind::Free)?)),
    }
}

/// A unit code: optional, trimmed, no white space. Statistical division
/// codes (12 digits) and grid codes that extend them are accepted as given.
pub fn code(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(text::code("code", v, MAX_CODE_CHARS)?))
}

/// A unit of `unit_type` may sit under `parent`: townships have none, every
/// other unit has an active parent exactly one level up.
pub fn placement(unit_type: UnitType, parent: Option<&OrgUnit>, field: &str) -> AppResult<()> {
    let level = unit_type.level();
    match (level.parent(), parent) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(AppError::bad_input(
            field,
            format!(
                "a {} is a top-level unit and has no parent",
                unit_type.as_str()
            ),
        )),
        (Some(want), None) => Err(AppError::bad_input(
            field,
            format!(
                "a {} needs a parent at level {}",
                unit_type.as_str(),
                want.as_str()
            ),
        )),
        (Some(want), Some(p)) => {
            if p.level() != want {
                return Err(AppError::bad_input(
                    field,
                    format!(
                        "a {} must sit under a {} unit, not under {} ({})",
                        unit_type.as_str(),
                        want.as_str(),
                        p.name,
                        p.level().as_str()
                    ),
                ));
            }
            if !p.is_active() {
                return Err(AppError::bad_input(
                    field,
                    format!("{} is dissolved and cannot get new children", p.name),
                ));
            }
            Ok(())
        }
    }
}

/// The organization form a unit at `level` gets: teams have none, other
/// units default to `NONE`, and the form must be allowed at the level.
pub fn org_form(level: Level, form: Option<OrgForm>) -> AppResult<Option<OrgForm>> {
    match (level.is_management_unit(), form) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(AppError::bad_input(
            "orgForm",
            "volunteer teams have no organization form",
        )),
        (true, None) => Ok(Some(OrgForm::None)),
        (true, Some(f)) if f.allowed_at(level) => Ok(Some(f)),
        (true, Some(f)) => Err(AppError::bad_input(
            "orgForm",
            format!(
                "{} is not allowed at level {}; allowed: {}",
                f.as_str(),
                level.as_str(),
                OrgForm::allowed_forms(level)
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Volunteer teams need a category; no other unit may have one.
pub fn team_category(
    level: Level,
    category: Option<TeamCategory>,
) -> AppResult<Option<TeamCategory>> {
    match (level, category) {
        (Level::VolunteerTeam, Some(c)) => Ok(Some(c)),
        (Level::VolunteerTeam, None) => Err(AppError::bad_input(
            "teamCategory",
            "a volunteer team needs a teamCategory",
        )),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(AppError::bad_input(
            "teamCategory",
            "only volunteer teams have a teamCategory",
        )),
    }
}

/// An `AFFILIATED` unit needs a host: an active ancestor with an organization
/// of its own. Any other form has no host.
pub fn host(
    form: Option<OrgForm>,
    host: Option<&OrgUnit>,
    ancestry: &Ancestry,
) -> AppResult<Option<i64>> {
    match (form, host) {
        (Some(OrgForm::Affiliated), None) => Err(AppError::bad_input(
            "hostUnitId",
            "an AFFILIATED unit needs hostUnitId: the ancestor whose organization covers it",
        )),
        (Some(OrgForm::Affiliated), Some(h)) => {
            if !ancestry.contains(h.id) {
                return Err(AppError::bad_input(
                    "hostUnitId",
                    format!("{} is not an ancestor of this unit", h.name),
                ));
            }
            if !h.can_host() {
                return Err(AppError::bad_input(
                    "hostUnitId",
                    format!("{} has no active party organization of its own", h.name),
                ));
            }
            Ok(Some(h.id))
        }
        (_, None) => Ok(None),
        (_, Some(_)) => Err(AppError::bad_input(
            "hostUnitId",
            "only an AFFILIATED unit has a hostUnitId",
        )),
    }
}

/// A date that must lie in the accepted range and not in the future.
pub fn not_future(field: &str, date: Option<NaiveDate>, today: NaiveDate) -> AppResult<()> {
    if let Some(d) = date {
        text::date(field, d)?;
    }
    match date {
        Some(d) if d > today => Err(AppError::bad_input(
            field,
            format!("{field} {d} lies in the future"),
        )),
        _ => Ok(()),
    }
}

/// A unit may be written to only while it is active.
pub fn active(unit: &OrgUnit) -> AppResult<()> {
    if unit.is_active() {
        Ok(())
    } else {
        Err(AppError::conflict(format!(
            "{} is dissolved; restore it first",
            unit.name
        )))
    }
}

/// A move keeps the level rule and never puts a unit under itself or its
/// own descendant.
pub fn moving(unit: &OrgUnit, new_parent: &OrgUnit) -> AppResult<()> {
    active(unit)?;
    if new_parent.id == unit.id {
        return Err(AppError::bad_input(
            "newParentId",
            "a unit cannot be its own parent",
        ));
    }
    if new_parent.ancestry.contains(unit.id) {
        return Err(AppError::bad_input(
            "newParentId",
            format!(
                "{} lies inside {}; a unit cannot move under its own descendant",
                new_parent.name, unit.name
            ),
        ));
    }
    placement(unit.unit_type, Some(new_parent), "newParentId")
}

/// Dissolving needs a reason and a date that is neither in the future nor
/// before the founding date, and the unit must have no active children.
pub fn dissolving(
    unit: &OrgUnit,
    on: NaiveDate,
    reason: &str,
    active_children: i64,
    today: NaiveDate,
) -> AppResult<String> {
    active(unit)?;
    not_future("on", Some(on), today)?;
    if unit.founded_on.is_some_and(|f| on < f) {
        return Err(AppError::bad_input(
            "on",
            "a unit cannot be dissolved before it was founded",
        ));
    }
    let reason = optional_text("reason", Some(reason), MAX_REASON_CHARS)?
        .ok_or_else(|| AppError::bad_input("reason", "give the reason for dissolving"))?;
    if active_children > 0 {
        return Err(AppError::conflict(format!(
            "{} still has {active_children} active child unit(s); move or dissolve them first",
            unit.name
        )));
    }
    Ok(reason)
}

/// Restoring needs a dissolved unit under an active parent.
pub fn restoring(unit: &OrgUnit, parent: Option<&OrgUnit>) -> AppResult<()> {
    if unit.is_active() {
        return Err(AppError::conflict(format!(
            "{} is not dissolved",
            unit.name
        )));
    }
    if let Some(p) = parent.filter(|p| !p.is_active()) {
        return Err(AppError::conflict(format!(
            "its parent {} is dissolved; restore the parent first",
            p.name
        )));
    }
    Ok(())
}
