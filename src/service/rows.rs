//! The rows of grassroots work's tables. They are the records the API
//! shows: an activity, a problem and its steps, a duty log, a training
//! session, a village's income for a year.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::ancestry::Beneath;
use crate::db::schema::{
    duty_logs, problem_steps, problems, service_activities, service_participants,
    training_sessions, village_incomes,
};
use crate::db::tallies::Place;
use crate::domain::OrgUnit;

/// Where a row of `unit` counts (the tables here are all inclusive).
pub fn place(unit: &OrgUnit) -> Place {
    Place {
        unit_id: unit.id,
        slots: service_activities::table::slots(unit),
    }
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize)]
#[diesel(table_name = service_activities)]
#[diesel(treat_none_as_null = true)]
pub struct ActivityRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub unit_id: i64,
    #[serde(skip)]
    pub township_id: Option<i64>,
    #[serde(skip)]
    pub village_id: Option<i64>,
    #[serde(skip)]
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub building_group_id: Option<i64>,
    pub held_on: NaiveDate,
    pub category: String,
    pub title: String,
    pub description: Option<String>,
    pub place: String,
    pub residents_served: i32,
    pub participants: i32,
    pub hours_tenths: i64,
    pub cancelled_on: Option<NaiveDate>,
    pub cancelled_reason: Option<String>,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize)]
#[diesel(table_name = service_participants, treat_none_as_default_value = false)]
pub struct ParticipantRow {
    pub activity_id: i64,
    pub person_id: i64,
    pub hours_tenths: i32,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone, serde::Serialize)]
#[diesel(table_name = problems)]
#[diesel(treat_none_as_null = true)]
pub struct ProblemRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub unit_id: i64,
    #[serde(skip)]
    pub township_id: Option<i64>,
    #[serde(skip)]
    pub village_id: Option<i64>,
    #[serde(skip)]
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub building_group_id: Option<i64>,
    pub channel: String,
    pub category: String,
    pub description: String,
    pub reporter_name: Option<String>,
    /// Never in the audit log: a resident's contact.
    #[serde(skip)]
    pub reporter_phone: Option<String>,
    pub reporter_person_id: Option<i64>,
    pub household_id: Option<i64>,
    pub status: String,
    pub level: i32,
    pub escalated: bool,
    pub assigned_unit_id: Option<i64>,
    pub assigned_person_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub due_on: NaiveDate,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub recorded_by: Option<i64>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize)]
#[diesel(table_name = problem_steps)]
#[diesel(treat_none_as_null = true)]
pub struct StepRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub problem_id: i64,
    pub status: String,
    pub level: i32,
    pub at: NaiveDateTime,
    pub actor_account_id: Option<i64>,
    pub assigned_unit_id: Option<i64>,
    pub assigned_person_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize)]
#[diesel(table_name = duty_logs)]
#[diesel(treat_none_as_null = true)]
pub struct DutyRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub done_on: NaiveDate,
    pub unit_id: i64,
    #[serde(skip)]
    pub township_id: Option<i64>,
    #[serde(skip)]
    pub village_id: Option<i64>,
    #[serde(skip)]
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub building_group_id: Option<i64>,
    pub household_id: Option<i64>,
    pub notes: Option<String>,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize)]
#[diesel(table_name = training_sessions)]
#[diesel(treat_none_as_null = true)]
pub struct TrainingRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub unit_id: i64,
    #[serde(skip)]
    pub township_id: Option<i64>,
    #[serde(skip)]
    pub village_id: Option<i64>,
    #[serde(skip)]
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub building_group_id: Option<i64>,
    pub held_on: NaiveDate,
    pub topic: String,
    pub trainees: i32,
    pub notes: Option<String>,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone, serde::Serialize)]
#[diesel(table_name = village_incomes, treat_none_as_default_value = false)]
#[diesel(treat_none_as_null = true)]
pub struct IncomeRow {
    pub unit_id: i64,
    pub year: i32,
    #[serde(skip)]
    pub township_id: Option<i64>,
    #[serde(skip)]
    pub village_id: Option<i64>,
    #[serde(skip)]
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub building_group_id: Option<i64>,
    pub income_yuan: i64,
    pub sources: Option<String>,
    pub notes: Option<String>,
    pub updated_at: NaiveDateTime,
}
