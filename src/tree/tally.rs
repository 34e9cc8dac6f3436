//! Adding up coverage counters for what a viewer asks about: now, at the
//! end of a past day, or at the end of each period of a trend.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::coverage::{self, REGION};
use super::{history, read};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::domain::coverage::{Coverage, CoverageKey};
use crate::domain::period::Period;
use crate::domain::{Level, UnitType};
use crate::error::AppResult;

/// The counters one question adds up: scopes whose units beneath count,
/// and units that count themselves (a scoped viewer's own scope units).
#[derive(Debug, Clone, Default)]
pub struct Counted {
    beneath: Vec<UnitRef>,
    region: bool,
    selves: Vec<i64>,
}

impl Counted {
    /// What lies beneath `under`, or everything `visibility` shows: the
    /// region, or each outermost scope unit with what lies beneath it.
    pub fn new(under: Option<UnitRef>, visibility: &Visibility) -> Counted {
        match (under, visibility) {
            (Some(unit), _) => Counted {
                beneath: vec![unit],
                ..Counted::default()
            },
            (None, Visibility::Everything) => Counted {
                region: true,
                ..Counted::default()
            },
            (None, Visibility::Nothing) => Counted::default(),
            (None, Visibility::Units(scopes)) => {
                let outermost: Vec<UnitRef> = scopes
                    .iter()
                    .filter(|s| !scopes.iter().any(|o| s.ancestry.contains(o.id)))
                    .copied()
                    .collect();
                Counted {
                    selves: outermost.iter().map(|s| s.id).collect(),
                    beneath: outermost,
                    region: false,
                }
            }
        }
    }

    /// Scopes with counters of their own (levels 1–3, or the region).
    fn counter_scopes(&self) -> Vec<i64> {
        let own = self
            .beneath
            .iter()
            .filter(|s| s.level != Level::BuildingGroup);
        let mut out: Vec<i64> = own.map(|s| s.id).collect();
        if self.region {
            out.push(REGION);
        }
        out
    }

    /// Building groups: only teams lie beneath them, counted directly.
    fn groups(&self) -> impl Iterator<Item = i64> + '_ {
        self.beneath
            .iter()
            .filter(|s| s.level == Level::BuildingGroup)
            .map(|s| s.id)
    }

    /// The counters as the units now stand.
    pub fn now(&self, conn: &mut DbConnection) -> AppResult<Coverage> {
        Ok(Coverage::from_counts(self.counts_now(conn)?))
    }

    /// How many active units are counted here whose key `keep`s: a read
    /// of a few counter rows per scope, whatever the number of units.
    pub fn units(
        &self,
        conn: &mut DbConnection,
        keep: impl Fn(&CoverageKey) -> bool,
    ) -> AppResult<i64> {
        Ok(self
            .counts_now(conn)?
            .into_iter()
            .filter(|(k, _)| keep(k))
            .map(|(_, n)| n)
            .sum())
    }

    fn counts_now(&self, conn: &mut DbConnection) -> AppResult<Vec<(CoverageKey, i64)>> {
        let mut counts: Vec<(CoverageKey, i64)> = Vec::new();
        for scope in self.counter_scopes() {
            counts.extend(coverage::counts(conn, scope)?);
        }
        for group in self.groups() {
            counts.push((team(), read::active_children(conn, group)?));
        }
        for unit in read::find_many(conn, &Visibility::Everything, &self.selves)? {
            let host = match unit.host_unit_id {
                Some(h) => read::find(conn, &Visibility::Everything, h)?,
                None => None,
            };
            let children = read::active_children(conn, unit.id)?;
            counts.extend(CoverageKey::of(&unit, host.as_ref(), children).map(|k| (k, 1)));
        }
        Ok(counts)
    }

    /// What was counted beneath, and of themselves, at the end of day `on`.
    fn extras_at(
        &self,
        conn: &mut DbConnection,
        on: NaiveDate,
    ) -> AppResult<Vec<(CoverageKey, i64)>> {
        let mut out = Vec::new();
        for group in self.groups() {
            out.push((team(), history::children_at(conn, group, on)?));
        }
        for id in &self.selves {
            out.extend(history::key_at(conn, *id, on)?.map(|k| (k, 1)));
        }
        Ok(out)
    }

    /// The counters as they stood at the end of day `on`.
    pub fn at(&self, conn: &mut DbConnection, on: NaiveDate) -> AppResult<Coverage> {
        let mut counts = self.extras_at(conn, on)?;
        for scope in self.counter_scopes() {
            counts.extend(history::counts_at(conn, scope, on)?);
        }
        Ok(Coverage::from_counts(counts))
    }

    /// The counters at the end of each period (in order): one read of each
    /// scope's history, added up period by period.
    pub fn trend(&self, conn: &mut DbConnection, periods: &[Period]) -> AppResult<Vec<Coverage>> {
        let Some(last) = periods.last() else {
            return Ok(Vec::new());
        };
        let mut changes: BTreeMap<NaiveDate, Vec<(CoverageKey, i64)>> = BTreeMap::new();
        for scope in self.counter_scopes() {
            for (day, rows) in history::changes_until(conn, scope, last.on)? {
                changes.entry(day).or_default().extend(rows);
            }
        }
        let mut running: BTreeMap<CoverageKey, i64> = BTreeMap::new();
        let mut days = changes.into_iter().peekable();
        let mut out = Vec::with_capacity(periods.len());
        for p in periods {
            while let Some((_, rows)) = days.next_if(|(d, _)| *d <= p.on) {
                for (k, n) in rows {
                    *running.entry(k).or_default() += n;
                }
            }
            let mut counts = self.extras_at(conn, p.on)?;
            counts.extend(running.iter().map(|(k, n)| (*k, *n)));
            out.push(Coverage::from_counts(counts));
        }
        Ok(out)
    }
}

/// The counter of one active volunteer team (see [`CoverageKey::is_team`]).
fn team() -> CoverageKey {
    CoverageKey {
        level: Level::VolunteerTeam,
        unit_type: UnitType::VolunteerTeam,
        org_form: crate::domain::OrgForm::None,
        host_lost: false,
        childless: true,
    }
}
