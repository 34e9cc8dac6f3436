//! Ledgers, rankings and summaries, read from the totals kept by each
//! write (`household_points`, `points_tallies`, `household_counts`), never
//! from the records: a township's top 200 and each village's bottom 5 are
//! a few indexed range reads.
//!
//! Rankings are competition rankings ("1224"): a household's rank is one
//! more than the number of households with more points. Only households
//! scored that year (at least one record in force) are ranked.

use diesel::prelude::*;

use super::tallies::{REGION, SCORED};
use crate::auth::policy::UnitRef;
use crate::db::ancestry::{Beneath, Condition};
use crate::db::schema::household_points::{self, dsl as hp};
use crate::db::schema::points_tallies::dsl as pt;
use crate::db::DbConnection;
use crate::domain::points::competition_ranks;
use crate::domain::{Level, OrgUnit};
use crate::error::AppResult;
use crate::tree::UnitFilter;

/// A household's place in a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub household_id: i64,
    pub points: i64,
    pub records: i64,
    pub rank: i64,
}

/// The bottom of one unit's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottom {
    pub unit: OrgUnit,
    /// Households scored there that year.
    pub scored: i64,
    /// The last places, ties with the last included, worst last.
    pub households: Vec<Ranked>,
}

/// A ranking within a unit (or the region) for a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub year: i32,
    pub scored: i64,
    /// The first places, ties with the last included, best first.
    pub top: Vec<Ranked>,
    /// Per unit of the level asked, the last places.
    pub bottoms: Vec<Bottom>,
}

fn within(under: Option<&UnitRef>) -> Option<Condition<household_points::table>> {
    under.map(|u| household_points::table::at_or_beneath(u.id, u.level))
}

type Row = (i64, i64, i64);

/// The first (`best`) or last `n` scored households of `under` in `year`,
/// with every household tied with the `n`-th.
fn edge(
    conn: &mut DbConnection,
    under: Option<&UnitRef>,
    year: i32,
    n: usize,
    best: bool,
) -> AppResult<Vec<Row>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let base = || {
        let mut q = hp::household_points
            .filter(hp::year.eq(year))
            .filter(hp::records.gt(0))
            .select((hp::household_id, hp::points, hp::records))
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(c) = within(under) {
            q = q.filter(c);
        }
        q
    };
    let q = if best {
        base().order((hp::points.desc(), hp::household_id))
    } else {
        base().order((hp::points.asc(), hp::household_id))
    };
    let mut rows: Vec<Row> = q.limit(n as i64).load(conn)?;
    if rows.len() == n {
        let last = rows[n - 1].1;
        let seen: Vec<i64> = rows.iter().filter(|r| r.1 == last).map(|r| r.0).collect();
        let ties: Vec<Row> = base()
            .filter(hp::points.eq(last))
            .filter(hp::household_id.ne_all(seen))
            .order(hp::household_id)
            .load(conn)?;
        rows.extend(ties);
    }
    Ok(rows)
}

/// Households scored in `year` within `under` (the region: `None`).
pub fn scored(conn: &mut DbConnection, under: Option<i64>, year: i32) -> AppResult<i64> {
    let n: Option<i64> = pt::points_tallies
        .filter(pt::scope_id.eq(under.unwrap_or(REGION)))
        .filter(pt::year.eq(year))
        .filter(pt::category.eq(SCORED))
        .select(pt::households)
        .first(conn)
        .optional()?;
    Ok(n.unwrap_or(0))
}

/// Households scored in `year` within each of `units`.
fn scored_of(
    conn: &mut DbConnection,
    units: &[i64],
    year: i32,
) -> AppResult<std::collections::HashMap<i64, i64>> {
    let mut out = std::collections::HashMap::new();
    for chunk in units.chunks(1_000) {
        let rows: Vec<(i64, i64)> = pt::points_tallies
            .filter(pt::scope_id.eq_any(chunk))
            .filter(pt::year.eq(year))
            .filter(pt::category.eq(SCORED))
            .select((pt::scope_id, pt::households))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

#[derive(diesel::QueryableByName)]
struct EdgeRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unit_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    household_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    points: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    records: i64,
}

/// The first (`best`) or last `n` scored households (ties with the `n`-th
/// included) of each of `units` (all at level `per`), best or worst first,
/// ties by household. On PostgreSQL one statement for all (a `LATERAL`
/// index range per unit, `WITH TIES`); on SQLite, in process, one range
/// per unit.
fn edges_of(
    conn: &mut DbConnection,
    (per, units): (Level, &[i64]),
    year: i32,
    (n, best): (usize, bool),
) -> AppResult<std::collections::HashMap<i64, Vec<Row>>> {
    let mut out: std::collections::HashMap<i64, Vec<Row>> = std::collections::HashMap::new();
    let column = match per {
        Level::Township => "township_id",
        Level::Village => "village_id",
        Level::Grid => "grid_id",
        Level::BuildingGroup => "building_group_id",
        Level::VolunteerTeam => return Ok(out),
    };
    match conn {
        DbConnection::Pg(pg) => {
            let statement = format!(
                "SELECT v.id AS unit_id, x.household_id, x.points, x.records \
                 FROM unnest($1::bigint[]) AS v(id) CROSS JOIN LATERAL ( \
                   SELECT hp.household_id, hp.points, hp.records FROM household_points hp \
                   WHERE hp.{column} = v.id AND hp.year = $2 AND hp.records > 0 \
                   ORDER BY hp.points {dir} FETCH FIRST $3 ROWS WITH TIES) x",
                dir = if best { "DESC" } else { "ASC" }
            );
            let rows: Vec<EdgeRow> = diesel::sql_query(statement)
                .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(units)
                .bind::<diesel::sql_types::Integer, _>(year)
                .bind::<diesel::sql_types::BigInt, _>(n as i64)
                .load(pg)?;
            for r in rows {
                out.entry(r.unit_id)
                    .or_default()
                    .push((r.household_id, r.points, r.records));
            }
            for rows in out.values_mut() {
                if best {
                    rows.sort_by_key(|r| (std::cmp::Reverse(r.1), r.0));
                } else {
                    rows.sort_by_key(|r| (r.1, r.0));
                }
            }
        }
        DbConnection::Sqlite(_) => {
            for &unit in units {
                let scope = UnitRef {
                    id: unit,
                    level: per,
                    ancestry: crate::domain::Ancestry::default(),
                };
                out.insert(unit, edge(conn, Some(&scope), year, n, best)?);
            }
        }
    }
    Ok(out)
}

/// The competition rank of `points` among the households scored within
/// `under` in `year`.
pub fn rank_of(
    conn: &mut DbConnection,
    under: Option<&OrgUnit>,
    year: i32,
    points: i64,
) -> AppResult<i64> {
    let mut q = hp::household_points
        .filter(hp::year.eq(year))
        .filter(hp::records.gt(0))
        .filter(hp::points.gt(points))
        .into_boxed::<crate::db::MultiBackend>();
    if let Some(c) = within(under.map(UnitRef::from).as_ref()) {
        q = q.filter(c);
    }
    let above: i64 = q.select(diesel::dsl::count_star()).first(conn)?;
    Ok(above + 1)
}

/// The ranking within `under` for `year`: its first `top` places, and the
/// last `bottom` places of each unit at level `per` beneath it (or of
/// `under` itself when it is at that level).
pub fn ranking(
    conn: &mut DbConnection,
    under: Option<&OrgUnit>,
    year: i32,
    top: usize,
    (bottom, per): (usize, Level),
) -> AppResult<Ranking> {
    let scope = under.map(UnitRef::from);
    let best = match under {
        Some(u) if top > 0 => edges_of(conn, (u.level(), &[u.id]), year, (top, true))?
            .remove(&u.id)
            .unwrap_or_default(),
        _ => edge(conn, scope.as_ref(), year, top, true)?,
    };
    let ranks = competition_ranks(&best.iter().map(|r| r.1).collect::<Vec<_>>());
    let top = best
        .iter()
        .zip(ranks)
        .map(|(&(household_id, points, records), rank)| Ranked {
            household_id,
            points,
            records,
            rank,
        })
        .collect();
    let mut bottoms = Vec::new();
    if bottom > 0 {
        let units = match under {
            Some(u) if u.level() == per => vec![u.clone()],
            _ => crate::tree::read::list_all(
                conn,
                &UnitFilter {
                    under: scope,
                    level: Some(per),
                    ..UnitFilter::default()
                },
            )?,
        };
        let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
        let counts = scored_of(conn, &ids, year)?;
        let mut worsts = edges_of(conn, (per, &ids), year, (bottom, false))?;
        for unit in units {
            let n = counts.get(&unit.id).copied().unwrap_or(0);
            let worst = worsts.remove(&unit.id).unwrap_or_default();
            // Every household at or below a value is in `worst`, so the
            // number above it is the rest.
            let households = worst
                .iter()
                .rev()
                .map(|&(household_id, points, records)| {
                    let at_or_below = worst.iter().filter(|r| r.1 <= points).count() as i64;
                    Ranked {
                        household_id,
                        points,
                        records,
                        rank: n - at_or_below + 1,
                    }
                })
                .collect();
            bottoms.push(Bottom {
                unit,
                scored: n,
                households,
            });
        }
    }
    Ok(Ranking {
        year,
        scored: scored(conn, under.map(|u| u.id), year)?,
        top,
        bottoms,
    })
}

pub use super::summary::{household_year, summary, summary_seen, CategoryFigures, Summary};
