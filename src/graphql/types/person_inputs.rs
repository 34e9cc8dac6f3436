//! Inputs of the people mutations.

use async_graphql::{InputObject, MaybeUndefined, ID};

use super::scalars::Date;
use crate::domain::people::{EducationLevel, Gender, PoliticalStatus, PositionRole};
use crate::domain::Patch;
use crate::error::AppResult;
use crate::graphql::ids::{id_of, PersonId, UnitId};
use crate::people::{NewPosition, PersonInput};

/// A new person.
#[derive(InputObject, Debug)]
pub struct CreatePersonInput {
    /// The unit they live in or belong to (usually a building or courtyard group).
    pub unit_id: ID,
    /// Name (at most 100 characters).
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date (not in the future).
    pub birth_date: Option<Date>,
    /// Phone number (5–20 digits, `+`, `-` or spaces).
    pub phone: Option<String>,
    /// Highest education completed.
    pub education: Option<EducationLevel>,
    /// Political status (default `NON_PARTY`).
    pub political_status: Option<PoliticalStatus>,
    /// When the political status was reached.
    pub status_since: Option<Date>,
    /// A capable rural talent (乡村能人).
    pub capable_talent: Option<bool>,
    /// Free-text notes.
    pub notes: Option<String>,
}

/// Changes to a person: omitted fields stay; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct UpdatePersonInput {
    /// Another unit (the viewer must manage both).
    pub unit_id: Option<ID>,
    /// New name.
    pub name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Birth date; `null` removes it.
    pub birth_date: MaybeUndefined<Date>,
    /// Phone; `null` removes it.
    pub phone: MaybeUndefined<String>,
    /// Education; `null` removes it.
    pub education: MaybeUndefined<EducationLevel>,
    /// Political status.
    pub political_status: Option<PoliticalStatus>,
    /// When it was reached; `null` removes it.
    pub status_since: MaybeUndefined<Date>,
    /// A capable rural talent.
    pub capable_talent: Option<bool>,
    /// Notes; `null` removes them.
    pub notes: MaybeUndefined<String>,
}

/// A post to start.
#[derive(InputObject, Debug)]
pub struct StartPositionInput {
    /// Who takes it.
    pub person_id: ID,
    /// The unit it is in; the post must fit its level.
    pub unit_id: ID,
    /// The post.
    pub role: PositionRole,
    /// The first day (default: today; not in the future).
    pub started_on: Option<Date>,
    /// 一肩挑 (village or community secretaries only).
    pub also_village_director: Option<bool>,
}

pub(crate) fn patch<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)),
    }
}

fn set<T>(v: Option<T>) -> Patch<T> {
    v.map_or(Patch::Keep, Patch::Set)
}

impl CreatePersonInput {
    pub fn into_input(self) -> AppResult<PersonInput> {
        Ok(PersonInput {
            unit_id: Some(id_of::<UnitId>(&self.unit_id, "unitId")?),
            name: Some(self.name),
            gender: Some(self.gender),
            birth_date: set(self.birth_date.map(|d| d.0)),
            phone: set(self.phone),
            education: set(self.education),
            political_status: self.political_status,
            status_since: set(self.status_since.map(|d| d.0)),
            capable_talent: self.capable_talent,
            notes: set(self.notes),
        })
    }
}

impl UpdatePersonInput {
    pub fn into_input(self) -> AppResult<PersonInput> {
        Ok(PersonInput {
            unit_id: self
                .unit_id
                .map(|id| id_of::<UnitId>(&id, "unitId"))
                .transpose()?,
            name: self.name,
            gender: self.gender,
            birth_date: patch(self.birth_date, |d| d.0),
            phone: patch(self.phone, |p| p),
            education: patch(self.education, |e| e),
            political_status: self.political_status,
            status_since: patch(self.status_since, |d| d.0),
            capable_talent: self.capable_talent,
            notes: patch(self.notes, |n| n),
        })
    }
}

impl StartPositionInput {
    pub fn into_new(self) -> AppResult<NewPosition> {
        Ok(NewPosition {
            person_id: id_of::<PersonId>(&self.person_id, "personId")?,
            unit_id: id_of::<UnitId>(&self.unit_id, "unitId")?,
            role: self.role,
            started_on: self.started_on.map(|d| d.0),
            also_village_director: self.also_village_director.unwrap_or(false),
        })
    }
}
