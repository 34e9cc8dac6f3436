//! The tree's history in the database: every change of a unit's parent,
//! type, form, host or status with the day it took effect (`unit_history`),
//! the coverage counters' changes per day (`coverage_history`, written by
//! [`super::coverage`]), and reading coverage as of a past day.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::schema::coverage_history::dsl as ch;
use crate::db::schema::history_marks::{self, dsl as hm};
use crate::db::schema::unit_history::{self, dsl as uh};
use crate::db::DbConnection;
use crate::domain::coverage::CoverageKey;
use crate::domain::history::UnitState;
use crate::domain::{Level, OrgUnit};
use crate::error::{AppError, AppResult};

/// What happened to a unit, as `unit_history.change` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Moved,
    Dissolved,
    Restored,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "CREATED",
            Change::Updated => "UPDATED",
            Change::Moved => "MOVED",
            Change::Dissolved => "DISSOLVED",
            Change::Restored => "RESTORED",
        }
    }
}

/// The township a unit belongs to (itself, for a township).
pub fn township_of(unit: &OrgUnit) -> i64 {
    unit.ancestry.at(Level::Township).unwrap_or(unit.id)
}

/// Checks that a change to the subtrees of `townships` may take effect on
/// `on`: not in the future, and not before a change already recorded there
/// (so every day's counters stay exact); then moves their marks to `on`.
pub fn stamp(
    conn: &mut DbConnection,
    townships: &[i64],
    (field, on): (&str, NaiveDate),
    today: NaiveDate,
) -> AppResult<()> {
    if on > today {
        return Err(AppError::bad_input(
            field,
            format!("{on} is in the future; today is {today}"),
        ));
    }
    let latest: Option<NaiveDate> = hm::history_marks
        .filter(hm::township_id.eq_any(townships))
        .select(max(hm::last_on))
        .first(conn)?;
    if let Some(latest) = latest.filter(|l| on < *l) {
        return Err(AppError::bad_input(
            field,
            format!(
                "changes in this township are recorded up to {latest}; a change cannot take effect before that"
            ),
        ));
    }
    for t in townships {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(history_marks::table)
            .values((hm::township_id.eq(t), hm::last_on.eq(on)))
            .on_conflict(hm::township_id)
            .do_update()
            .set(hm::last_on.eq(on))
            .execute(c))?;
    }
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = unit_history)]
pub(super) struct HistoryRow {
    unit_id: i64,
    effective_on: NaiveDate,
    change: &'static str,
    parent_id: Option<i64>,
    unit_type: &'static str,
    org_form: Option<&'static str>,
    host_unit_id: Option<i64>,
    active: bool,
    recorded_at: chrono::NaiveDateTime,
}

impl HistoryRow {
    pub(super) fn new(
        id: i64,
        s: &UnitState,
        change: Change,
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Self {
        HistoryRow {
            unit_id: id,
            effective_on: on,
            change: change.as_str(),
            parent_id: s.parent_id,
            unit_type: s.unit_type.as_str(),
            org_form: s.org_form.map(|f| f.as_str()),
            host_unit_id: s.host_unit_id,
            active: s.active,
            recorded_at: now.naive_utc(),
        }
    }
}

/// Appends `unit`'s state after `change`, effective on `on`.
pub fn record(
    conn: &mut DbConnection,
    unit: &OrgUnit,
    change: Change,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = HistoryRow::new(unit.id, &UnitState::from(unit), change, on, now);
    diesel::insert_into(unit_history::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

type KeyColumns = (i32, String, String, bool, bool);

fn key_from(
    (level, unit_type, org_form, host_lost, childless): KeyColumns,
) -> AppResult<CoverageKey> {
    Ok(CoverageKey {
        level: Level::from_number(level)
            .ok_or_else(|| AppError::internal(format!("coverage level {level}")))?,
        unit_type: unit_type.parse().map_err(AppError::internal)?,
        org_form: org_form.parse().map_err(AppError::internal)?,
        host_lost,
        childless,
    })
}

/// The counters of `scope` as they stood at the end of day `on`.
pub fn counts_at(
    conn: &mut DbConnection,
    scope: i64,
    on: NaiveDate,
) -> AppResult<Vec<(CoverageKey, i64)>> {
    let mut sums: HashMap<CoverageKey, i64> = HashMap::new();
    for (key, n) in changes_until(conn, scope, on)?.into_values().flatten() {
        *sums.entry(key).or_default() += n;
    }
    Ok(sums.into_iter().filter(|(_, n)| *n != 0).collect())
}

/// Every counter change of `scope` up to day `to`, by day: what a trend adds up.
pub fn changes_until(
    conn: &mut DbConnection,
    scope: i64,
    to: NaiveDate,
) -> AppResult<BTreeMap<NaiveDate, Vec<(CoverageKey, i64)>>> {
    let rows: Vec<(NaiveDate, i32, String, String, bool, bool, i64)> = ch::coverage_history
        .filter(ch::scope_id.eq(scope).and(ch::day.le(to)))
        .select((
            ch::day,
            ch::level,
            ch::unit_type,
            ch::org_form,
            ch::host_lost,
            ch::childless,
            ch::n,
        ))
        .load(conn)?;
    let mut out: BTreeMap<NaiveDate, Vec<(CoverageKey, i64)>> = BTreeMap::new();
    for (day, l, t, f, h, c, n) in rows {
        out.entry(day)
            .or_default()
            .push((key_from((l, t, f, h, c))?, n));
    }
    Ok(out)
}

type StateColumns = (Option<i64>, String, Option<String>, Option<i64>, bool);

fn state_from(
    (parent_id, unit_type, org_form, host, active): StateColumns,
) -> AppResult<UnitState> {
    Ok(UnitState {
        parent_id,
        unit_type: unit_type.parse().map_err(AppError::internal)?,
        org_form: org_form
            .map(|f| f.parse())
            .transpose()
            .map_err(AppError::internal)?,
        host_unit_id: host,
        active,
    })
}

/// The state of unit `id` at the end of day `on` (`None`: not yet created).
pub fn state_at(conn: &mut DbConnection, id: i64, on: NaiveDate) -> AppResult<Option<UnitState>> {
    let row: Option<StateColumns> = uh::unit_history
        .filter(uh::unit_id.eq(id).and(uh::effective_on.le(on)))
        .order(uh::id.desc())
        .select((
            uh::parent_id,
            uh::unit_type,
            uh::org_form,
            uh::host_unit_id,
            uh::active,
        ))
        .first(conn)
        .optional()?;
    row.map(state_from).transpose()
}

/// How many active children unit `id` had at the end of day `on`.
pub fn children_at(conn: &mut DbConnection, id: i64, on: NaiveDate) -> AppResult<i64> {
    let candidates: Vec<i64> = uh::unit_history
        .filter(uh::parent_id.eq(id).and(uh::effective_on.le(on)))
        .select(uh::unit_id)
        .distinct()
        .load(conn)?;
    let mut n = 0;
    for k in candidates {
        if state_at(conn, k, on)?.is_some_and(|s| s.active && s.parent_id == Some(id)) {
            n += 1;
        }
    }
    Ok(n)
}

/// The counter unit `id` itself fell into at the end of day `on`.
pub fn key_at(conn: &mut DbConnection, id: i64, on: NaiveDate) -> AppResult<Option<CoverageKey>> {
    let Some(state) = state_at(conn, id, on)? else {
        return Ok(None);
    };
    let host = match state.host_unit_id {
        Some(h) => state_at(conn, h, on)?,
        None => None,
    };
    let children = children_at(conn, id, on)?;
    Ok(state.key(host.as_ref(), children))
}

pub use super::backfill::{backfill, backfill_recorded, missing, reconstruct, Dated};
