//! Training sessions (培训): held by a unit on a day, on a topic, with a
//! number of trainees (and, optionally, who they were), summed as sessions
//! and person-times (人次). Recorded under `RecordService` at the unit.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rows::{place, TrainingRow};
use super::tallies::{self, Count, TRAINEES, TRAININGS};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::training_sessions::{self, dsl as t};
use crate::db::schema::training_trainees;
use crate::db::DbConnection;
use crate::domain::rules;
use crate::domain::service::{month_of, MAX_PARTICIPANTS, MAX_TRAINEES};
use crate::error::{AppError, AppResult};
use crate::ids::{Id, Kind, PersonId, UnitId};

/// A session to record.
#[derive(Debug, Clone)]
pub struct NewTraining {
    pub unit_id: UnitId,
    pub held_on: NaiveDate,
    pub topic: String,
    /// How many took part; default: the trainees listed.
    pub trainees: Option<i32>,
    /// Who took part, when known (at most 500).
    pub trainee_ids: Vec<PersonId>,
    pub notes: Option<String>,
}

/// Records a training session.
pub fn record_training(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewTraining,
) -> AppResult<TrainingRow> {
    let unit = super::unit_for(
        conn,
        actor,
        new.unit_id.get(),
        ActionKind::RecordService,
        "unitId",
    )?;
    rules::active(&unit)?;
    rules::not_future("heldOn", Some(new.held_on), actor.now.date_naive())?;
    let topic = rules::name("topic", &new.topic)?;
    let notes = rules::optional_text("notes", new.notes.as_deref(), rules::MAX_NOTES_CHARS)?;
    if new.trainee_ids.len() > MAX_PARTICIPANTS {
        return Err(AppError::bad_input(
            "traineeIds",
            format!("list at most {MAX_PARTICIPANTS} trainees; give larger sessions as a number"),
        ));
    }
    let mut listed: Vec<i64> = Vec::new();
    for p in &new.trainee_ids {
        super::person_seen(conn, actor, p.get(), "traineeIds")?;
        if listed.contains(&p.get()) {
            return Err(AppError::bad_input(
                "traineeIds",
                "a trainee is listed once",
            ));
        }
        listed.push(p.get());
    }
    let trainees = new.trainees.unwrap_or(listed.len() as i32);
    if !(1..=MAX_TRAINEES).contains(&trainees) || (trainees as usize) < listed.len() {
        return Err(AppError::bad_input(
            "trainees",
            format!("a session has 1 to {MAX_TRAINEES} trainees, no fewer than those listed"),
        ));
    }
    let at = place(&unit);
    let mut row = TrainingRow {
        id: 0,
        unit_id: unit.id,
        township_id: None,
        village_id: None,
        grid_id: None,
        building_group_id: None,
        held_on: new.held_on,
        topic,
        trainees,
        notes,
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now.naive_utc(),
    };
    [
        row.township_id,
        row.village_id,
        row.grid_id,
        row.building_group_id,
    ] = at.slots;
    row.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(training_sessions::table)
        .values(&row)
        .returning(t::id)
        .get_result::<i64>(c))?;
    let people: Vec<_> = listed
        .iter()
        .map(|p| {
            (
                training_trainees::session_id.eq(row.id),
                training_trainees::person_id.eq(*p),
            )
        })
        .collect();
    if !people.is_empty() {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(training_trainees::table)
            .values(&people)
            .execute(c))?;
    }
    let month = month_of(row.held_on);
    tallies::add(
        conn,
        at,
        &[
            Count::new(month, TRAININGS, "", 1),
            Count::new(month, TRAINEES, "", i64::from(trainees)),
        ],
    )?;
    super::audit(
        conn,
        actor,
        "RECORD_TRAINING",
        (Kind::TrainingSession, row.id),
        &unit,
        (None, Some(&row)),
    )?;
    Ok(row)
}
