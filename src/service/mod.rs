//! Grassroots work (issue 13): volunteer service activities (志愿服务),
//! residents' problems (民情诉求) and their status flow, cadres' duty logs,
//! training sessions and the village collective economy (村集体经济).
//! Each write runs in the caller's transaction: load and lock the
//! township, ask the policy, check the rules, write, keep the counters
//! (`tallies`), audit. Summaries read only the counters.

pub mod activities;
pub mod config;
pub mod duties;
pub mod economy;
pub mod economy_summary;
pub mod problem_steps;
pub mod problems;
pub mod ranking;
pub mod rebuild;
pub mod rows;
pub mod store;
pub mod summary;
pub mod tallies;
pub mod training;

use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::{ActionKind, Sight};
use crate::db::DbConnection;
use crate::domain::people::Person;
use crate::domain::OrgUnit;
use crate::error::{AppError, AppResult};
use crate::ids::{encode, Kind};
use crate::tree::locks;

/// The unit `id`, its township locked, if the actor sees it in full
/// (`NOT_FOUND` otherwise) and may do `action` there.
pub(crate) fn unit_for(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: i64,
    action: ActionKind,
    field: &str,
) -> AppResult<OrgUnit> {
    let unit = locks::unit(conn, id, field)?;
    if actor.viewer.visibility().sight(&unit) != Sight::Full {
        return Err(AppError::unit_not_found(field));
    }
    actor.viewer.check(action, Some(&unit), field)?;
    Ok(unit)
}

/// Unit `id`, whoever sees it (a record's own unit, which exists).
pub(crate) fn unit_of(conn: &mut DbConnection, id: i64) -> AppResult<OrgUnit> {
    crate::tree::read::find(conn, &crate::auth::Visibility::Everything, id)?
        .ok_or_else(|| AppError::internal(format!("unit {id} of a record vanished")))
}

/// Person `id` with their unit, if the actor sees them in full;
/// `NOT_FOUND` on `field` alike for a missing person and one out of sight.
pub(crate) fn person_seen(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: i64,
    field: &str,
) -> AppResult<(Person, OrgUnit)> {
    let missing = || AppError::NotFound(format!("no such person ({field})"));
    let person = crate::people::store::find(conn, id)?.ok_or_else(missing)?;
    let unit = crate::tree::read::find(conn, &crate::auth::Visibility::Everything, person.unit_id)?
        .ok_or_else(missing)?;
    if actor.viewer.visibility().sight(&unit) == Sight::Full {
        return Ok((person, unit));
    }
    // Someone who belongs elsewhere but holds a post in sight (a team's
    // volunteer, a linked leader) is seen through that post.
    use crate::db::schema::positions::dsl as ps;
    use diesel::prelude::*;
    let posts: Vec<i64> = ps::positions
        .filter(ps::person_id.eq(id))
        .select(ps::unit_id)
        .load(conn)?;
    for post in posts {
        let at = crate::tree::read::find(conn, &crate::auth::Visibility::Everything, post)?;
        if at.is_some_and(|u| actor.viewer.visibility().sight(&u) == Sight::Full) {
            return Ok((person, unit));
        }
    }
    Err(missing())
}

/// Writes the audit line of a change to a record of `kind`.
pub(crate) fn audit<T: serde::Serialize>(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    (kind, id): (Kind, i64),
    unit: &OrgUnit,
    (before, after): (Option<&T>, Option<&T>),
) -> AppResult<()> {
    audit::record(
        conn,
        &AuditEntry::new(actor, action, encode(kind, id), Some(unit), before, after),
    )
}
