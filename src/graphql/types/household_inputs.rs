//! Inputs of the household mutations.

use async_graphql::{InputObject, MaybeUndefined, ID};

use super::person_inputs::patch;
use super::scalars::Date;
use crate::domain::Patch;
use crate::error::AppResult;
use crate::graphql::ids::{id_of, PersonId, UnitId};
use crate::points::HouseholdInput;

/// A new household.
#[derive(InputObject, Debug)]
pub struct CreateHouseholdInput {
    /// The building or courtyard group (level 4) it lives in.
    pub unit_id: ID,
    /// House number or address, unique among the group's open households
    /// (at most 100 characters).
    pub address: String,
    /// The head of household (户主): a person of the same village; they
    /// become a member.
    pub head_person_id: Option<ID>,
    /// The day it was registered (default: today; not in the future).
    pub registered_on: Option<Date>,
    /// Free-text notes.
    pub notes: Option<String>,
}

impl CreateHouseholdInput {
    pub fn into_input(self) -> AppResult<HouseholdInput> {
        Ok(HouseholdInput {
            unit_id: Some(id_of::<UnitId>(&self.unit_id, "unitId")?),
            address: Some(self.address),
            head_person_id: match self.head_person_id {
                Some(id) => Patch::Set(id_of::<PersonId>(&id, "headPersonId")?),
                None => Patch::Keep,
            },
            registered_on: self.registered_on.map(|d| d.0),
            notes: self.notes.map_or(Patch::Keep, Patch::Set),
        })
    }
}

/// Changes to a household: omitted fields stay; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct UpdateHouseholdInput {
    /// New address.
    pub address: Option<String>,
    /// New head of household; `null` removes it.
    pub head_person_id: MaybeUndefined<ID>,
    /// Registration day (not after its first record).
    pub registered_on: Option<Date>,
    /// Notes; `null` removes them.
    pub notes: MaybeUndefined<String>,
}

impl UpdateHouseholdInput {
    pub fn into_input(self) -> AppResult<HouseholdInput> {
        let head = match self.head_person_id {
            MaybeUndefined::Value(id) => {
                MaybeUndefined::Value(id_of::<PersonId>(&id, "headPersonId")?)
            }
            MaybeUndefined::Null => MaybeUndefined::Null,
            MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        };
        Ok(HouseholdInput {
            unit_id: None,
            address: self.address,
            head_person_id: patch(head, |x| x),
            registered_on: self.registered_on.map(|d| d.0),
            notes: patch(self.notes, |x| x),
        })
    }
}
