//! The village economy of a scope for a year: villages per bracket, weak
//! villages lifted, total and median income, and the villages without a
//! figure, from the counters (the median by one indexed step per village
//! up to the middle one).

use diesel::prelude::*;

use super::config::brackets;
use super::summary::{by_category, figures, total};
use super::tallies::{INCOME, LIFTED, VILLAGES};
use crate::db::ancestry::Beneath;
use crate::db::schema::village_incomes::{self, dsl as vi};
use crate::db::tallies::REGION;
use crate::db::DbConnection;
use crate::domain::service::{year_key, Brackets};
use crate::domain::Level;
use crate::error::AppResult;

/// A scope's economy for a year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EconomyFigures {
    pub year: i32,
    pub brackets: Brackets,
    /// Villages with a figure, per bracket (index 0: weak).
    pub villages: Vec<i64>,
    pub lifted: i64,
    pub total_income: i64,
    pub median_income: Option<i64>,
    /// Active villages and communities without a figure for the year.
    pub without_figure: i64,
}

/// The level of a scope (0: the region).
fn level_of(conn: &mut DbConnection, scope: i64) -> AppResult<Option<Level>> {
    if scope == REGION {
        return Ok(None);
    }
    let unit = crate::tree::read::find(conn, &crate::auth::Visibility::Everything, scope)?;
    Ok(unit.map(|u| u.level()))
}

/// The incomes of `scope`'s villages for `year`, ascending.
fn incomes<'a>(
    conn: &mut DbConnection,
    scope: i64,
    year: i32,
) -> AppResult<village_incomes::BoxedQuery<'a, crate::db::MultiBackend, diesel::sql_types::BigInt>>
{
    let q = vi::village_incomes
        .filter(vi::year.eq(year))
        .select(vi::income_yuan)
        .order(vi::income_yuan)
        .into_boxed();
    Ok(match level_of(conn, scope)? {
        None => q,
        Some(level) => q.filter(village_incomes::table::at_or_beneath(scope, level)),
    })
}

/// Active villages and communities at or beneath `scope`, from the
/// coverage counters (which count units strictly beneath a scope of levels
/// 0–3): one row per type and form.
fn villages_in(conn: &mut DbConnection, scope: i64) -> AppResult<i64> {
    use crate::db::schema::coverage_counts::dsl as cc;
    match level_of(conn, scope)? {
        Some(Level::Village) => Ok(1),
        Some(Level::Grid | Level::BuildingGroup | Level::VolunteerTeam) => Ok(0),
        _ => {
            let rows: Vec<i64> = cc::coverage_counts
                .filter(cc::scope_id.eq(scope))
                .filter(cc::level.eq(Level::Village.number()))
                .select(cc::n)
                .load(conn)?;
            Ok(rows.iter().sum())
        }
    }
}

pub fn economy(conn: &mut DbConnection, scopes: &[i64], year: i32) -> AppResult<EconomyFigures> {
    let b = brackets(conn)?;
    let key = year_key(year);
    let f = figures(conn, scopes, (key, key), &[VILLAGES, INCOME, LIFTED])?;
    let per = by_category(&f, VILLAGES);
    let villages: Vec<i64> = (0..b.len())
        .map(|i| per.get(&i.to_string()).copied().unwrap_or(0))
        .collect();
    let with: i64 = villages.iter().sum();
    let median_income = match scopes {
        [scope] if with > 0 => incomes(conn, *scope, year)?
            .offset((with - 1) / 2)
            .first(conn)
            .optional()?,
        _ if with > 0 => {
            let mut all: Vec<i64> = Vec::new();
            for scope in scopes {
                all.extend(incomes(conn, *scope, year)?.load::<i64>(conn)?);
            }
            all.sort_unstable();
            all.get((all.len().max(1) - 1) / 2).copied()
        }
        _ => None,
    };
    let mut active = 0;
    for scope in scopes {
        active += villages_in(conn, *scope)?;
    }
    Ok(EconomyFigures {
        year,
        villages,
        lifted: total(&f, LIFTED),
        total_income: total(&f, INCOME),
        median_income,
        without_figure: (active - with).max(0),
        brackets: b,
    })
}
