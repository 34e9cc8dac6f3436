//! Rows as stored, and their conversion to and from the domain's [`OrgUnit`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::org_units;
use crate::domain::{Ancestry, OrgUnit};
use crate::error::{AppError, AppResult};

/// An `org_units` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = org_units, treat_none_as_default_value = false)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrgUnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub unit_type: String,
    pub name: String,
    pub code: Option<String>,
    pub org_form: Option<String>,
    pub host_unit_id: Option<i64>,
    pub team_category: Option<String>,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub founded_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub dissolved_reason: Option<String>,
    pub service_station: Option<String>,
    pub wechat_group: Option<String>,
    pub notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A row to insert; the database assigns the id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = org_units)]
pub struct NewOrgUnitRow {
    pub parent_id: Option<i64>,
    pub level: i32,
    pub unit_type: String,
    pub name: String,
    pub code: Option<String>,
    pub org_form: Option<String>,
    pub host_unit_id: Option<i64>,
    pub team_category: Option<String>,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub founded_on: Option<NaiveDate>,
    pub service_station: Option<String>,
    pub wechat_group: Option<String>,
    pub notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The writable fields of an existing unit, written all at once by an update.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = org_units, treat_none_as_null = true)]
pub struct OrgUnitChanges {
    pub unit_type: String,
    pub name: String,
    pub code: Option<String>,
    pub org_form: Option<String>,
    pub host_unit_id: Option<i64>,
    pub team_category: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub service_station: Option<String>,
    pub wechat_group: Option<String>,
    pub notes: Option<String>,
    pub updated_at: NaiveDateTime,
}

fn parse<T: std::str::FromStr>(v: &str) -> AppResult<T>
where
    T::Err: std::fmt::Display,
{
    v.parse::<T>().map_err(AppError::internal)
}

impl TryFrom<OrgUnitRow> for OrgUnit {
    type Error = AppError;

    fn try_from(r: OrgUnitRow) -> AppResult<OrgUnit> {
        let unit = OrgUnit {
            id: r.id,
            parent_id: r.parent_id,
            unit_type: parse(&r.unit_type)?,
            name: r.name,
            code: r.code,
            org_form: r.org_form.as_deref().map(parse).transpose()?,
            host_unit_id: r.host_unit_id,
            team_category: r.team_category.as_deref().map(parse).transpose()?,
            ancestry: Ancestry([r.township_id, r.village_id, r.grid_id, r.building_group_id]),
            founded_on: r.founded_on,
            dissolved_on: r.dissolved_on,
            dissolved_reason: r.dissolved_reason,
            service_station: r.service_station,
            wechat_group: r.wechat_group,
            notes: r.notes,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        };
        if unit.level().number() != r.level {
            return Err(AppError::internal(format!(
                "unit {} stored at level {} but its type is {}",
                unit.id, r.level, unit.unit_type
            )));
        }
        Ok(unit)
    }
}

impl From<&OrgUnit> for OrgUnitChanges {
    fn from(u: &OrgUnit) -> Self {
        OrgUnitChanges {
            unit_type: u.unit_type.as_str().to_owned(),
            name: u.name.clone(),
            code: u.code.clone(),
            org_form: u.org_form.map(|f| f.as_str().to_owned()),
            host_unit_id: u.host_unit_id,
            team_category: u.team_category.map(|c| c.as_str().to_owned()),
            founded_on: u.founded_on,
            service_station: u.service_station.clone(),
            wechat_group: u.wechat_group.clone(),
            notes: u.notes.clone(),
            updated_at: u.updated_at.naive_utc(),
        }
    }
}

impl From<&OrgUnit> for NewOrgUnitRow {
    fn from(u: &OrgUnit) -> Self {
        let [township_id, village_id, grid_id, building_group_id] = u.ancestry.0;
        NewOrgUnitRow {
            parent_id: u.parent_id,
            level: u.level().number(),
            unit_type: u.unit_type.as_str().to_owned(),
            name: u.name.clone(),
            code: u.code.clone(),
            org_form: u.org_form.map(|f| f.as_str().to_owned()),
            host_unit_id: u.host_unit_id,
            team_category: u.team_category.map(|c| c.as_str().to_owned()),
            township_id,
            village_id,
            grid_id,
            building_group_id,
            founded_on: u.founded_on,
            service_station: u.service_station.clone(),
            wechat_group: u.wechat_group.clone(),
            notes: u.notes.clone(),
            created_at: u.created_at.naive_utc(),
            updated_at: u.updated_at.naive_utc(),
        }
    }
}
