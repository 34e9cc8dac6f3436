//! Rows of generated people and posts with ids assigned up front (posts
//! refer to people), and their bulk insertion on either backend.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::ancestry::Beneath;
use crate::db::schema::{persons, positions};
use crate::db::DbConnection;
use crate::domain::people::PositionRole;
use crate::domain::OrgUnit;
use crate::error::AppResult;

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = persons, treat_none_as_default_value = false)]
pub(super) struct PersonInsert {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub education: Option<String>,
    pub political_status: String,
    pub status_since: Option<NaiveDate>,
    pub capable_talent: bool,
    pub unit_id: i64,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = positions, treat_none_as_default_value = false)]
pub(super) struct PositionInsert {
    pub id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub unit_level: i32,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub role: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub also_village_director: bool,
    pub created_at: NaiveDateTime,
}

impl PositionInsert {
    /// `person` holds `role` in `unit` from `from` on (id assigned later).
    pub fn new(
        person: i64,
        unit: &OrgUnit,
        role: PositionRole,
        from: NaiveDate,
        now: NaiveDateTime,
    ) -> Self {
        let [township_id, village_id, grid_id, building_group_id] =
            <positions::table as Beneath>::slots(unit);
        PositionInsert {
            id: 0,
            person_id: person,
            unit_id: unit.id,
            unit_level: unit.level().number(),
            township_id,
            village_id,
            grid_id,
            building_group_id,
            role: role.as_str().to_owned(),
            started_on: from,
            ended_on: None,
            also_village_director: false,
            created_at: now,
        }
    }
}

/// People and posts waiting to be written, numbered from 1.
#[derive(Debug, Default)]
pub(super) struct Roster {
    persons: Vec<PersonInsert>,
    positions: Vec<PositionInsert>,
    last_person: i64,
    last_position: i64,
    pub written_persons: i64,
    pub written_positions: i64,
}

impl Roster {
    /// Adds a person; returns the id they will have.
    pub fn person(&mut self, mut row: PersonInsert) -> i64 {
        self.last_person += 1;
        row.id = self.last_person;
        self.persons.push(row);
        self.last_person
    }

    pub fn position(&mut self, mut row: PositionInsert) {
        self.last_position += 1;
        row.id = self.last_position;
        self.positions.push(row);
    }

    /// Writes what has been added so far (people first: posts refer to them).
    pub fn flush(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        bulk_insert!(conn, persons::table, &self.persons);
        bulk_insert!(conn, positions::table, &self.positions);
        self.written_persons += self.persons.len() as i64;
        self.written_positions += self.positions.len() as i64;
        self.persons.clear();
        self.positions.clear();
        Ok(())
    }

    /// Moves PostgreSQL's id sequences past the ids written here.
    pub fn finish(&self, conn: &mut DbConnection) -> AppResult<()> {
        if let DbConnection::Pg(_) = conn {
            conn.batch_execute(
                "SELECT setval(pg_get_serial_sequence('persons', 'id'), GREATEST((SELECT MAX(id) FROM persons), 1));
                 SELECT setval(pg_get_serial_sequence('positions', 'id'), GREATEST((SELECT MAX(id) FROM positions), 1));",
            )?;
        }
        Ok(())
    }
}
