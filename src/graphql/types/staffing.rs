//! Staffing and people statistics: `RuleCount`, `SecretaryStats`, `PeopleStats`.

use async_graphql::{Enum, SimpleObject};

use crate::domain::people::{PoliticalStatus, PositionRole};
use crate::domain::staffing::StaffingRule;
use crate::people::stats::{PeopleFigures, SecretaryFigures};

/// How many units fail one staffing rule.
#[derive(SimpleObject, Debug, Clone)]
pub struct RuleCount {
    /// The rule.
    pub rule: StaffingRule,
    /// Its Chinese label.
    pub rule_label: &'static str,
    /// Units failing it (list them with `staffingGaps`).
    pub count: i64,
}

impl From<(StaffingRule, i64)> for RuleCount {
    fn from((rule, count): (StaffingRule, i64)) -> Self {
        RuleCount {
            rule,
            rule_label: rule.label(),
            count,
        }
    }
}

/// The secretaries of one level on one day: the article's headline figures.
#[derive(SimpleObject, Debug, Clone)]
pub struct SecretaryStats {
    /// Secretaries in post.
    pub count: i64,
    /// Of them, also village (community) committee directors (一肩挑).
    pub also_village_director_count: i64,
    /// `alsoVillageDirectorCount / count`, 0 to 1; null without secretaries.
    pub also_village_director_ratio: Option<f64>,
    /// Average age on the day, of those with a birth date; null if none.
    pub average_age: Option<f64>,
    /// With junior college (大专) or above.
    pub college_or_above_count: i64,
}

impl From<SecretaryFigures> for SecretaryStats {
    fn from(f: SecretaryFigures) -> Self {
        let ratio = (f.count > 0).then(|| f.also_village_director as f64 / f.count as f64);
        let average = (!f.ages.is_empty())
            .then(|| f.ages.iter().map(|a| f64::from(*a)).sum::<f64>() / f.ages.len() as f64);
        SecretaryStats {
            count: f.count,
            also_village_director_count: f.also_village_director,
            also_village_director_ratio: ratio,
            average_age: average,
            college_or_above_count: f.college_or_above,
        }
    }
}

/// People of one political status.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatusCount {
    /// The status.
    pub status: PoliticalStatus,
    /// Its Chinese label.
    pub status_label: &'static str,
    /// People with it.
    pub count: i64,
}

/// A kind of cadre link.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CadreLinkKind {
    /// A county leader linked to a township (县领导联乡镇).
    CountyLeaderTownship,
    /// A township leader linked to a village (乡镇领导联村).
    TownshipLeaderVillage,
    /// A grid instructor (网格党组织指导员).
    GridInstructor,
}

/// How many links of one kind.
#[derive(SimpleObject, Debug, Clone)]
pub struct CadreLinkCount {
    /// The kind.
    pub kind: CadreLinkKind,
    /// Posts of that kind held.
    pub count: i64,
}

/// People by kind in a scope.
#[derive(SimpleObject, Debug, Clone)]
pub struct PeopleStats {
    /// People per political status (statuses reached by the day).
    pub by_political_status: Vec<StatusCount>,
    /// Capable rural talents who are not party members (乡村能人).
    pub capable_non_party: i64,
    /// Distinct people holding a volunteer post on the day.
    pub active_volunteers: i64,
    /// Cadre links by kind.
    pub cadre_links: Vec<CadreLinkCount>,
    /// Talent posts held (人才): seconded cadres (挂职), directed-trained
    /// village cadres (定向培养) and science envoys (科技特派员).
    pub talent: Vec<RoleCount>,
}

/// How many posts of one role.
#[derive(SimpleObject, Debug, Clone)]
pub struct RoleCount {
    /// The role.
    pub role: PositionRole,
    /// Its Chinese label.
    pub role_label: &'static str,
    /// Posts held.
    pub count: i64,
}

impl From<PeopleFigures> for PeopleStats {
    fn from(f: PeopleFigures) -> Self {
        let kinds = [
            CadreLinkKind::CountyLeaderTownship,
            CadreLinkKind::TownshipLeaderVillage,
            CadreLinkKind::GridInstructor,
        ];
        PeopleStats {
            by_political_status: f
                .by_status
                .iter()
                .map(|(s, n)| StatusCount {
                    status: *s,
                    status_label: s.label(),
                    count: *n,
                })
                .collect(),
            capable_non_party: f.capable_non_party,
            active_volunteers: f.active_volunteers,
            cadre_links: kinds
                .iter()
                .zip(f.cadre_links)
                .map(|(k, n)| CadreLinkCount { kind: *k, count: n })
                .collect(),
            talent: PositionRole::TALENT
                .iter()
                .zip(f.talent)
                .map(|(role, count)| RoleCount {
                    role: *role,
                    role_label: role.label(),
                    count,
                })
                .collect(),
        }
    }
}
