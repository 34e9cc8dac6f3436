//! The rows the demo's grassroots work writes in bulk, with their ids
//! chosen up front (participants and steps name them).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::db::schema::{
    duty_logs, problem_steps, problems, service_activities, service_participants,
    training_sessions, village_incomes,
};
use crate::db::DbConnection;
use crate::domain::OrgUnit;
use crate::error::AppResult;
use crate::service::rows::{place, IncomeRow, ParticipantRow};

/// Declares an insertable row with its id and its unit's ancestry.
macro_rules! placed_row {
    ($name:ident, $table:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        pub struct $name {
            pub id: i64,
            pub unit_id: i64,
            pub township_id: Option<i64>,
            pub village_id: Option<i64>,
            pub grid_id: Option<i64>,
            pub building_group_id: Option<i64>,
            $(pub $field: $ty,)*
        }
    };
}

placed_row!(ActivityInsert, service_activities {
    held_on: NaiveDate, category: String, title: String, description: Option<String>,
    place: String, residents_served: i32, participants: i32, hours_tenths: i64,
    recorded_by: Option<i64>, created_at: NaiveDateTime,
});
placed_row!(ProblemInsert, problems {
    channel: String, category: String, description: String, reporter_name: Option<String>,
    reporter_phone: Option<String>, status: String, level: i32, escalated: bool,
    assigned_unit_id: Option<i64>, assigned_person_id: Option<i64>, received_at: NaiveDateTime,
    due_on: NaiveDate, resolved_at: Option<NaiveDateTime>, closed_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
});
placed_row!(DutyInsert, duty_logs {
    person_id: i64, kind: String, done_on: NaiveDate, notes: Option<String>, created_at: NaiveDateTime,
});
placed_row!(
    TrainingInsert,
    training_sessions {
        held_on: NaiveDate,
        topic: String,
        trainees: i32,
        created_at: NaiveDateTime,
    }
);

#[derive(Insertable)]
#[diesel(table_name = problem_steps, treat_none_as_default_value = false)]
pub struct StepInsert {
    pub id: i64,
    pub problem_id: i64,
    pub status: String,
    pub level: i32,
    pub at: NaiveDateTime,
    pub assigned_unit_id: Option<i64>,
    pub note: Option<String>,
}

/// The next id of each table.
#[derive(Default)]
pub struct Ids {
    pub activity: i64,
    pub problem: i64,
    pub step: i64,
    pub duty: i64,
    pub training: i64,
}

/// The next of `counter`, from 1.
pub fn next(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter
}

impl Ids {
    /// On PostgreSQL, each sequence continues after the ids written.
    pub fn set_sequences(&self, conn: &mut DbConnection) -> AppResult<()> {
        if let DbConnection::Pg(_) = conn {
            use diesel::connection::SimpleConnection;
            for table in [
                "service_activities",
                "problems",
                "problem_steps",
                "duty_logs",
                "training_sessions",
            ] {
                conn.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                ))?;
            }
        }
        Ok(())
    }
}

/// The ancestry columns of a row of `unit`.
pub fn slots(unit: &OrgUnit) -> (i64, [Option<i64>; 4]) {
    let p = place(unit);
    (p.unit_id, p.slots)
}

/// One county copy's rows.
#[derive(Default)]
pub struct Batch {
    pub activities: Vec<ActivityInsert>,
    pub participants: Vec<ParticipantRow>,
    pub problems: Vec<ProblemInsert>,
    pub steps: Vec<StepInsert>,
    pub duties: Vec<DutyInsert>,
    pub trainings: Vec<TrainingInsert>,
    pub incomes: Vec<IncomeRow>,
}

const TITLES: [&str; 6] = [
    "清扫楼道",
    "政策宣讲",
    "文明劝导",
    "走访独居老人",
    "邻里调解",
    "义务理发",
];

impl Batch {
    /// An activity of `unit` on `on` with `people`, each 1 to 4 hours.
    pub fn activity(
        &mut self,
        ids: &mut Ids,
        rng: &mut ChaCha8Rng,
        unit: &OrgUnit,
        on: NaiveDate,
        people: &[i64],
        now: DateTime<Utc>,
    ) {
        let id = next(&mut ids.activity);
        let mut tenths = 0;
        for p in people {
            let h = rng.random_range(1..=8) * 5;
            tenths += i64::from(h);
            self.participants.push(ParticipantRow {
                activity_id: id,
                person_id: *p,
                hours_tenths: h,
            });
        }
        let (unit_id, [township_id, village_id, grid_id, building_group_id]) = slots(unit);
        let category = unit
            .team_category
            .map_or("OTHER", |c| c.as_str())
            .to_owned();
        self.activities.push(ActivityInsert {
            id,
            unit_id,
            township_id,
            village_id,
            grid_id,
            building_group_id,
            held_on: on,
            category,
            title: TITLES[rng.random_range(0..TITLES.len())].to_owned(),
            description: None,
            place: format!("{}活动点", unit.name),
            residents_served: rng.random_range(5..=60),
            participants: people.len() as i32,
            hours_tenths: tenths,
            recorded_by: None,
            created_at: now.naive_utc(),
        });
    }

    /// Writes everything, at database speed.
    pub fn write(self, conn: &mut DbConnection) -> AppResult<()> {
        bulk_insert!(conn, service_activities::table, &self.activities);
        bulk_insert!(conn, service_participants::table, &self.participants);
        bulk_insert!(conn, problems::table, &self.problems);
        bulk_insert!(conn, problem_steps::table, &self.steps);
        bulk_insert!(conn, duty_logs::table, &self.duties);
        bulk_insert!(conn, training_sessions::table, &self.trainings);
        bulk_insert!(conn, village_incomes::table, &self.incomes);
        Ok(())
    }
}
