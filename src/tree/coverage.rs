//! Keeping the coverage counters (`coverage_counts`) in step with the tree,
//! inside each write's transaction, and reading them.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::deltas::Deltas;
use super::read::{self, UnitFilter};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::schema::coverage_counts::dsl as c;
use crate::db::schema::org_units::dsl as u;
use crate::db::DbConnection;
use crate::domain::coverage::CoverageKey;
use crate::domain::{Level, OrgUnit};
use crate::error::{AppError, AppResult};

/// The region's counters.
pub const REGION: i64 = 0;

/// The scopes whose counters `unit` falls into: the region and its
/// ancestors at levels 1–3 (a building group has only teams beneath it).
fn scopes(unit: &OrgUnit) -> Vec<i64> {
    let mut out = vec![REGION];
    out.extend(
        [Level::Township, Level::Village, Level::Grid]
            .iter()
            .filter_map(|l| unit.ancestry.at(*l)),
    );
    out
}

fn host_of(conn: &mut DbConnection, unit: &OrgUnit) -> AppResult<Option<OrgUnit>> {
    match unit.host_unit_id {
        Some(h) => read::find(conn, &Visibility::Everything, h),
        None => Ok(None),
    }
}

/// The counter of `unit` as the database now holds it, with `children`
/// active children (`None`: count them).
fn key_of(
    conn: &mut DbConnection,
    unit: Option<&OrgUnit>,
    children: Option<i64>,
) -> AppResult<Option<CoverageKey>> {
    match unit {
        Some(unit) if unit.is_active() => {
            let host = host_of(conn, unit)?;
            let children = match children {
                Some(n) => n,
                None => read::active_children(conn, unit.id)?,
            };
            Ok(CoverageKey::of(unit, host.as_ref(), children))
        }
        _ => Ok(None),
    }
}

fn shift(
    deltas: &mut Deltas,
    unit_scopes: &[i64],
    from: Option<CoverageKey>,
    to: Option<CoverageKey>,
) {
    if from == to {
        return;
    }
    for scope in unit_scopes {
        if let Some(k) = from {
            deltas.add(*scope, k, -1);
        }
        if let Some(k) = to {
            deltas.add(*scope, k, 1);
        }
    }
}

/// `parent` gained (`+1`) or lost (`-1`) an active child, already written:
/// it may have stopped or started being a break in the chain.
fn child_count_changed(
    conn: &mut DbConnection,
    deltas: &mut Deltas,
    parent: Option<i64>,
    delta: i64,
) -> AppResult<()> {
    let Some(id) = parent else { return Ok(()) };
    diesel::update(u::org_units.find(id))
        .set(u::active_children.eq(u::active_children + delta as i32))
        .execute(conn)?;
    let Some(p) = read::find(conn, &Visibility::Everything, id)? else {
        return Ok(());
    };
    let now = read::active_children(conn, id)?;
    let (was, is) = (
        key_of(conn, Some(&p), Some(now - delta))?,
        key_of(conn, Some(&p), Some(now))?,
    );
    shift(deltas, &scopes(&p), was, is);
    Ok(())
}

/// One unit changed (created, edited, dissolved or restored; `None` for
/// "did not exist"), already written: move its own count, tell its parent
/// if it started or stopped counting as an active child, and flip the units
/// it hosts if it gained or lost an organization that can host them.
pub fn on_change(
    conn: &mut DbConnection,
    before: Option<&OrgUnit>,
    after: Option<&OrgUnit>,
    on: NaiveDate,
) -> AppResult<()> {
    let mut deltas = Deltas::new(on);
    // Before and after are the same unit, and this write changed none of
    // its children: count them once.
    let children = match after.or(before) {
        Some(u)
            if before.is_some_and(OrgUnit::is_active) || after.is_some_and(OrgUnit::is_active) =>
        {
            Some(read::active_children(conn, u.id)?)
        }
        _ => None,
    };
    let (old, new) = (
        key_of(conn, before, children)?,
        key_of(conn, after, children)?,
    );
    let (old_scopes, new_scopes) = (before.map(scopes), after.map(scopes));
    if old != new || old_scopes != new_scopes {
        shift(
            &mut deltas,
            old_scopes.as_deref().unwrap_or_default(),
            old,
            None,
        );
        shift(
            &mut deltas,
            new_scopes.as_deref().unwrap_or_default(),
            None,
            new,
        );
    }
    let (was_active, is_active) = (
        before.is_some_and(OrgUnit::is_active),
        after.is_some_and(OrgUnit::is_active),
    );
    if was_active != is_active {
        let parent = after.or(before).and_then(|u| u.parent_id);
        child_count_changed(conn, &mut deltas, parent, if is_active { 1 } else { -1 })?;
    }
    let hosted_before = before.is_some_and(OrgUnit::can_host);
    let hosted_after = after.is_some_and(OrgUnit::can_host);
    if hosted_before != hosted_after {
        let host_id = after.or(before).map(|h| h.id).unwrap_or_default();
        for hosted in read::hosted_by(conn, host_id)? {
            let Some(key) = key_of(conn, Some(&hosted), None)? else {
                continue;
            };
            let with = |host_lost| CoverageKey { host_lost, ..key };
            shift(
                &mut deltas,
                &scopes(&hosted),
                Some(with(!hosted_before)),
                Some(with(!hosted_after)),
            );
        }
    }
    deltas.apply(conn)
}

/// A unit moved with its subtree, already written: the subtree's counts
/// leave the scopes above it that changed and join the new ones; the old
/// parent lost a child and the new one gained one.
pub fn on_move(
    conn: &mut DbConnection,
    before: &OrgUnit,
    after: &OrgUnit,
    on: NaiveDate,
) -> AppResult<()> {
    let (old, new) = (scopes(before), scopes(after));
    let mut deltas = Deltas::new(on);
    if old != new {
        move_subtree(conn, &mut deltas, after, &old, &new)?;
    }
    child_count_changed(conn, &mut deltas, before.parent_id, -1)?;
    child_count_changed(conn, &mut deltas, after.parent_id, 1)?;
    deltas.apply(conn)
}

/// The moved subtree's counters leave the scopes `old` has and `new` lacks,
/// and join the ones `new` adds.
fn move_subtree(
    conn: &mut DbConnection,
    deltas: &mut Deltas,
    after: &OrgUnit,
    old: &[i64],
    new: &[i64],
) -> AppResult<()> {
    let mut members = read::list_all(
        conn,
        &UnitFilter {
            under: Some(UnitRef::from(after)),
            ..UnitFilter::default()
        },
    )?;
    members.push(after.clone());
    let host_ids: Vec<i64> = members.iter().filter_map(|m| m.host_unit_id).collect();
    let hosts: HashMap<i64, OrgUnit> = read::find_many(conn, &Visibility::Everything, &host_ids)?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    // Every descendant is a member, so children are counted among them.
    let mut children: HashMap<i64, i64> = HashMap::new();
    for m in members.iter().filter(|m| m.is_active()) {
        if let Some(p) = m.parent_id {
            *children.entry(p).or_default() += 1;
        }
    }
    let mut tally: HashMap<CoverageKey, i64> = HashMap::new();
    for m in &members {
        let host = m.host_unit_id.and_then(|h| hosts.get(&h));
        let n = children.get(&m.id).copied().unwrap_or_default();
        if let Some(key) = CoverageKey::of(m, host, n) {
            *tally.entry(key).or_default() += 1;
        }
    }
    for (key, n) in tally {
        for scope in old.iter().filter(|s| !new.contains(s)) {
            deltas.add(*scope, key, -n);
        }
        for scope in new.iter().filter(|s| !old.contains(s)) {
            deltas.add(*scope, key, n);
        }
    }
    Ok(())
}

/// Recomputes every counter, and every unit's count of active children,
/// from the units (after a bulk load). The same
/// statement as the backfills of migrations 3 (management units) and 4
/// (volunteer teams, counted under form `NONE`).
pub fn rebuild(conn: &mut DbConnection) -> AppResult<()> {
    // Changes deferred to the commit are in the units already.
    super::deltas::discard();
    conn.batch_execute(
        "DELETE FROM coverage_counts;
         INSERT INTO coverage_counts (scope_id, level, unit_type, org_form, host_lost, childless, n)
         SELECT scope_id, level, unit_type, org_form, host_lost, childless, COUNT(*)
         FROM (
             SELECT s.scope_id, u.level, u.unit_type, COALESCE(u.org_form, 'NONE') AS org_form,
                    CASE WHEN u.org_form = 'AFFILIATED'
                          AND (h.dissolved_on IS NOT NULL OR h.org_form IN ('NONE', 'AFFILIATED'))
                         THEN TRUE ELSE FALSE END AS host_lost,
                    CASE WHEN EXISTS (SELECT 1 FROM org_units k WHERE k.parent_id = u.id AND k.dissolved_on IS NULL)
                         THEN FALSE ELSE TRUE END AS childless
             FROM org_units u
             LEFT JOIN org_units h ON h.id = u.host_unit_id
             JOIN (
                 SELECT id, 0 AS scope_id FROM org_units
                 UNION ALL SELECT id, township_id FROM org_units WHERE township_id IS NOT NULL
                 UNION ALL SELECT id, village_id FROM org_units WHERE village_id IS NOT NULL
                 UNION ALL SELECT id, grid_id FROM org_units WHERE grid_id IS NOT NULL
             ) s ON s.id = u.id
             WHERE u.dissolved_on IS NULL
         ) c
         GROUP BY scope_id, level, unit_type, org_form, host_lost, childless;
         UPDATE org_units SET active_children = (
             SELECT COUNT(*) FROM org_units k
             WHERE k.parent_id = org_units.id AND k.dissolved_on IS NULL
         );",
    )?;
    Ok(())
}

/// The counters of one scope.
pub fn counts(conn: &mut DbConnection, scope: i64) -> AppResult<Vec<(CoverageKey, i64)>> {
    let rows: Vec<(i32, String, String, bool, bool, i64)> = c::coverage_counts
        .filter(c::scope_id.eq(scope))
        .select((
            c::level,
            c::unit_type,
            c::org_form,
            c::host_lost,
            c::childless,
            c::n,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(level, unit_type, org_form, host_lost, childless, n)| {
            let key = CoverageKey {
                level: Level::from_number(level)
                    .ok_or_else(|| AppError::internal(format!("coverage level {level}")))?,
                unit_type: unit_type.parse().map_err(AppError::internal)?,
                org_form: org_form.parse().map_err(AppError::internal)?,
                host_lost,
                childless,
            };
            Ok((key, n))
        })
        .collect()
}
