//! The staffing rules a county checks (DESIGN.md §2): each names the units
//! that fail it.

use super::kinds::{Level, OrgForm};
use super::people::PositionRole;

/// A staffing rule; `staffingGaps(rule:)` lists the units failing it.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffingRule {
    /// 网格"3+1+N": a grid without a grid head, a liaison cadre, or at least
    /// one volunteer (in the grid or beneath it).
    #[graphql(name = "GRID_3_1_N")]
    Grid3Plus1PlusN,
    /// A grid without an instructor (网格党组织指导员).
    GridInstructor,
    /// A village (community) without a linked township leader.
    VillageLinkedLeader,
    /// A township (sub-district) without a linked county leader.
    TownshipLinkedLeader,
    /// A volunteer team not led by a full or probationary party member.
    TeamPartyLeader,
    /// A unit with its own party organization but no active secretary (a
    /// party group: no group leader).
    SecretaryVacant,
}

impl StaffingRule {
    pub const ALL: [StaffingRule; 6] = [
        StaffingRule::Grid3Plus1PlusN,
        StaffingRule::GridInstructor,
        StaffingRule::VillageLinkedLeader,
        StaffingRule::TownshipLinkedLeader,
        StaffingRule::TeamPartyLeader,
        StaffingRule::SecretaryVacant,
    ];

    /// The level the rule checks (`None`: levels 1–4, by form).
    pub fn level(self) -> Option<Level> {
        match self {
            StaffingRule::Grid3Plus1PlusN | StaffingRule::GridInstructor => Some(Level::Grid),
            StaffingRule::VillageLinkedLeader => Some(Level::Village),
            StaffingRule::TownshipLinkedLeader => Some(Level::Township),
            StaffingRule::TeamPartyLeader => Some(Level::VolunteerTeam),
            StaffingRule::SecretaryVacant => None,
        }
    }

    /// Whether the rule can fail for a unit of `level`.
    pub fn applies_to(self, level: Level) -> bool {
        match self.level() {
            Some(l) => l == level,
            None => level != Level::VolunteerTeam,
        }
    }

    /// The stored name (the GraphQL enum value).
    pub fn as_str(self) -> &'static str {
        match self {
            StaffingRule::Grid3Plus1PlusN => "GRID_3_1_N",
            StaffingRule::GridInstructor => "GRID_INSTRUCTOR",
            StaffingRule::VillageLinkedLeader => "VILLAGE_LINKED_LEADER",
            StaffingRule::TownshipLinkedLeader => "TOWNSHIP_LINKED_LEADER",
            StaffingRule::TeamPartyLeader => "TEAM_PARTY_LEADER",
            StaffingRule::SecretaryVacant => "SECRETARY_VACANT",
        }
    }

    /// Its Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            StaffingRule::Grid3Plus1PlusN => "网格“3+1+N”配备不全",
            StaffingRule::GridInstructor => "网格未配指导员",
            StaffingRule::VillageLinkedLeader => "村（社区）未明确联点领导",
            StaffingRule::TownshipLinkedLeader => "乡镇（街道）未明确联点县领导",
            StaffingRule::TeamPartyLeader => "服务队非党员带队",
            StaffingRule::SecretaryVacant => "党组织书记（党小组长）空缺",
        }
    }
}

/// The head a unit's organization needs: a secretary, or for a party
/// group a group leader; `None` without an organization of its own.
pub fn head_of(form: OrgForm) -> Option<PositionRole> {
    match form {
        OrgForm::PartyGroup => Some(PositionRole::GroupLeader),
        f if f.is_own_organization() => Some(PositionRole::Secretary),
        _ => None,
    }
}
