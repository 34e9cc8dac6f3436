//! `SubtreeCounts`: how many active units lie beneath a unit, per level.

use async_graphql::SimpleObject;

use crate::domain::Level;

/// Active (not dissolved) units beneath a unit, per level.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct SubtreeCounts {
    /// Villages and communities (level 2).
    pub villages: i64,
    /// Grids, compounds and relocation sites (level 3).
    pub grids: i64,
    /// Building and courtyard groups (level 4).
    pub building_groups: i64,
    /// Volunteer teams (level 5).
    pub volunteer_teams: i64,
    /// All of the above together.
    pub total: i64,
    /// The same counts as a list, one entry per level below the unit.
    pub by_level: Vec<LevelCount>,
}

/// A number of units at one level.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelCount {
    /// The level counted.
    pub level: Level,
    /// The level's Chinese label.
    pub level_label: &'static str,
    /// Active units at that level.
    pub count: i64,
}

impl SubtreeCounts {
    /// From counts indexed by level number − 1, for a unit at `own` level.
    pub fn from_counts(own: Level, counts: [i64; 5]) -> SubtreeCounts {
        SubtreeCounts {
            villages: counts[1],
            grids: counts[2],
            building_groups: counts[3],
            volunteer_teams: counts[4],
            total: counts.iter().sum(),
            by_level: Level::ALL
                .iter()
                .filter(|l| l.number() > own.number())
                .map(|l| LevelCount {
                    level: *l,
                    level_label: l.label(),
                    count: counts[l.number() as usize - 1],
                })
                .collect(),
        }
    }
}
