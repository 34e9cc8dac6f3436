//! What the tree's writes take: a new unit, and a patch of one.

use chrono::NaiveDate;

use crate::domain::{OrgForm, Patch, TeamCategory, UnitType};
use crate::ids::UnitId;

/// What `createOrgUnit` takes.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub unit_type: UnitType,
    pub name: String,
    pub code: Option<String>,
    pub org_form: Option<OrgForm>,
    pub host_unit_id: Option<UnitId>,
    pub team_category: Option<TeamCategory>,
    pub founded_on: Option<NaiveDate>,
    pub service_station: Option<String>,
    pub wechat_group: Option<String>,
    pub notes: Option<String>,
    /// The day the unit came into being in the tree (default: today).
    pub effective_on: Option<NaiveDate>,
}

/// What `updateOrgUnit` takes: absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    pub unit_type: Option<UnitType>,
    pub name: Option<String>,
    pub code: Patch<String>,
    pub org_form: Option<OrgForm>,
    pub host_unit_id: Patch<UnitId>,
    pub team_category: Option<TeamCategory>,
    pub founded_on: Patch<NaiveDate>,
    pub service_station: Patch<String>,
    pub wechat_group: Patch<String>,
    pub notes: Patch<String>,
    /// The day a change of type, form or host took effect (default: today).
    pub effective_on: Option<NaiveDate>,
}

impl NewUnit {
    /// A unit of `unit_type` named `name` under `parent`, every optional
    /// field left empty (fill in the rest with struct update syntax).
    pub fn named(parent_id: Option<UnitId>, unit_type: UnitType, name: String) -> NewUnit {
        NewUnit {
            parent_id,
            unit_type,
            name,
            code: None,
            org_form: None,
            host_unit_id: None,
            team_category: None,
            founded_on: None,
            service_station: None,
            wechat_group: None,
            notes: None,
            effective_on: None,
        }
    }
}

impl UnitPatch {
    /// Whether applying it would change anything.
    pub fn changes_something(&self) -> bool {
        self.unit_type.is_some()
            || self.name.is_some()
            || self.org_form.is_some()
            || self.team_category.is_some()
            || !self.code.is_keep()
            || !self.host_unit_id.is_keep()
            || !self.founded_on.is_keep()
            || !self.service_station.is_keep()
            || !self.wechat_group.is_keep()
            || !self.notes.is_keep()
    }
}
