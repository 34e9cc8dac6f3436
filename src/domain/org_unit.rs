//! One unit of the tree as the rest of the code sees it: typed, validated on
//! the way out of storage, with its ancestry per level.

use chrono::{DateTime, NaiveDate, Utc};

use super::kinds::{Level, OrgForm, TeamCategory, UnitStatus, UnitType};
use crate::ids::UnitId;

/// A unit's strict ancestors, one slot per level 1–4 (`None` where the unit
/// sits at or above that level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ancestry(pub [Option<i64>; 4]);

impl Ancestry {
    /// The ancestor at `level`, if the unit is below that level.
    pub fn at(&self, level: Level) -> Option<i64> {
        self.0.get(level.number() as usize - 1).copied().flatten()
    }

    /// The ancestry a child of `parent` gets: the parent's, plus the parent.
    pub fn for_child_of(parent: &OrgUnit) -> Ancestry {
        let mut slots = parent.ancestry.0;
        slots[parent.level().number() as usize - 1] = Some(parent.id);
        Ancestry(slots)
    }

    /// Ancestor ids, root (township) first.
    pub fn ids(&self) -> Vec<i64> {
        self.0.iter().flatten().copied().collect()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.0.contains(&Some(id))
    }
}

/// A unit of the organization tree (组织单元).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrgUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub unit_type: UnitType,
    pub name: String,
    pub code: Option<String>,
    /// `None` exactly for volunteer teams (level 5).
    pub org_form: Option<OrgForm>,
    pub host_unit_id: Option<i64>,
    /// `Some` exactly for volunteer teams (level 5).
    pub team_category: Option<TeamCategory>,
    pub ancestry: Ancestry,
    pub founded_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub dissolved_reason: Option<String>,
    pub service_station: Option<String>,
    pub wechat_group: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrgUnit {
    pub fn level(&self) -> Level {
        self.unit_type.level()
    }

    /// Its id, typed.
    pub fn unit_id(&self) -> UnitId {
        UnitId(self.id)
    }

    pub fn is_active(&self) -> bool {
        self.dissolved_on.is_none()
    }

    pub fn status(&self) -> UnitStatus {
        if self.is_active() {
            UnitStatus::Active
        } else {
            UnitStatus::Dissolved
        }
    }

    /// True when the unit has a party organization of its own and is active,
    /// i.e. it can host `AFFILIATED` units.
    pub fn can_host(&self) -> bool {
        self.is_active() && self.org_form.is_some_and(OrgForm::is_own_organization)
    }
}
