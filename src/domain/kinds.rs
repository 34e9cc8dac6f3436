//! The vocabulary of the tree (docs/design.md §1): levels, unit types, organization
//! forms and team categories, with their Chinese labels and the rules that tie
//! them to levels. Pure data; no I/O.

/// Declares a SCREAMING_CASE enum stored as text, with `as_str`, `label`,
/// `ALL` and `FromStr`, so that storage names, GraphQL names and labels live
/// in one table per enum.
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => ($text:literal, $label:literal) ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, serde::Serialize, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Chinese label shown by dashboards.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value named by its stored name (any case) or its
            /// Chinese label, as spreadsheets write it.
            pub fn from_name_or_label(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s) || v.label() == s)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::domain::UnknownValue { kind: stringify!($name), value: other.to_owned() }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use labelled_enum;

/// A stored or supplied name that is not a value of the enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

labelled_enum! {
    /// The five levels of the tree, township (1) down to volunteer team (5).
    pub enum Level {
        /// 乡镇（街道）: township or sub-district, level 1.
        Township => ("TOWNSHIP", "乡镇（街道）"),
        /// 村（社区）: village or community, level 2.
        Village => ("VILLAGE", "村（社区）"),
        /// 网格: grid, compound or relocation site, level 3.
        Grid => ("GRID", "网格"),
        /// 楼栋（院落）: building or courtyard group, level 4.
        BuildingGroup => ("BUILDING_GROUP", "楼栋（院落）"),
        /// 党员带志愿者服务队: party-member-led volunteer team, level 5.
        VolunteerTeam => ("VOLUNTEER_TEAM", "志愿服务队"),
    }
}

impl Level {
    /// 1 for townships … 5 for volunteer teams.
    pub fn number(self) -> i32 {
        match self {
            Level::Township => 1,
            Level::Village => 2,
            Level::Grid => 3,
            Level::BuildingGroup => 4,
            Level::VolunteerTeam => 5,
        }
    }

    pub fn from_number(n: i32) -> Option<Level> {
        Level::ALL
            .get(usize::try_from(n).ok()?.checked_sub(1)?)
            .copied()
    }

    /// The level a parent must have; `None` for townships, which have no parent.
    pub fn parent(self) -> Option<Level> {
        Level::from_number(self.number() - 1)
    }

    /// Levels 1–4 are management units (管理单元) and carry an `OrgForm`.
    pub fn is_management_unit(self) -> bool {
        self != Level::VolunteerTeam
    }
}

labelled_enum! {
    /// What kind of unit this is; the type fixes the level.
    pub enum UnitType {
        /// 乡镇 (level 1).
        Township => ("TOWNSHIP", "乡镇"),
        /// 街道 (level 1).
        Subdistrict => ("SUBDISTRICT", "街道"),
        /// 村 (level 2).
        Village => ("VILLAGE", "村"),
        /// 社区 (level 2).
        Community => ("COMMUNITY", "社区"),
        /// 农村网格 (level 3).
        RuralGrid => ("RURAL_GRID", "农村网格"),
        /// 城市网格 (level 3).
        UrbanGrid => ("URBAN_GRID", "城市网格"),
        /// 小区 (level 3).
        ResidentialCompound => ("RESIDENTIAL_COMPOUND", "小区"),
        /// 易地扶贫搬迁安置点 (level 3).
        RelocationSite => ("RELOCATION_SITE", "易地扶贫搬迁安置点"),
        /// 楼栋 (level 4).
        Building => ("BUILDING", "楼栋"),
        /// 院落 (level 4).
        Courtyard => ("COURTYARD", "院落"),
        /// 党员带志愿者服务队 (level 5).
        VolunteerTeam => ("VOLUNTEER_TEAM", "党员带志愿者服务队"),
    }
}

impl UnitType {
    /// The level this type of unit sits at.
    pub fn level(self) -> Level {
        match self {
            UnitType::Township | UnitType::Subdistrict => Level::Township,
            UnitType::Village | UnitType::Community => Level::Village,
            UnitType::RuralGrid
            | UnitType::UrbanGrid
            | UnitType::ResidentialCompound
            | UnitType::RelocationSite => Level::Grid,
            UnitType::Building | UnitType::Courtyard => Level::BuildingGroup,
            UnitType::VolunteerTeam => Level::VolunteerTeam,
        }
    }
}

labelled_enum! {
    /// Which party organization a management unit (levels 1–4) has, if any.
    pub enum OrgForm {
        /// 党委 (levels 1, 2).
        Committee => ("COMMITTEE", "党委"),
        /// 党工委, for sub-districts (level 1).
        WorkingCommittee => ("WORKING_COMMITTEE", "党工委"),
        /// 党总支 (levels 2, 3).
        GeneralBranch => ("GENERAL_BRANCH", "党总支"),
        /// 党支部 (levels 2, 3).
        Branch => ("BRANCH", "党支部"),
        /// 联合党支部: one branch shared by several small units (levels 2, 3).
        JointBranch => ("JOINT_BRANCH", "联合党支部"),
        /// 功能型党支部 (level 3).
        FunctionalBranch => ("FUNCTIONAL_BRANCH", "功能型党支部"),
        /// 党小组: a grid party group, a building or courtyard group (levels 3, 4).
        PartyGroup => ("PARTY_GROUP", "党小组"),
        /// 挂靠: covered by an ancestor's organization, `hostUnit` (levels 2–4).
        Affiliated => ("AFFILIATED", "挂靠"),
        /// No party organization yet: a coverage gap (levels 1–4).
        None => ("NONE", "未建立党组织"),
    }
}

impl OrgForm {
    /// Whether this form may be used by a unit at `level` (docs/design.md §1).
    pub fn allowed_at(self, level: Level) -> bool {
        let n = level.number();
        match self {
            OrgForm::Committee => n == 1 || n == 2,
            OrgForm::WorkingCommittee => n == 1,
            OrgForm::GeneralBranch | OrgForm::Branch | OrgForm::JointBranch => n == 2 || n == 3,
            OrgForm::FunctionalBranch => n == 3,
            OrgForm::PartyGroup => n == 3 || n == 4,
            OrgForm::Affiliated => (2..=4).contains(&n),
            OrgForm::None => (1..=4).contains(&n),
        }
    }

    /// True for a party organization of the unit's own (anything but
    /// `AFFILIATED` and `NONE`): only such a unit can host affiliated units.
    pub fn is_own_organization(self) -> bool {
        !matches!(self, OrgForm::Affiliated | OrgForm::None)
    }

    /// The forms allowed at `level`, in declaration order.
    pub fn allowed_forms(level: Level) -> Vec<OrgForm> {
        OrgForm::ALL
            .iter()
            .copied()
            .filter(|f| f.allowed_at(level))
            .collect()
    }
}

labelled_enum! {
    /// The service a volunteer team (level 5) provides.
    pub enum TeamCategory {
        /// 政策宣传.
        PolicyPublicity => ("POLICY_PUBLICITY", "政策宣传"),
        /// 疫情防控.
        EpidemicPrevention => ("EPIDEMIC_PREVENTION", "疫情防控"),
        /// 交通劝导.
        Traffic => ("TRAFFIC", "交通劝导"),
        /// 纠纷调解.
        DisputeMediation => ("DISPUTE_MEDIATION", "纠纷调解"),
        /// 环境卫生.
        Sanitation => ("SANITATION", "环境卫生"),
        /// 关爱青少年.
        YouthCare => ("YOUTH_CARE", "关爱青少年"),
        /// 其他.
        Other => ("OTHER", "其他"),
    }
}

labelled_enum! {
    /// Whether a unit is active or dissolved (soft-deleted, with date and reason).
    pub enum UnitStatus {
        /// 正常: active, counted everywhere.
        Active => ("ACTIVE", "正常"),
        /// 已撤销: dissolved; kept for history, left out of counts.
        Dissolved => ("DISSOLVED", "已撤销"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_type_round_trips_and_has_a_level() {
        for t in UnitType::ALL {
            assert_eq!(t.as_str().parse::<UnitType>(), Ok(*t));
            assert!(t.level().number() >= 1 && t.level().number() <= 5);
        }
        assert!("village".parse::<UnitType>().is_err());
    }

    #[test]
    fn level_parents_chain_up_to_townships() {
        assert_eq!(Level::Township.parent(), None);
        assert_eq!(Level::VolunteerTeam.parent(), Some(Level::BuildingGroup));
        assert_eq!(Level::from_number(0), None);
        assert_eq!(Level::from_number(6), None);
    }

    #[test]
    fn org_forms_follow_the_design_table() {
        use OrgForm::*;
        let table: &[(OrgForm, [bool; 5])] = &[
            (Committee, [true, true, false, false, false]),
            (WorkingCommittee, [true, false, false, false, false]),
            (GeneralBranch, [false, true, true, false, false]),
            (Branch, [false, true, true, false, false]),
            (JointBranch, [false, true, true, false, false]),
            (FunctionalBranch, [false, false, true, false, false]),
            (PartyGroup, [false, false, true, true, false]),
            (Affiliated, [false, true, true, true, false]),
            (None, [true, true, true, true, false]),
        ];
        for (form, allowed) in table {
            for (i, want) in allowed.iter().enumerate() {
                let level = Level::ALL[i];
                assert_eq!(form.allowed_at(level), *want, "{form} at {level}");
            }
        }
    }
}
