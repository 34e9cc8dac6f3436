//! Organizational coverage (docs/design.md §1): which management units have a
//! party organization, counted by units — never by adding up organizations.

use std::collections::BTreeMap;

use super::kinds::{Level, OrgForm, UnitType};
use super::org_unit::OrgUnit;

/// What one coverage counter counts: active units of one level, type and
/// form, and whether an `AFFILIATED` unit's host has lost its organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CoverageKey {
    pub level: Level,
    pub unit_type: UnitType,
    pub org_form: OrgForm,
    pub host_lost: bool,
    /// No active child: the five-level chain (五级联动) breaks here.
    pub childless: bool,
}

impl CoverageKey {
    /// A unit is covered when it has a form other than `NONE` and, if
    /// affiliated, its host still has an organization.
    pub fn covered(&self) -> bool {
        self.org_form != OrgForm::None && !self.host_lost
    }

    /// The counter an active unit falls into; `None` for dissolved units.
    /// Volunteer teams have a counter of their own (form `NONE`, see
    /// [`CoverageKey::is_team`]) that coverage leaves out: it counts teams.
    pub fn of(unit: &OrgUnit, host: Option<&OrgUnit>, active_children: i64) -> Option<CoverageKey> {
        CoverageKey::from_parts(
            unit.unit_type,
            unit.org_form,
            unit.is_active(),
            host.is_some_and(OrgUnit::can_host),
            active_children,
        )
    }

    /// [`CoverageKey::of`] from the facts it needs.
    pub fn from_parts(
        unit_type: UnitType,
        org_form: Option<OrgForm>,
        active: bool,
        host_can_host: bool,
        active_children: i64,
    ) -> Option<CoverageKey> {
        if !active {
            return None;
        }
        let level = unit_type.level();
        let org_form = match (level, org_form) {
            (Level::VolunteerTeam, _) => OrgForm::None,
            (_, form) => form?,
        };
        Some(CoverageKey {
            level,
            unit_type,
            org_form,
            host_lost: org_form == OrgForm::Affiliated && !host_can_host,
            childless: level == Level::VolunteerTeam || active_children == 0,
        })
    }

    /// A volunteer team's counter: counted as a unit, not for coverage.
    pub fn is_team(&self) -> bool {
        self.level == Level::VolunteerTeam
    }
}

/// Whether a unit counts for coverage (`None`: a volunteer team or a
/// dissolved unit) and, if it does, why it is a gap (`Some(None)`: covered).
pub fn gap_reason(unit: &OrgUnit, host: Option<&OrgUnit>) -> Option<Option<GapReason>> {
    let form = unit.org_form.filter(|_| unit.is_active())?;
    Some(match form {
        OrgForm::None => Some(GapReason::NoOrganization),
        OrgForm::Affiliated if !host.is_some_and(OrgUnit::can_host) => Some(GapReason::HostLost),
        _ => None,
    })
}

/// Why a unit is a coverage gap.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GapReason {
    /// 未建立党组织: form `NONE`.
    NoOrganization,
    /// 挂靠组织失效: `AFFILIATED`, but the host was dissolved or has no organization any more.
    HostLost,
}

/// Counts for one slice (a unit type, a level, or everything).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub total: i64,
    pub covered: i64,
    /// Units with no active child (a break in the five-level chain).
    pub chain_gaps: i64,
    pub by_form: BTreeMap<OrgForm, i64>,
}

impl Counts {
    fn add(&mut self, key: &CoverageKey, n: i64) {
        self.total += n;
        if key.covered() {
            self.covered += n;
        }
        if key.childless {
            self.chain_gaps += n;
        }
        *self.by_form.entry(key.org_form).or_default() += n;
    }

    pub fn gaps(&self) -> i64 {
        self.total - self.covered
    }

    /// Covered share, 0 to 1; `None` when there is nothing to cover.
    pub fn rate(&self) -> Option<f64> {
        (self.total > 0).then(|| self.covered as f64 / self.total as f64)
    }
}

/// Coverage of a scope: everything, per level, and per unit type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    pub all: Counts,
    /// Active volunteer teams (level 5), which coverage does not count.
    pub teams: i64,
    pub levels: BTreeMap<Level, (Counts, BTreeMap<UnitType, Counts>)>,
}

impl Coverage {
    /// Adds up counters (zero counters are skipped).
    pub fn from_counts(counts: impl IntoIterator<Item = (CoverageKey, i64)>) -> Coverage {
        let mut c = Coverage::default();
        for (key, n) in counts.into_iter().filter(|(_, n)| *n != 0) {
            if key.is_team() {
                c.teams += n;
                continue;
            }
            c.all.add(&key, n);
            let (level, types) = c.levels.entry(key.level).or_default();
            level.add(&key, n);
            types.entry(key.unit_type).or_default().add(&key, n);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(form: OrgForm, host_lost: bool) -> CoverageKey {
        CoverageKey {
            level: Level::Grid,
            unit_type: UnitType::RelocationSite,
            org_form: form,
            host_lost,
            childless: false,
        }
    }

    /// The article's relocation sites: 8 + 35 + 1 + 68 organized, 4 not.
    #[test]
    fn the_articles_relocation_sites_come_out_at_96_6_percent() {
        let c = Coverage::from_counts([
            (key(OrgForm::Branch, false), 8),
            (key(OrgForm::PartyGroup, false), 35),
            (key(OrgForm::FunctionalBranch, false), 1),
            (key(OrgForm::Affiliated, false), 68),
            (key(OrgForm::None, false), 4),
        ]);
        let (_, types) = &c.levels[&Level::Grid];
        let sites = &types[&UnitType::RelocationSite];
        assert_eq!((sites.total, sites.covered, sites.gaps()), (116, 112, 4));
        assert_eq!(format!("{:.3}", sites.rate().unwrap_or_default()), "0.966");
        assert_eq!(sites.by_form[&OrgForm::Affiliated], 68);
    }

    #[test]
    fn an_affiliated_unit_whose_host_lost_its_organization_is_a_gap() {
        let c = Coverage::from_counts([
            (key(OrgForm::Affiliated, true), 3),
            (key(OrgForm::Affiliated, false), 1),
        ]);
        assert_eq!((c.all.total, c.all.covered, c.all.gaps()), (4, 1, 3));
        assert_eq!(c.all.by_form[&OrgForm::Affiliated], 4);
        assert_eq!(Coverage::from_counts([]).all.rate(), None);
    }
}
