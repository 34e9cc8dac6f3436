//! The history of units loaded without one (a bulk load, or a database
//! from before history was kept): reconstructed from their rows and
//! replayed into `unit_history`, `coverage_history` and the marks.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::history::{Change, HistoryRow};
use crate::db::schema::history_marks::{self, dsl as hm};
use crate::db::schema::unit_history::{self, dsl as uh};
use crate::db::DbConnection;
use crate::domain::coverage::CoverageKey;
use crate::domain::history::{Replay, UnitState};
use crate::domain::OrgUnit;
use crate::error::AppResult;

/// One change for [`backfill`].
pub struct Dated {
    pub on: NaiveDate,
    pub unit_id: i64,
    pub change: Change,
    pub state: UnitState,
}

/// Writes the history of units loaded without one (a bulk load, or a
/// database from before history was kept): replays `changes` in date order
/// into `unit_history`, `coverage_history` and the townships' marks. The
/// replay ends at the units' current state, so the history's sums equal
/// the live counters.
pub fn backfill(
    conn: &mut DbConnection,
    mut changes: Vec<Dated>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    changes.sort_by_key(|c| c.on);
    let mut replay = Replay::default();
    let mut deltas: HashMap<(i64, NaiveDate, CoverageKey), i64> = HashMap::new();
    let mut marks: HashMap<i64, NaiveDate> = HashMap::new();
    let mut township: HashMap<i64, i64> = HashMap::new();
    for day in changes.chunk_by(|a, b| a.on == b.on) {
        let on = day[0].on;
        let batch: Vec<(i64, UnitState)> =
            day.iter().map(|c| (c.unit_id, c.state.clone())).collect();
        for (scope, key, n) in replay.day(&batch) {
            *deltas.entry((scope, on, key)).or_default() += n;
        }
        for (id, s) in &batch {
            let t = s
                .parent_id
                .and_then(|p| township.get(&p).copied())
                .unwrap_or(*id);
            township.insert(*id, t);
            marks.insert(t, on);
        }
    }
    let rows: Vec<HistoryRow> = changes
        .iter()
        .map(|c| HistoryRow::new(c.unit_id, &c.state, c.change, c.on, now))
        .collect();
    super::deltas::insert_history(conn, deltas)?;
    for chunk in rows.chunks(2000) {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(unit_history::table)
            .values(chunk)
            .execute(c))?;
    }
    let marks: Vec<_> = marks
        .into_iter()
        .map(|(t, on)| (hm::township_id.eq(t), hm::last_on.eq(on)))
        .collect();
    for chunk in marks.chunks(2000) {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(history_marks::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Whether units exist with no history at all (a database from before
/// history was kept).
pub fn missing(conn: &mut DbConnection) -> AppResult<bool> {
    use crate::db::schema::org_units::dsl as u;
    use diesel::dsl::exists;
    // EXISTS, not COUNT(*): this runs at every start.
    let kept: bool = diesel::select(exists(uh::unit_history.select(uh::id))).get_result(conn)?;
    let units: bool = diesel::select(exists(u::org_units.select(u::id))).get_result(conn)?;
    Ok(!kept && units)
}

/// A history for units that have none: each joins the tree on `joined`
/// (never before its parent), and, where `organized` gives a later day,
/// has no organization (`NONE`) until then — callers give that only to
/// units that host nobody. Dissolved units leave on their dissolution day.
pub fn reconstruct(
    units: &[OrgUnit],
    joined: impl Fn(&OrgUnit) -> NaiveDate,
    organized: impl Fn(&OrgUnit) -> Option<NaiveDate>,
) -> Vec<Dated> {
    let mut order: Vec<&OrgUnit> = units.iter().collect();
    order.sort_by_key(|u| (u.level().number(), u.id));
    let mut day: HashMap<i64, NaiveDate> = HashMap::new();
    let mut out = Vec::with_capacity(units.len());
    for u in order {
        let parent_day = u.parent_id.and_then(|p| day.get(&p).copied());
        let on = parent_day.map_or(joined(u), |p| joined(u).max(p));
        day.insert(u.id, on);
        let state = UnitState {
            active: true,
            ..UnitState::from(u)
        };
        let mut last = on;
        match organized(u).filter(|d| *d > on && u.org_form.is_some()) {
            Some(d) => {
                let before = UnitState {
                    org_form: Some(crate::domain::OrgForm::None),
                    host_unit_id: None,
                    ..state.clone()
                };
                out.push(Dated {
                    on,
                    unit_id: u.id,
                    change: Change::Created,
                    state: before,
                });
                out.push(Dated {
                    on: d,
                    unit_id: u.id,
                    change: Change::Updated,
                    state: state.clone(),
                });
                last = d;
            }
            None => out.push(Dated {
                on,
                unit_id: u.id,
                change: Change::Created,
                state: state.clone(),
            }),
        }
        if let Some(d) = u.dissolved_on {
            let state = UnitState {
                active: false,
                ..state
            };
            out.push(Dated {
                on: d.max(last),
                unit_id: u.id,
                change: Change::Dissolved,
                state,
            });
        }
    }
    out
}

/// Gives a database from before history was kept the history its rows
/// tell: each unit joined on the day it was created, and left on the day
/// it was dissolved. Does nothing when history is already kept.
pub fn backfill_recorded(conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<()> {
    if !missing(conn)? {
        return Ok(());
    }
    let units = super::read::list_all(
        conn,
        &super::UnitFilter {
            include_dissolved: true,
            ..super::UnitFilter::default()
        },
    )?;
    let changes = reconstruct(&units, |u| u.created_at.date_naive(), |_| None);
    backfill(conn, changes, now)
}
