//! Reads over many units at once: per-level counts beneath units, whole
//! subtrees and filtered sets without paging, affiliations.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::read::{filtered, to_units, UnitFilter};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::models::OrgUnitRow;
use crate::db::schema::org_units::dsl as u;
use crate::db::DbConnection;
use crate::domain::{Level, OrgUnit};
use crate::error::AppResult;

/// Active units per level beneath each of `units`, as `[level 1, …, level 5]`
/// counts: one grouped statement per distinct level among `units`.
pub fn subtree_counts(
    conn: &mut DbConnection,
    units: &[(i64, Level)],
) -> AppResult<HashMap<i64, [i64; 5]>> {
    let mut out: HashMap<i64, [i64; 5]> = units.iter().map(|(id, _)| (*id, [0; 5])).collect();
    for level in Level::ALL {
        let ids: Vec<i64> = units
            .iter()
            .filter(|(_, l)| l == level)
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let active = u::dissolved_on.is_null();
        let rows: Vec<(Option<i64>, i32, i64)> = match level {
            Level::Township => u::org_units
                .filter(u::township_id.eq_any(&ids).and(active))
                .group_by((u::township_id, u::level))
                .select((u::township_id, u::level, count_star()))
                .load(conn)?,
            Level::Village => u::org_units
                .filter(u::village_id.eq_any(&ids).and(active))
                .group_by((u::village_id, u::level))
                .select((u::village_id, u::level, count_star()))
                .load(conn)?,
            Level::Grid => u::org_units
                .filter(u::grid_id.eq_any(&ids).and(active))
                .group_by((u::grid_id, u::level))
                .select((u::grid_id, u::level, count_star()))
                .load(conn)?,
            Level::BuildingGroup => u::org_units
                .filter(u::building_group_id.eq_any(&ids).and(active))
                .group_by((u::building_group_id, u::level))
                .select((u::building_group_id, u::level, count_star()))
                .load(conn)?,
            Level::VolunteerTeam => Vec::new(),
        };
        for (ancestor, level, n) in rows {
            let slot = usize::try_from(level - 1).ok().filter(|i| *i < 5);
            if let (Some(id), Some(i)) = (ancestor, slot) {
                if let Some(counts) = out.get_mut(&id) {
                    counts[i] = n;
                }
            }
        }
    }
    Ok(out)
}

/// Active direct children of `id`.
pub fn active_children(conn: &mut DbConnection, id: i64) -> AppResult<i64> {
    Ok(u::org_units
        .filter(u::parent_id.eq(id))
        .filter(u::dissolved_on.is_null())
        .select(count_star())
        .first(conn)?)
}

/// Up to `limit` active affiliated units in the subtree rooted at `root`
/// (itself included) whose host is one of `hosts`.
pub fn affiliated_to(
    conn: &mut DbConnection,
    root: &OrgUnit,
    hosts: &[i64],
    limit: i64,
) -> AppResult<Vec<OrgUnit>> {
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    let in_subtree = UnitFilter {
        under: Some(UnitRef::from(root)),
        ..UnitFilter::default()
    };
    let descendants = filtered(&Visibility::Everything, &in_subtree)
        .filter(u::host_unit_id.eq_any(hosts))
        .select(OrgUnitRow::as_select())
        .limit(limit)
        .load(conn)?;
    let mut units = to_units(descendants)?;
    if root.host_unit_id.is_some_and(|h| hosts.contains(&h)) && root.is_active() {
        units.insert(0, root.clone());
    }
    Ok(units)
}

/// Every unit matching `filter`, unpaged (for bounded sets: a moved
/// subtree, a report's gap list, a bulk history).
pub fn list_all(conn: &mut DbConnection, filter: &UnitFilter) -> AppResult<Vec<OrgUnit>> {
    list_visible(conn, &Visibility::Everything, filter)
}

/// [`list_all`], of what `visibility` shows.
pub fn list_visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &UnitFilter,
) -> AppResult<Vec<OrgUnit>> {
    let rows = filtered(visibility, filter)
        .order(u::id)
        .select(OrgUnitRow::as_select())
        .load(conn)?;
    to_units(rows)
}

/// Active management units whose `AFFILIATED` host is `host`.
pub fn hosted_by(conn: &mut DbConnection, host: i64) -> AppResult<Vec<OrgUnit>> {
    let rows = u::org_units
        .filter(u::host_unit_id.eq(host))
        .filter(u::dissolved_on.is_null())
        .select(OrgUnitRow::as_select())
        .load(conn)?;
    to_units(rows)
}
