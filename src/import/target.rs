//! Where an import's rows go. The row logic (`units.rs`, `people.rs`) is
//! written once against these traits, and runs twice over the same file:
//! first as a rehearsal against a read snapshot (`rehearsal.rs`), which
//! takes no write lock and writes nothing, then, when every row passed and
//! it is not a dry run, for real through the API's writes ([`Writes`]).
//! Both ask the same `prepare_*` functions of the write services, so they
//! refuse the same rows with the same problems.

use chrono::NaiveDate;
use diesel::connection::TransactionManager;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::auth::policy::Sight;
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::dsl as ps;
use crate::db::DbConnection;
use crate::domain::people::PositionRole;
use crate::domain::OrgUnit;
use crate::error::AppResult;
use crate::ids::PersonId;
use crate::people::{store, write as people};
use crate::tree::{read, write as tree};

/// What both targets share: the connection they read through, the actor,
/// and a row that applies whole or not at all.
pub(super) trait Target {
    fn conn(&mut self) -> &mut DbConnection;
    fn actor(&self) -> &Actor<'_>;
    /// Runs one row: if it fails, nothing of it stays.
    fn row<T>(&mut self, f: impl FnOnce(&mut Self) -> AppResult<T>) -> AppResult<T>;

    /// The active unit holding `code` in the database, if the viewer sees
    /// it in full: a unit out of sight answers as a missing one.
    fn stored_holder(&mut self, code: &str) -> AppResult<Option<OrgUnit>> {
        let visibility = self.actor().viewer.visibility();
        Ok(read::active_code_holder(self.conn(), code, None)?
            .filter(|u| visibility.sight(u) == Sight::Full))
    }
}

/// The writes a units file makes.
pub(super) trait UnitWrites: Target {
    /// The active unit holding `code` as the file has left it so far.
    fn seen_holder(&mut self, code: &str) -> AppResult<Option<OrgUnit>>;
    /// Creates `input` under `parent` (the unit `input.parent_id` names).
    fn create(&mut self, parent: Option<&OrgUnit>, input: tree::NewUnit) -> AppResult<()>;
    fn move_unit(&mut self, unit: &OrgUnit, new_parent: &OrgUnit) -> AppResult<()>;
    fn update(&mut self, unit: &OrgUnit, patch: tree::UnitPatch) -> AppResult<()>;
}

/// The writes a people file makes. Units do not change in it.
pub(super) trait PeopleWrites: Target {
    /// The person with this name, birth date and unit, if any.
    fn same_person(
        &mut self,
        name: &str,
        unit: &OrgUnit,
        birth_date: Option<NaiveDate>,
    ) -> AppResult<Option<i64>>;
    fn create_person(&mut self, unit: &OrgUnit, input: people::PersonInput) -> AppResult<i64>;
    /// Whether the person changed.
    fn update_person(&mut self, id: i64, input: people::PersonInput) -> AppResult<bool>;
    /// Whether the person holds `role` in `unit` now.
    fn holds(&mut self, person: i64, unit: &OrgUnit, role: PositionRole) -> AppResult<bool>;
    fn start_position(&mut self, unit: &OrgUnit, new: people::NewPosition) -> AppResult<()>;
}

/// The real thing: the API's writes, inside the import's transaction.
pub(super) struct Writes<'c, 'a> {
    pub conn: &'c mut DbConnection,
    pub actor: &'a Actor<'a>,
}

type Transactions = <DbConnection as Connection>::TransactionManager;

impl Target for Writes<'_, '_> {
    fn conn(&mut self) -> &mut DbConnection {
        self.conn
    }

    fn actor(&self) -> &Actor<'_> {
        self.actor
    }

    /// A savepoint per row, as `Connection::transaction` nests them.
    fn row<T>(&mut self, f: impl FnOnce(&mut Self) -> AppResult<T>) -> AppResult<T> {
        Transactions::begin_transaction(self.conn)?;
        match f(self) {
            Ok(v) => {
                Transactions::commit_transaction(self.conn)?;
                Ok(v)
            }
            Err(e) => {
                Transactions::rollback_transaction(self.conn)?;
                Err(e)
            }
        }
    }
}

impl UnitWrites for Writes<'_, '_> {
    fn seen_holder(&mut self, code: &str) -> AppResult<Option<OrgUnit>> {
        self.stored_holder(code)
    }

    fn create(&mut self, _parent: Option<&OrgUnit>, input: tree::NewUnit) -> AppResult<()> {
        tree::create(self.conn, self.actor, input).map(drop)
    }

    fn move_unit(&mut self, unit: &OrgUnit, new_parent: &OrgUnit) -> AppResult<()> {
        tree::move_unit(
            self.conn,
            self.actor,
            unit.unit_id(),
            new_parent.unit_id(),
            None,
        )
        .map(drop)
    }

    fn update(&mut self, unit: &OrgUnit, patch: tree::UnitPatch) -> AppResult<()> {
        tree::update(self.conn, self.actor, unit.unit_id(), patch).map(drop)
    }
}

impl PeopleWrites for Writes<'_, '_> {
    fn same_person(
        &mut self,
        name: &str,
        unit: &OrgUnit,
        birth_date: Option<NaiveDate>,
    ) -> AppResult<Option<i64>> {
        stored_person(self.conn, name, unit, birth_date)
    }

    fn create_person(&mut self, _unit: &OrgUnit, input: people::PersonInput) -> AppResult<i64> {
        Ok(people::create_person(self.conn, self.actor, input)?.id)
    }

    fn update_person(&mut self, id: i64, input: people::PersonInput) -> AppResult<bool> {
        let current = store::find(self.conn, id)?;
        let next = people::update_person(self.conn, self.actor, PersonId(id), input)?;
        Ok(current.as_ref() != Some(&next))
    }

    fn holds(&mut self, person: i64, unit: &OrgUnit, role: PositionRole) -> AppResult<bool> {
        stored_post(self.conn, person, unit, role)
    }

    fn start_position(&mut self, _unit: &OrgUnit, new: people::NewPosition) -> AppResult<()> {
        people::start_position(self.conn, self.actor, new).map(drop)
    }
}

/// The stored person with this name, birth date and unit.
pub(super) fn stored_person(
    conn: &mut DbConnection,
    name: &str,
    unit: &OrgUnit,
    birth_date: Option<NaiveDate>,
) -> AppResult<Option<i64>> {
    let mut same = p::persons
        .filter(p::name.eq(name))
        .filter(p::unit_id.eq(unit.id))
        .select(p::id)
        .order(p::id)
        .into_boxed();
    same = match birth_date {
        Some(d) => same.filter(p::birth_date.eq(d)),
        None => same.filter(p::birth_date.is_null()),
    };
    Ok(same.first(conn).optional()?)
}

/// Whether a stored post of `role` in `unit` is held by `person` now.
pub(super) fn stored_post(
    conn: &mut DbConnection,
    person: i64,
    unit: &OrgUnit,
    role: PositionRole,
) -> AppResult<bool> {
    let held: i64 = ps::positions
        .filter(ps::person_id.eq(person))
        .filter(ps::unit_id.eq(unit.id))
        .filter(ps::role.eq(role.as_str()))
        .filter(ps::ended_on.is_null())
        .count()
        .get_result(conn)?;
    Ok(held > 0)
}
