//! `PointsRanking` and `PointsSummary`: the year-end figures of the points
//! system, read from totals kept by every write.

use std::collections::HashMap;

use async_graphql::{Enum, Object, SimpleObject};

use super::household::{CategoryPoints, Household};
use super::org_unit::OrgUnit;
use crate::db::DbConnection;
use crate::domain::ledger;
use crate::domain::points::rate;
use crate::domain::Level;
use crate::error::AppResult;
use crate::points::ranking::{self, Ranked, Summary};
use crate::points::store;

/// The units a ranking's bottom places are taken per.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RankingLevel {
    /// Per township (乡镇).
    Township,
    /// Per village or community (村/社区).
    Village,
    /// Per grid (网格).
    Grid,
}

impl From<RankingLevel> for Level {
    fn from(l: RankingLevel) -> Level {
        match l {
            RankingLevel::Township => Level::Township,
            RankingLevel::Village => Level::Village,
            RankingLevel::Grid => Level::Grid,
        }
    }
}

/// A household's place in a ranking, with the household (loaded with the
/// whole ranking in one statement).
pub struct RankedHousehold(pub Ranked, pub Option<ledger::Household>);

/// A household's place in a ranking: competition ranking ("1224"), so
/// households with equal points share a rank and the next rank skips.
#[Object]
impl RankedHousehold {
    /// One more than the number of households with more points.
    async fn rank(&self) -> i64 {
        self.0.rank
    }
    /// Its total for the year.
    async fn points(&self) -> i64 {
        self.0.points
    }
    /// Its records in force that year.
    async fn records(&self) -> i64 {
        self.0.records
    }
    /// The household.
    async fn household(&self) -> Option<Household> {
        self.1.clone().map(Household)
    }
}

/// The last places of one unit's ranking.
pub struct RankingBottom(pub ranking::Bottom, Households);

/// The last places of one unit's ranking, worst last.
#[Object]
impl RankingBottom {
    /// The unit (a village, say).
    async fn unit(&self) -> OrgUnit {
        OrgUnit(self.0.unit.clone())
    }
    /// Households scored there that year.
    async fn scored(&self) -> i64 {
        self.0.scored
    }
    /// The last `bottom` places, ties with the last place included, ranked
    /// within this unit.
    async fn households(&self) -> Vec<RankedHousehold> {
        ranked(&self.0.households, &self.1)
    }
}

type Households = std::sync::Arc<HashMap<i64, ledger::Household>>;

fn ranked(list: &[Ranked], households: &Households) -> Vec<RankedHousehold> {
    list.iter()
        .map(|r| RankedHousehold(*r, households.get(&r.household_id).cloned()))
        .collect()
}

/// A ranking, with its households.
pub struct PointsRanking(pub ranking::Ranking, Households);

impl PointsRanking {
    /// `ranking` with every household it names, read in one statement.
    pub fn load(conn: &mut DbConnection, ranking: ranking::Ranking) -> AppResult<PointsRanking> {
        let mut ids: Vec<i64> = ranking.top.iter().map(|r| r.household_id).collect();
        ids.extend(
            ranking
                .bottoms
                .iter()
                .flat_map(|b| b.households.iter().map(|r| r.household_id)),
        );
        let households = store::households_of(conn, &ids)?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        Ok(PointsRanking(ranking, std::sync::Arc::new(households)))
    }
}

/// A year's ranking within a unit: its first places and the last places
/// of each unit at a level beneath it, e.g. 琅塘镇's "top 200 of the
/// township, bottom 5 of each village". Only households scored that year
/// (at least one record in force) are ranked; ranks are competition ranks,
/// and ties with the last place asked for are all included, so a list may
/// be longer than asked.
#[Object]
impl PointsRanking {
    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Households scored within the unit that year.
    async fn scored(&self) -> i64 {
        self.0.scored
    }
    /// The first `top` places, best first.
    async fn top(&self) -> Vec<RankedHousehold> {
        ranked(&self.0.top, &self.1)
    }
    /// Per unit at the level `per`, its last `bottom` places.
    async fn bottom(&self) -> Vec<RankingBottom> {
        self.0
            .bottoms
            .iter()
            .cloned()
            .map(|b| RankingBottom(b, self.1.clone()))
            .collect()
    }
}

/// A year of the points system within a scope.
#[derive(SimpleObject)]
pub struct PointsSummary {
    /// The year.
    pub year: i32,
    /// Households that count that year: registered by its end and not
    /// closed before it began.
    pub households: i64,
    /// Households with at least one record in force.
    pub scored: i64,
    /// Scored households / households (0 when there are none).
    pub participation_rate: f64,
    /// Records in force, all categories.
    pub records: i64,
    /// Points added, all categories.
    pub added: i64,
    /// Points deducted, all categories (a positive number).
    pub deducted: i64,
    /// Per category, in category order.
    pub by_category: Vec<CategoryPoints>,
}

impl From<Summary> for PointsSummary {
    fn from(s: Summary) -> Self {
        PointsSummary {
            year: s.year,
            households: s.households,
            scored: s.scored,
            participation_rate: rate(s.scored, s.households),
            records: s.categories.iter().map(|c| c.records).sum(),
            added: s.categories.iter().map(|c| c.added).sum(),
            deducted: s.categories.iter().map(|c| c.deducted).sum(),
            by_category: s.categories.into_iter().map(CategoryPoints::from).collect(),
        }
    }
}
