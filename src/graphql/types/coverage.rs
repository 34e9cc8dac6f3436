//! `Coverage`: which management units have a party organization, computed
//! from the units (never typed in), per level and unit type.

use async_graphql::SimpleObject;

use crate::domain::coverage::{Counts, Coverage as Tally};
use chrono::NaiveDate;

use super::scalars::Date;
use crate::domain::{Level, OrgForm, UnitType};

/// Coverage of a scope: all management units (levels 1–4), then per level.
#[derive(SimpleObject, Debug, Clone)]
pub struct Coverage {
    /// Active management units counted.
    pub total: i64,
    /// Units with a party organization (of their own, or affiliated to a host that has one).
    pub covered: i64,
    /// Units without: form `NONE`, or affiliated to a host that lost its organization.
    pub gaps: i64,
    /// `covered / total`, 0 to 1; null when there are no units.
    pub rate: Option<f64>,
    /// Units with no active child, where the five-level chain (五级联动) breaks.
    pub chain_gaps: i64,
    /// Per level, township first.
    pub levels: Vec<LevelCoverage>,
    /// Active volunteer teams (level 5) in the same scope; not part of coverage.
    pub volunteer_teams: i64,
    /// The day this answers for; null: now.
    pub as_of: Option<Date>,
}

/// Coverage of one level.
#[derive(SimpleObject, Debug, Clone)]
pub struct LevelCoverage {
    /// The level.
    pub level: Level,
    /// Its Chinese label.
    pub level_label: &'static str,
    /// Active units at this level.
    pub total: i64,
    /// Covered units.
    pub covered: i64,
    /// Gaps.
    pub gaps: i64,
    /// `covered / total`, 0 to 1; null when there are no units.
    pub rate: Option<f64>,
    /// Units with no active child.
    pub chain_gaps: i64,
    /// Units per organization form.
    pub by_form: Vec<FormCount>,
    /// The same per unit type.
    pub unit_types: Vec<UnitTypeCoverage>,
}

/// Coverage of one unit type.
#[derive(SimpleObject, Debug, Clone)]
pub struct UnitTypeCoverage {
    /// The unit type.
    pub unit_type: UnitType,
    /// Its Chinese label.
    pub unit_type_label: &'static str,
    /// Active units of this type.
    pub total: i64,
    /// Covered units.
    pub covered: i64,
    /// Gaps.
    pub gaps: i64,
    /// `covered / total`, 0 to 1; null when there are no units.
    pub rate: Option<f64>,
    /// Units with no active child.
    pub chain_gaps: i64,
    /// Units per organization form.
    pub by_form: Vec<FormCount>,
}

/// How many units have one organization form.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct FormCount {
    /// The form.
    pub form: OrgForm,
    /// Its Chinese label.
    pub form_label: &'static str,
    /// Units with it.
    pub count: i64,
}

fn forms(c: &Counts) -> Vec<FormCount> {
    c.by_form
        .iter()
        .filter(|(_, n)| **n != 0)
        .map(|(form, count)| FormCount {
            form: *form,
            form_label: form.label(),
            count: *count,
        })
        .collect()
}

impl Coverage {
    /// The answer for `t`, counted at the end of `as_of` (`None`: now).
    pub fn new(t: Tally, as_of: Option<NaiveDate>) -> Self {
        Coverage {
            volunteer_teams: t.teams,
            as_of: as_of.map(Date),
            total: t.all.total,
            covered: t.all.covered,
            gaps: t.all.gaps(),
            rate: t.all.rate(),
            chain_gaps: t.all.chain_gaps,
            levels: t
                .levels
                .iter()
                .map(|(level, (counts, types))| LevelCoverage {
                    level: *level,
                    level_label: level.label(),
                    total: counts.total,
                    covered: counts.covered,
                    gaps: counts.gaps(),
                    rate: counts.rate(),
                    chain_gaps: counts.chain_gaps,
                    by_form: forms(counts),
                    unit_types: types
                        .iter()
                        .map(|(unit_type, c)| UnitTypeCoverage {
                            unit_type: *unit_type,
                            unit_type_label: unit_type.label(),
                            total: c.total,
                            covered: c.covered,
                            gaps: c.gaps(),
                            rate: c.rate(),
                            chain_gaps: c.chain_gaps,
                            by_form: forms(c),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
