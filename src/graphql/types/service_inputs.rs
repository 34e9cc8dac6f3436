//! The inputs of grassroots work's mutations.

use async_graphql::{InputObject, ID};
use chrono::{DateTime, Utc};

use super::scalars::Date;
use crate::domain::service::{DutyKind, ProblemCategory, ProblemChannel, ProblemStatus};
use crate::domain::TeamCategory;
use crate::error::AppResult;
use crate::ids::{HouseholdId, Id, PersonId, ProblemId, UnitId};
use crate::service::activities::NewActivity;
use crate::service::duties::NewDuty;
use crate::service::economy::IncomeInput;
use crate::service::problem_steps::Step;
use crate::service::problems::NewProblem;
use crate::service::training::NewTraining;

fn opt<T: Id>(id: Option<ID>, field: &str) -> AppResult<Option<T>> {
    id.map(|i| T::decode(&i, field)).transpose()
}

/// One participant and their hours.
#[derive(InputObject)]
pub struct ParticipantInput {
    /// The person.
    pub person_id: ID,
    /// Hours given, to a tenth (0.1 to 24).
    pub hours: f64,
}

/// A service activity to record.
#[derive(InputObject)]
pub struct RecordServiceActivityInput {
    /// The team, or the grid or group of a joint event.
    pub unit_id: ID,
    /// The day (not in the future).
    pub held_on: Date,
    /// The category (a team category, or OTHER).
    pub category: TeamCategory,
    /// A title.
    pub title: String,
    /// What was done.
    pub description: Option<String>,
    /// Where.
    pub place: String,
    /// Residents served (0 to 100,000).
    pub residents_served: i32,
    /// Who took part (1 to 500).
    pub participants: Vec<ParticipantInput>,
}

impl RecordServiceActivityInput {
    pub fn into_new(self) -> AppResult<NewActivity> {
        let mut participants = Vec::with_capacity(self.participants.len());
        for p in self.participants {
            participants.push((PersonId::decode(&p.person_id, "participants")?, p.hours));
        }
        Ok(NewActivity {
            unit_id: UnitId::decode(&self.unit_id, "unitId")?,
            held_on: self.held_on.0,
            category: self.category,
            title: self.title,
            description: self.description,
            place: self.place,
            residents_served: self.residents_served,
            participants,
        })
    }
}

/// A resident's problem to report.
#[derive(InputObject)]
pub struct ReportProblemInput {
    /// The grid.
    pub unit_id: ID,
    /// How it reached the grid.
    pub channel: ProblemChannel,
    /// What it is about.
    pub category: ProblemCategory,
    /// The problem.
    pub description: String,
    /// The reporter's name.
    pub reporter_name: Option<String>,
    /// The reporter's phone (masked for viewers).
    pub reporter_phone: Option<String>,
    /// The reporter, when a registered person.
    pub reporter_person_id: Option<ID>,
    /// The reporter's household, living in the grid.
    pub household_id: Option<ID>,
    /// When it was received (default: now).
    pub received_at: Option<DateTime<Utc>>,
}

impl ReportProblemInput {
    pub fn into_new(self) -> AppResult<NewProblem> {
        Ok(NewProblem {
            unit_id: UnitId::decode(&self.unit_id, "unitId")?,
            channel: self.channel,
            category: self.category,
            description: self.description,
            reporter_name: self.reporter_name,
            reporter_phone: self.reporter_phone,
            reporter_person_id: opt::<PersonId>(self.reporter_person_id, "reporterPersonId")?,
            household_id: opt::<HouseholdId>(self.household_id, "householdId")?,
            received_at: self.received_at,
        })
    }
}

/// A step of a problem's status flow.
#[derive(InputObject)]
pub struct ProblemStepInput {
    /// The status to move to.
    pub status: ProblemStatus,
    /// For ASSIGNED: the unit (a volunteer team, say) at or beneath where
    /// the problem is handled.
    pub assigned_unit_id: Option<ID>,
    /// For ASSIGNED: the person, of a unit at or beneath where it is handled.
    pub assigned_person_id: Option<ID>,
    /// When (default: now; not before the last step).
    pub at: Option<DateTime<Utc>>,
    /// A note.
    pub note: Option<String>,
}

impl ProblemStepInput {
    pub fn into_step(self) -> AppResult<Step> {
        Ok(Step {
            status: self.status,
            assigned_unit_id: opt::<UnitId>(self.assigned_unit_id, "assignedUnitId")?,
            assigned_person_id: opt::<PersonId>(self.assigned_person_id, "assignedPersonId")?,
            at: self.at,
            note: self.note,
        })
    }
}

/// A cadre's duty to log.
#[derive(InputObject)]
pub struct LogDutyInput {
    /// The cadre (holding a LINKED_LEADER, INSTRUCTOR or GRID_LIAISON post
    /// at the unit concerned or above it).
    pub person_id: ID,
    /// The kind of duty.
    pub kind: DutyKind,
    /// The day.
    pub done_on: Date,
    /// The unit concerned (or give `householdId`).
    pub unit_id: Option<ID>,
    /// The household concerned (or give `unitId`).
    pub household_id: Option<ID>,
    /// Notes.
    pub notes: Option<String>,
    /// The problems it raised (at most 50).
    #[graphql(default)]
    pub problem_ids: Vec<ID>,
}

impl LogDutyInput {
    pub fn into_new(self) -> AppResult<NewDuty> {
        let mut problem_ids = Vec::with_capacity(self.problem_ids.len());
        for p in &self.problem_ids {
            problem_ids.push(ProblemId::decode(p, "problemIds")?);
        }
        Ok(NewDuty {
            person_id: PersonId::decode(&self.person_id, "personId")?,
            kind: self.kind,
            done_on: self.done_on.0,
            unit_id: opt::<UnitId>(self.unit_id, "unitId")?,
            household_id: opt::<HouseholdId>(self.household_id, "householdId")?,
            notes: self.notes,
            problem_ids,
        })
    }
}

/// A training session to record.
#[derive(InputObject)]
pub struct RecordTrainingInput {
    /// The unit that held it.
    pub unit_id: ID,
    /// The day.
    pub held_on: Date,
    /// The topic.
    pub topic: String,
    /// How many took part (default: those listed).
    pub trainees: Option<i32>,
    /// Who took part, when known (at most 500).
    #[graphql(default)]
    pub trainee_ids: Vec<ID>,
    /// Notes.
    pub notes: Option<String>,
}

impl RecordTrainingInput {
    pub fn into_new(self) -> AppResult<NewTraining> {
        let mut trainee_ids = Vec::with_capacity(self.trainee_ids.len());
        for p in &self.trainee_ids {
            trainee_ids.push(PersonId::decode(p, "traineeIds")?);
        }
        Ok(NewTraining {
            unit_id: UnitId::decode(&self.unit_id, "unitId")?,
            held_on: self.held_on.0,
            topic: self.topic,
            trainees: self.trainees,
            trainee_ids,
            notes: self.notes,
        })
    }
}

/// A village's income for a year.
#[derive(InputObject)]
pub struct VillageIncomeInput {
    /// The village or community.
    pub unit_id: ID,
    /// The year.
    pub year: i32,
    /// Collective operating income, in whole yuan.
    pub income_yuan: i64,
    /// Where it comes from.
    pub sources: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

impl VillageIncomeInput {
    pub fn into_input(self) -> AppResult<IncomeInput> {
        Ok(IncomeInput {
            unit_id: UnitId::decode(&self.unit_id, "unitId")?,
            year: self.year,
            income_yuan: self.income_yuan,
            sources: self.sources,
            notes: self.notes,
        })
    }
}
