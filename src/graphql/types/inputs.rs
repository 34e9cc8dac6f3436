//! Inputs of the tree mutations.

use async_graphql::{InputObject, MaybeUndefined, ID};

use super::scalars::Date;
use crate::domain::{OrgForm, Patch, TeamCategory, UnitType};
use crate::error::AppResult;
use crate::graphql::ids::{id_of, UnitId};
use crate::tree::{NewUnit, UnitPatch};

/// A new unit. Its level follows from `unitType`.
#[derive(InputObject, Debug)]
pub struct CreateOrgUnitInput {
    /// The unit one level up; omit for a township or sub-district.
    pub parent_id: Option<ID>,
    /// What kind of unit; fixes the level.
    pub unit_type: UnitType,
    /// Name (at most 100 characters).
    pub name: String,
    /// Code, unique among active units (at most 64 characters, no spaces).
    pub code: Option<String>,
    /// Party organization (levels 1–4; default `NONE`). Not for teams.
    pub org_form: Option<OrgForm>,
    /// With `orgForm: AFFILIATED`: the ancestor whose organization covers the unit.
    pub host_unit_id: Option<ID>,
    /// Required for volunteer teams, and only for them.
    pub team_category: Option<TeamCategory>,
    /// When it was founded (not in the future).
    pub founded_on: Option<Date>,
    /// Address of its party–mass service station (党群服务站).
    pub service_station: Option<String>,
    /// Name of its WeChat group (微信群).
    pub wechat_group: Option<String>,
    /// Free-text notes.
    pub notes: Option<String>,
    /// The day the unit joined the tree, for coverage history (default:
    /// today; not in the future, nor before a change already recorded in
    /// its township).
    pub effective_on: Option<Date>,
}

/// Changes to a unit: omitted fields stay as they are; `null` clears an
/// optional field.
#[derive(InputObject, Debug, Default)]
pub struct UpdateOrgUnitInput {
    /// Another type of the same level (e.g. a village becoming a community).
    pub unit_type: Option<UnitType>,
    /// New name.
    pub name: Option<String>,
    /// New code; `null` removes it.
    pub code: MaybeUndefined<String>,
    /// New organization form (levels 1–4).
    pub org_form: Option<OrgForm>,
    /// New host for an `AFFILIATED` unit.
    pub host_unit_id: MaybeUndefined<ID>,
    /// New category (volunteer teams only).
    pub team_category: Option<TeamCategory>,
    /// New founding date; `null` removes it.
    pub founded_on: MaybeUndefined<Date>,
    /// New service station address; `null` removes it.
    pub service_station: MaybeUndefined<String>,
    /// New WeChat group name; `null` removes it.
    pub wechat_group: MaybeUndefined<String>,
    /// New notes; `null` removes them.
    pub notes: MaybeUndefined<String>,
    /// The day a change of type, form or host took effect, for coverage
    /// history (default: today; not in the future, nor before a change
    /// already recorded in the unit's township).
    pub effective_on: Option<Date>,
}

fn patch<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> AppResult<U>) -> AppResult<Patch<U>> {
    Ok(match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)?),
    })
}

impl CreateOrgUnitInput {
    pub fn into_new_unit(self) -> AppResult<NewUnit> {
        Ok(NewUnit {
            parent_id: self
                .parent_id
                .as_ref()
                .map(|id| id_of::<UnitId>(id, "parentId"))
                .transpose()?,
            unit_type: self.unit_type,
            name: self.name,
            code: self.code,
            org_form: self.org_form,
            host_unit_id: self
                .host_unit_id
                .as_ref()
                .map(|id| id_of::<UnitId>(id, "hostUnitId"))
                .transpose()?,
            team_category: self.team_category,
            founded_on: self.founded_on.map(|d| d.0),
            service_station: self.service_station,
            wechat_group: self.wechat_group,
            notes: self.notes,
            effective_on: self.effective_on.map(|d| d.0),
        })
    }
}

impl UpdateOrgUnitInput {
    pub fn into_patch(self) -> AppResult<UnitPatch> {
        Ok(UnitPatch {
            unit_type: self.unit_type,
            name: self.name,
            code: patch(self.code, Ok)?,
            org_form: self.org_form,
            host_unit_id: patch(self.host_unit_id, |id| id_of::<UnitId>(&id, "hostUnitId"))?,
            team_category: self.team_category,
            founded_on: patch(self.founded_on, |d| Ok(d.0))?,
            service_station: patch(self.service_station, Ok)?,
            wechat_group: patch(self.wechat_group, Ok)?,
            notes: patch(self.notes, Ok)?,
            effective_on: self.effective_on.map(|d| d.0),
        })
    }
}
