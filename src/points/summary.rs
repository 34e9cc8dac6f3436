//! Summaries of the points system: a scope's year by category, and a
//! household's year, read from the kept totals (a household's own records
//! for its ledger).

use diesel::prelude::*;

use super::tallies::{REGION, SCORED};
use crate::auth::policy::UnitRef;
use crate::db::schema::household_counts::dsl as hc;
use crate::db::schema::points_tallies::dsl as pt;
use crate::db::DbConnection;
use crate::error::AppResult;

/// One category's figures in a summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CategoryFigures {
    pub category: String,
    /// Records in force (reversed ones and reversals cancel out).
    pub records: i64,
    /// Points added by items that add, net of their reversals.
    pub added: i64,
    /// Points deducted by items that deduct, net of their reversals.
    pub deducted: i64,
}

/// A year of the points system within a scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub year: i32,
    /// Households counted that year: registered by its end, not closed
    /// before it began.
    pub households: i64,
    /// Households with at least one record in force.
    pub scored: i64,
    pub categories: Vec<CategoryFigures>,
}

impl Summary {
    /// Adds another scope's figures (disjoint scopes only).
    pub fn add(&mut self, other: Summary) {
        self.households += other.households;
        self.scored += other.scored;
        for c in other.categories {
            match self
                .categories
                .iter_mut()
                .find(|x| x.category == c.category)
            {
                Some(x) => {
                    x.records += c.records;
                    x.added += c.added;
                    x.deducted += c.deducted;
                }
                None => self.categories.push(c),
            }
        }
        self.categories.sort_by(|a, b| a.category.cmp(&b.category));
    }
}

/// The summary of `year` within scope `scope` (0: the region).
pub fn summary(conn: &mut DbConnection, scope: i64, year: i32) -> AppResult<Summary> {
    let rows: Vec<(String, i64, i64, i64, i64)> = pt::points_tallies
        .filter(pt::scope_id.eq(scope))
        .filter(pt::year.eq(year))
        .order(pt::category)
        .select((
            pt::category,
            pt::records,
            pt::added,
            pt::deducted,
            pt::households,
        ))
        .load(conn)?;
    // A handful of rows: one per pair of years households counted from and to.
    let households: Vec<i64> = hc::household_counts
        .filter(hc::scope_id.eq(scope))
        .filter(hc::from_year.le(year))
        .filter(hc::to_year.ge(year))
        .select(hc::n)
        .load(conn)?;
    let mut out = Summary {
        year,
        households: households.iter().sum(),
        ..Summary::default()
    };
    for (category, records, added, deducted, households) in rows {
        if category == SCORED {
            out.scored = households;
        } else if records != 0 || added != 0 || deducted != 0 {
            out.categories.push(CategoryFigures {
                category,
                records,
                added,
                deducted,
            });
        }
    }
    Ok(out)
}

/// The summary of `year` at `under` (a unit the viewer fully sees), or
/// of everything `visibility` shows (its outermost scopes add up).
pub fn summary_seen(
    conn: &mut DbConnection,
    visibility: &crate::auth::Visibility,
    under: Option<UnitRef>,
    year: i32,
) -> AppResult<Summary> {
    use crate::auth::Visibility;
    let scopes: Vec<i64> = match (under, visibility) {
        (Some(u), _) => vec![u.id],
        (None, Visibility::Everything) => vec![REGION],
        (None, Visibility::Units(units)) => units.iter().map(|u| u.id).collect(),
        (None, Visibility::Nothing) => Vec::new(),
    };
    let mut out = Summary {
        year,
        ..Summary::default()
    };
    for scope in scopes {
        out.add(summary(conn, scope, year)?);
    }
    Ok(out)
}

/// A household's total for a year with its per-category subtotals (from
/// its own records: a household has few).
pub fn household_year(
    conn: &mut DbConnection,
    household: i64,
    year: i32,
) -> AppResult<(i64, Vec<CategoryFigures>)> {
    use crate::db::schema::point_records::dsl as r;
    let rows: Vec<(String, i32, Option<i64>)> = r::point_records
        .filter(r::household_id.eq(household))
        .filter(r::year.eq(year))
        .select((r::category, r::points, r::reverses_id))
        .load(conn)?;
    let mut total = 0;
    let mut by: Vec<CategoryFigures> = Vec::new();
    for (category, points, reverses) in rows {
        let (records, added, deducted) = super::tallies::effect_of(points, reverses.is_some());
        total += i64::from(points);
        let at = match by.iter().position(|c| c.category == category) {
            Some(i) => i,
            None => {
                by.push(CategoryFigures {
                    category,
                    ..CategoryFigures::default()
                });
                by.len() - 1
            }
        };
        by[at].records += records;
        by[at].added += added;
        by[at].deducted += deducted;
    }
    by.sort_by(|a, b| a.category.cmp(&b.category));
    Ok((total, by))
}
