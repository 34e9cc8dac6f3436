//! The staffing rules a county checks (docs/design.md §2): each names the units
//! that fail it.

use super::kinds::{labelled_enum, Level, OrgForm};
use super::people::PositionRole;

labelled_enum! {
    /// A staffing rule; `staffingGaps(rule:)` lists the units failing it.
    pub enum StaffingRule {
        /// 网格"3+1+N": a grid without a grid head, a liaison cadre, or at
        /// least one volunteer (in the grid or beneath it).
        #[graphql(name = "GRID_3_1_N")]
        #[serde(rename = "GRID_3_1_N")]
        Grid3Plus1PlusN => ("GRID_3_1_N", "网格“3+1+N”配备不全"),
        /// A grid without an instructor (网格党组织指导员).
        GridInstructor => ("GRID_INSTRUCTOR", "网格未配指导员"),
        /// A village (community) without a linked township leader.
        VillageLinkedLeader => ("VILLAGE_LINKED_LEADER", "村（社区）未明确联点领导"),
        /// A township (sub-district) without a linked county leader.
        TownshipLinkedLeader => ("TOWNSHIP_LINKED_LEADER", "乡镇（街道）未明确联点县领导"),
        /// A volunteer team not led by a full or probationary party member.
        TeamPartyLeader => ("TEAM_PARTY_LEADER", "服务队非党员带队"),
        /// A unit with its own party organization but no active secretary
        /// (a party group: no group leader).
        SecretaryVacant => ("SECRETARY_VACANT", "党组织书记（党小组长）空缺"),
    }
}

impl StaffingRule {
    /// The revision of what the rule checks. Raise it whenever the rule's
    /// definition changes (`tree::staffing::computed`): the stored gaps of
    /// every database are then rebuilt on its next start.
    pub fn revision(self) -> u32 {
        match self {
            StaffingRule::Grid3Plus1PlusN
            | StaffingRule::GridInstructor
            | StaffingRule::VillageLinkedLeader
            | StaffingRule::TownshipLinkedLeader
            | StaffingRule::TeamPartyLeader
            | StaffingRule::SecretaryVacant => 1,
        }
    }

    /// The version of the whole rule set, as stored beside the gaps: every
    /// rule's name and revision. A rule added, removed or revised changes it.
    pub fn rule_set_version() -> String {
        StaffingRule::ALL
            .iter()
            .map(|r| format!("{}@{}", r.as_str(), r.revision()))
            .collect::<Vec<_>>()
            .join(",")
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_set_version_names_every_rule_and_revision() {
        let version = StaffingRule::rule_set_version();
        for rule in StaffingRule::ALL {
            assert!(version.contains(&format!("{}@{}", rule.as_str(), rule.revision())));
        }
        assert_eq!(
            StaffingRule::from_name_or_label("grid_3_1_n"),
            Some(StaffingRule::Grid3Plus1PlusN)
        );
        assert_eq!(
            "SECRETARY_VACANT".parse(),
            Ok(StaffingRule::SecretaryVacant)
        );
    }
}
