//! The staffing rules (docs/design.md §2) over units and posts. Which units fail
//! which rule is stored in `staffing_gaps`, refreshed by every write that
//! can change it (a post started or ended, a person's status, a unit's
//! form, creation, dissolution, a move), so `staffingSummary` counts index
//! entries and `staffingGaps` lists them. `computed` is the definition the
//! stored rows are refreshed from, and what tests check them against.

use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::read::Condition;
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath};
use crate::db::schema::org_units::dsl as u;
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::dsl as ps;
use crate::db::schema::staffing_gaps::{self, dsl as sg};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::people::{PoliticalStatus, PositionRole};
use crate::domain::staffing::{head_of, StaffingRule};
use crate::domain::{Level, OrgForm};
use crate::error::AppResult;

/// Units with no active `role` post of their own (correlated, so checking
/// a few units reads a few index entries).
fn lacking(role: PositionRole) -> Condition {
    Box::new(not(exists(
        ps::positions
            .filter(ps::unit_id.eq(u::id))
            .filter(ps::role.eq(role.as_str()))
            .filter(ps::ended_on.is_null()),
    )))
}

fn at(level: Level) -> Condition {
    Box::new(u::level.eq(level.number()))
}

/// The units failing `rule`, computed from units and posts.
pub fn computed(rule: StaffingRule) -> Condition {
    match rule {
        StaffingRule::Grid3Plus1PlusN => {
            let volunteers = ps::positions
                .filter(ps::grid_id.eq(u::id.nullable()))
                .filter(ps::role.eq(PositionRole::Volunteer.as_str()))
                .filter(ps::ended_on.is_null());
            Box::new(
                at(Level::Grid).and(
                    lacking(PositionRole::GridHead)
                        .or(lacking(PositionRole::GridLiaison))
                        .or(not(exists(volunteers))),
                ),
            )
        }
        StaffingRule::GridInstructor => {
            Box::new(at(Level::Grid).and(lacking(PositionRole::Instructor)))
        }
        StaffingRule::VillageLinkedLeader => {
            Box::new(at(Level::Village).and(lacking(PositionRole::LinkedLeader)))
        }
        StaffingRule::TownshipLinkedLeader => {
            Box::new(at(Level::Township).and(lacking(PositionRole::LinkedLeader)))
        }
        StaffingRule::TeamPartyLeader => {
            let members =
                p::persons
                    .filter(p::id.eq(ps::person_id))
                    .filter(p::political_status.eq_any([
                        PoliticalStatus::FullMember.as_str(),
                        PoliticalStatus::Probationary.as_str(),
                    ]));
            let led = ps::positions
                .filter(ps::unit_id.eq(u::id))
                .filter(ps::role.eq(PositionRole::TeamLeader.as_str()))
                .filter(ps::ended_on.is_null())
                .filter(exists(members));
            Box::new(at(Level::VolunteerTeam).and(not(exists(led))))
        }
        StaffingRule::SecretaryVacant => {
            let forms = |role: PositionRole| -> Vec<&'static str> {
                OrgForm::ALL
                    .iter()
                    .filter(|f| head_of(**f) == Some(role))
                    .map(|f| f.as_str())
                    .collect()
            };
            let needs_secretary = u::org_form
                .assume_not_null()
                .eq_any(forms(PositionRole::Secretary));
            let needs_leader = u::org_form
                .assume_not_null()
                .eq_any(forms(PositionRole::GroupLeader));
            Box::new(
                needs_secretary
                    .and(lacking(PositionRole::Secretary))
                    .or(needs_leader.and(lacking(PositionRole::GroupLeader))),
            )
        }
    }
}

/// The units stored as failing `rule` (for lists).
pub fn failing(rule: StaffingRule) -> Condition {
    Box::new(
        u::id.eq_any(
            sg::staffing_gaps
                .filter(sg::rule.eq(rule.as_str()))
                .select(sg::unit_id),
        ),
    )
}

type Ancestry = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);

fn store(conn: &mut DbConnection, rule: StaffingRule, rows: &[(i64, Ancestry)]) -> AppResult<()> {
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, (t, v, g, b))| {
                (
                    sg::unit_id.eq(*id),
                    sg::rule.eq(rule.as_str()),
                    sg::township_id.eq(*t),
                    sg::village_id.eq(*v),
                    sg::grid_id.eq(*g),
                    sg::building_group_id.eq(*b),
                )
            })
            .collect();
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(staffing_gaps::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// Stores the active units of `units` that fail `rule`.
fn store_failing(
    conn: &mut DbConnection,
    rule: StaffingRule,
    units: crate::db::schema::org_units::BoxedQuery<'_, MultiBackend>,
) -> AppResult<()> {
    let rows: Vec<(i64, Ancestry)> = units
        .filter(u::dissolved_on.is_null())
        .filter(computed(rule))
        .select((
            u::id,
            (
                u::township_id,
                u::village_id,
                u::grid_id,
                u::building_group_id,
            ),
        ))
        .load(conn)?;
    store(conn, rule, &rows)
}

/// Recomputes which rules the units `ids` fail (dissolved units fail none).
pub fn refresh(conn: &mut DbConnection, ids: &[i64]) -> AppResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    diesel::delete(sg::staffing_gaps.filter(sg::unit_id.eq_any(&ids))).execute(conn)?;
    let levels: Vec<i32> = u::org_units
        .filter(u::id.eq_any(&ids))
        .filter(u::dissolved_on.is_null())
        .select(u::level)
        .distinct()
        .load(conn)?;
    let levels: Vec<Level> = levels.into_iter().filter_map(Level::from_number).collect();
    for &rule in StaffingRule::ALL {
        if !levels.iter().any(|l| rule.applies_to(*l)) {
            continue;
        }
        let these = u::org_units.filter(u::id.eq_any(ids.clone())).into_boxed();
        store_failing(conn, rule, these)?;
    }
    Ok(())
}

/// Recomputes what a post of `role` started or ended in `unit` can alter:
/// the unit, and for a volunteer also the grid it lies in (volunteers
/// count for their grid, whatever unit beneath it they serve).
pub fn refresh_post(
    conn: &mut DbConnection,
    unit: &crate::domain::OrgUnit,
    role: PositionRole,
) -> AppResult<()> {
    let grid = (role == PositionRole::Volunteer)
        .then(|| unit.ancestry.at(Level::Grid))
        .flatten();
    refresh(
        conn,
        &[Some(unit.id), grid]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    )
}

/// The settings key holding the version of the rule set the stored gaps
/// were computed with.
pub const RULES_VERSION_KEY: &str = "staffing_rules_version";

/// Rebuilds the stored gaps when they were computed with another rule set
/// (a rule added, removed or revised since, or never built): every
/// database follows the rules of the binary that opens it. Returns whether
/// it rebuilt.
pub fn ensure_current(conn: &mut DbConnection) -> AppResult<bool> {
    use crate::db::schema::settings::dsl as s;
    let current = StaffingRule::rule_set_version();
    let stored: Option<String> = s::settings
        .filter(s::key.eq(RULES_VERSION_KEY))
        .select(s::value)
        .first(conn)
        .optional()?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(false);
    }
    refresh_all(conn)?;
    // `staffing_gaps_built` marked the first build before versions were kept.
    diesel::delete(s::settings.filter(s::key.eq_any([RULES_VERSION_KEY, "staffing_gaps_built"])))
        .execute(conn)?;
    diesel::insert_into(s::settings)
        .values((s::key.eq(RULES_VERSION_KEY), s::value.eq(&current)))
        .execute(conn)?;
    tracing::info!(version = %current, "staffing gaps rebuilt for the current rule set");
    Ok(true)
}

/// Recomputes every unit (after a bulk load, or when the table is new).
pub fn refresh_all(conn: &mut DbConnection) -> AppResult<()> {
    diesel::delete(sg::staffing_gaps).execute(conn)?;
    for &rule in StaffingRule::ALL {
        let mut q = u::org_units.into_boxed::<MultiBackend>();
        if let Some(level) = rule.level() {
            q = q.filter(u::level.eq(level.number()));
        }
        store_failing(conn, rule, q)?;
    }
    Ok(())
}

/// How many units the viewer sees beneath `under` (or anywhere) fail each
/// rule: the same units the lists show, counted from the stored gaps.
pub fn counts(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
) -> AppResult<Vec<(StaffingRule, i64)>> {
    if matches!(visibility, Visibility::Nothing) {
        return Ok(StaffingRule::ALL.iter().map(|r| (*r, 0)).collect());
    }
    StaffingRule::ALL
        .iter()
        .map(|rule| {
            let mut q = sg::staffing_gaps
                .filter(sg::rule.eq(rule.as_str()))
                .into_boxed::<MultiBackend>();
            if let Some(x) = under {
                q = q.filter(staffing_gaps::table::strictly_beneath(x.id, x.level));
            }
            if let Visibility::Units(scopes) = visibility {
                let cond = scopes
                    .iter()
                    .map(|s| staffing_gaps::table::at_or_beneath(s.id, s.level))
                    .reduce(|a, b| Box::new(a.or(b)))
                    .unwrap_or_else(ancestry::never);
                q = q.filter(cond);
            }
            let n: i64 = q.count().get_result(conn)?;
            Ok((*rule, n))
        })
        .collect()
}
