//! Volunteer service activities (志愿服务活动): held by a volunteer team,
//! or by a grid or group for a joint event, recorded by a MANAGER of that
//! unit or above it (a team's leader signs in with a MANAGER grant at the
//! team). An activity is not edited; one recorded by mistake is cancelled,
//! which takes it out of every count.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rows::{place, ActivityRow, ParticipantRow};
use super::tallies::{self, Count, ACTIVITIES, HOURS, PARTICIPATIONS, SERVED};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::service_activities::{self, dsl as a};
use crate::db::schema::service_participants::{self, dsl as sp};
use crate::db::DbConnection;
use crate::domain::service::{
    hours_tenths, month_of, year_key, MAX_PARTICIPANTS, MAX_RESIDENTS_SERVED,
};
use crate::domain::{rules, Level, TeamCategory};
use crate::error::{AppError, AppResult};
use crate::ids::{ActivityId, Id, Kind, PersonId, UnitId};

/// An activity to record.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub unit_id: UnitId,
    pub held_on: NaiveDate,
    pub category: TeamCategory,
    pub title: String,
    pub description: Option<String>,
    pub place: String,
    pub residents_served: i32,
    /// Who took part, and for how many hours.
    pub participants: Vec<(PersonId, f64)>,
}

/// What an activity adds to the counters (`sign` -1 to take it out).
fn counts(row: &ActivityRow, sign: i64) -> Vec<Count> {
    let m = month_of(row.held_on);
    let c = row.category.as_str();
    vec![
        Count::new(m, ACTIVITIES, c, sign),
        Count::new(m, HOURS, c, sign * row.hours_tenths),
        Count::new(m, SERVED, c, sign * i64::from(row.residents_served)),
        Count::new(m, PARTICIPATIONS, c, sign * i64::from(row.participants)),
    ]
}

fn periods(day: NaiveDate) -> [i32; 2] {
    [month_of(day), year_key(chrono::Datelike::year(&day))]
}

/// Records an activity.
pub fn record_activity(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewActivity,
) -> AppResult<ActivityRow> {
    let unit = super::unit_for(
        conn,
        actor,
        new.unit_id.get(),
        ActionKind::RecordService,
        "unitId",
    )?;
    if !matches!(
        unit.level(),
        Level::VolunteerTeam | Level::Grid | Level::BuildingGroup
    ) {
        return Err(AppError::bad_input(
            "unitId",
            "an activity is held by a volunteer team, or by a grid or group for a joint event",
        ));
    }
    rules::active(&unit)?;
    let today = actor.now.date_naive();
    rules::not_future("heldOn", Some(new.held_on), today)?;
    if unit.founded_on.is_some_and(|f| f > new.held_on) {
        return Err(AppError::bad_input(
            "heldOn",
            "the activity is dated before the unit was founded",
        ));
    }
    let title = rules::name("title", &new.title)?;
    let place_text = rules::name("place", &new.place)?;
    let description = rules::optional_text(
        "description",
        new.description.as_deref(),
        rules::MAX_NOTES_CHARS,
    )?;
    if !(0..=MAX_RESIDENTS_SERVED).contains(&new.residents_served) {
        return Err(AppError::bad_input(
            "residentsServed",
            format!("residents served lie between 0 and {MAX_RESIDENTS_SERVED}"),
        ));
    }
    if new.participants.is_empty() || new.participants.len() > MAX_PARTICIPANTS {
        return Err(AppError::bad_input(
            "participants",
            format!("an activity has 1 to {MAX_PARTICIPANTS} participants"),
        ));
    }
    let mut people: Vec<(i64, i32)> = Vec::with_capacity(new.participants.len());
    for (person, hours) in &new.participants {
        let tenths = hours_tenths("participants", *hours)?;
        if people.iter().any(|(p, _)| *p == person.get()) {
            return Err(AppError::bad_input(
                "participants",
                "a person is listed once per activity",
            ));
        }
        super::person_seen(conn, actor, person.get(), "participants")?;
        people.push((person.get(), tenths));
    }
    let mut row = ActivityRow {
        id: 0,
        unit_id: unit.id,
        township_id: None,
        village_id: None,
        grid_id: None,
        building_group_id: None,
        held_on: new.held_on,
        category: new.category.as_str().to_owned(),
        title,
        description,
        place: place_text,
        residents_served: new.residents_served,
        participants: people.len() as i32,
        hours_tenths: people.iter().map(|(_, h)| i64::from(*h)).sum(),
        cancelled_on: None,
        cancelled_reason: None,
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now.naive_utc(),
    };
    let at = place(&unit);
    [
        row.township_id,
        row.village_id,
        row.grid_id,
        row.building_group_id,
    ] = at.slots;
    row.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(service_activities::table)
        .values(&row)
        .returning(a::id)
        .get_result::<i64>(c))?;
    let participants: Vec<ParticipantRow> = people
        .iter()
        .map(|(person_id, hours_tenths)| ParticipantRow {
            activity_id: row.id,
            person_id: *person_id,
            hours_tenths: *hours_tenths,
        })
        .collect();
    crate::with_concrete_conn!(conn, |c| diesel::insert_into(service_participants::table)
        .values(&participants)
        .execute(c))?;
    tallies::add(conn, at, &counts(&row, 1))?;
    let ids: Vec<i64> = people.iter().map(|(p, _)| *p).collect();
    tallies::volunteers(conn, at, &periods(row.held_on), &ids, 1)?;
    super::audit(
        conn,
        actor,
        "RECORD_ACTIVITY",
        (Kind::ServiceActivity, row.id),
        &unit,
        (None, Some(&row)),
    )?;
    Ok(row)
}

/// Cancels an activity recorded by mistake: it stays, out of every count.
pub fn cancel_activity(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: ActivityId,
    reason: &str,
) -> AppResult<ActivityRow> {
    let missing = || AppError::not_found("no such activity");
    let unit_id: i64 = a::service_activities
        .find(id.get())
        .select(a::unit_id)
        .first(conn)
        .optional()?
        .ok_or_else(missing)?;
    let unit = super::unit_for(conn, actor, unit_id, ActionKind::RecordService, "id").map_err(
        |e| match e {
            AppError::NotFound(_) => missing(),
            other => other,
        },
    )?;
    let before: ActivityRow = a::service_activities
        .find(id.get())
        .select(ActivityRow::as_select())
        .first(conn)?;
    if before.cancelled_on.is_some() {
        return Err(AppError::conflict("the activity was cancelled already"));
    }
    let reason = rules::optional_text("reason", Some(reason), rules::MAX_REASON_CHARS)?
        .ok_or_else(|| AppError::bad_input("reason", "say why the activity is cancelled"))?;
    let mut row = before.clone();
    row.cancelled_on = Some(actor.now.date_naive());
    row.cancelled_reason = Some(reason);
    diesel::update(a::service_activities.find(row.id))
        .set((
            a::cancelled_on.eq(row.cancelled_on),
            a::cancelled_reason.eq(&row.cancelled_reason),
        ))
        .execute(conn)?;
    let at = place(&unit);
    tallies::add(conn, at, &counts(&row, -1))?;
    let people: Vec<i64> = sp::service_participants
        .filter(sp::activity_id.eq(row.id))
        .select(sp::person_id)
        .load(conn)?;
    tallies::volunteers(conn, at, &periods(row.held_on), &people, -1)?;
    super::audit(
        conn,
        actor,
        "CANCEL_ACTIVITY",
        (Kind::ServiceActivity, row.id),
        &unit,
        (Some(&before), Some(&row)),
    )?;
    Ok(row)
}
