//! An import rehearsed against a read snapshot: every row goes through the
//! write services' `prepare_*` checks, and what it would create or change
//! is kept in memory, so that later rows see earlier ones as the real
//! import would. It takes no write lock and writes nothing (on PostgreSQL
//! its transaction is READ ONLY), so a dry run, or a file with a bad row,
//! never makes another write wait.
//!
//! Units created in the rehearsal get negative ids, which no stored row
//! has. After the file moves a unit, units beneath it are seen with their
//! new ancestors, as the real import's rewritten ancestry would show them.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::target::{stored_person, stored_post, PeopleWrites, Target, UnitWrites};
use crate::audit::Actor;
use crate::auth::policy::Sight;
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::domain::people::{Person, Position, PositionRole};
use crate::domain::{Ancestry, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::people::store::{self, PostsOf};
use crate::people::write as people;
use crate::tree::{locks, read, write as tree};

/// One change of the rehearsal, so that a failed row can be taken back.
enum Undo {
    /// A unit's code held this before (or nothing).
    Unit(String, Option<OrgUnit>),
    /// A person's id held this before (or nothing).
    Person(i64, Option<Person>),
    /// A new person was known by this key.
    Key(PersonKey),
    /// A post was added last.
    Post,
}

/// Name, unit and birth date: what makes two rows the same person.
type PersonKey = (String, i64, Option<NaiveDate>);

/// A file rehearsed against a read snapshot.
pub(super) struct Rehearsal<'c, 'a> {
    conn: &'c mut DbConnection,
    actor: &'a Actor<'a>,
    /// Units as the file leaves them, by code.
    units: HashMap<String, OrgUnit>,
    /// The codes of units the file creates or changes, by id.
    codes: HashMap<i64, String>,
    /// Whether the file moved a unit yet: only then can a stored unit's
    /// ancestry be stale.
    moved: bool,
    /// People as the file leaves them, by id.
    people: HashMap<i64, Person>,
    /// People the file creates, by key.
    new_people: HashMap<PersonKey, i64>,
    /// People's units, once read (a people file does not change units).
    homes: HashMap<i64, OrgUnit>,
    /// Posts the file starts.
    posts: Vec<Position>,
    /// The last id handed out (negative, downwards).
    last_id: i64,
    /// The changes of the row being rehearsed.
    undo: Vec<Undo>,
    /// The stored townships the file touches: the real import locks them
    /// all, in order, before its first row.
    pub townships: BTreeSet<i64>,
}

impl<'c, 'a> Rehearsal<'c, 'a> {
    pub fn new(conn: &'c mut DbConnection, actor: &'a Actor<'a>) -> Self {
        Rehearsal {
            conn,
            actor,
            units: HashMap::new(),
            codes: HashMap::new(),
            moved: false,
            people: HashMap::new(),
            new_people: HashMap::new(),
            homes: HashMap::new(),
            posts: Vec::new(),
            last_id: 0,
            undo: Vec::new(),
            townships: BTreeSet::new(),
        }
    }

    fn new_id(&mut self) -> i64 {
        self.last_id -= 1;
        self.last_id
    }

    fn put_unit(&mut self, unit: OrgUnit) {
        let code = unit.code.clone().unwrap_or_default();
        // Never taken back: a code without a unit falls back to the store.
        self.codes.insert(unit.id, code.clone());
        let before = self.units.insert(code.clone(), unit);
        self.undo.push(Undo::Unit(code, before));
    }

    fn put_person(&mut self, person: Person) {
        let id = person.id;
        let before = self.people.insert(id, person);
        self.undo.push(Undo::Person(id, before));
    }

    /// A unit by id as the file has left it, whoever sees it.
    fn unit_as_left(&mut self, id: i64, field: &str) -> AppResult<OrgUnit> {
        let planned = self.codes.get(&id).and_then(|c| self.units.get(c));
        let unit = match planned.cloned() {
            Some(u) => u,
            None => read::get(self.conn, &Visibility::Everything, id, field)?,
        };
        self.fresh(unit)
    }

    /// A unit by id as the file has left it, if the viewer sees it.
    fn unit_by_id(&mut self, id: i64, field: &str) -> AppResult<OrgUnit> {
        let unit = self.unit_as_left(id, field)?;
        if !self.actor.viewer.visibility().can_see(&unit) {
            return Err(AppError::unit_not_found(field));
        }
        Ok(unit)
    }

    /// `unit` with the ancestors the file has left it: beneath a unit the
    /// file moved, they are its new ones.
    fn fresh(&mut self, unit: OrgUnit) -> AppResult<OrgUnit> {
        let Some(parent) = unit.parent_id.filter(|_| self.moved) else {
            return Ok(unit);
        };
        let parent = self.unit_as_left(parent, "parentId")?;
        Ok(OrgUnit {
            ancestry: Ancestry::for_child_of(&parent),
            ..unit
        })
    }

    /// `unit` as the file has left it so far.
    fn latest(&mut self, unit: &OrgUnit) -> AppResult<OrgUnit> {
        let planned = unit.code.as_ref().and_then(|c| self.units.get(c));
        let unit = planned.unwrap_or(unit).clone();
        self.fresh(unit)
    }

    /// The affiliated units a move of `unit` to `new` ancestry strands, as
    /// the file has left them: stored ones the file did not touch, then
    /// the file's own (those it created last, as they would get ids).
    fn stranded(&mut self, unit: &OrgUnit, new: &Ancestry) -> AppResult<Vec<OrgUnit>> {
        let hosts = tree::left_behind(unit, new);
        let beneath = |u: &OrgUnit| u.id == unit.id || u.ancestry.contains(unit.id);
        let mut planned = Vec::new();
        for u in self.units.values().cloned().collect::<Vec<_>>() {
            let u = self.fresh(u)?;
            if beneath(&u) {
                planned.push(u);
            }
        }
        if planned.is_empty() {
            let named = tree::STRANDED_NAMED as i64;
            return read::affiliated_to(self.conn, unit, &hosts, named);
        }
        let mut out: Vec<OrgUnit> = read::affiliated_to(self.conn, unit, &hosts, i64::MAX)?
            .into_iter()
            .filter(|s| !s.code.as_ref().is_some_and(|c| self.units.contains_key(c)))
            .collect();
        planned.retain(|u| u.is_active() && u.host_unit_id.is_some_and(|h| hosts.contains(&h)));
        planned.sort_by_key(|u| if u.id > 0 { (0, u.id) } else { (1, -u.id) });
        out.extend(planned);
        Ok(out)
    }

    /// The unit `id`, where a person belongs, read once per file.
    fn home(&mut self, id: i64) -> AppResult<OrgUnit> {
        if let Some(unit) = self.homes.get(&id) {
            return Ok(unit.clone());
        }
        let unit = store::unit_of(self.conn, id)?;
        self.homes.insert(id, unit.clone());
        Ok(unit)
    }

    /// The person as the file has left them so far.
    fn person(&mut self, id: i64) -> AppResult<Person> {
        match self.people.get(&id) {
            Some(p) => Ok(p.clone()),
            None => {
                store::find(self.conn, id)?.ok_or_else(|| AppError::not_found("no such person"))
            }
        }
    }

    /// Takes back every change of the row being rehearsed.
    fn take_back(&mut self) {
        while let Some(undo) = self.undo.pop() {
            match undo {
                Undo::Unit(code, Some(u)) => {
                    self.units.insert(code, u);
                }
                Undo::Unit(code, None) => {
                    self.units.remove(&code);
                }
                Undo::Person(id, Some(p)) => {
                    self.people.insert(id, p);
                }
                Undo::Person(id, None) => {
                    self.people.remove(&id);
                }
                Undo::Key(key) => {
                    self.new_people.remove(&key);
                }
                Undo::Post => {
                    self.posts.pop();
                }
            }
        }
    }
}

impl Target for Rehearsal<'_, '_> {
    fn conn(&mut self) -> &mut DbConnection {
        self.conn
    }

    fn actor(&self) -> &Actor<'_> {
        self.actor
    }

    fn stored_holder(&mut self, code: &str) -> AppResult<Option<OrgUnit>> {
        let visibility = self.actor.viewer.visibility();
        let unit = read::active_code_holder(self.conn, code, None)?
            .filter(|u| visibility.sight(u) == Sight::Full);
        if let Some(u) = &unit {
            self.townships.insert(locks::township_of(u));
        }
        Ok(unit)
    }

    fn row<T>(&mut self, f: impl FnOnce(&mut Self) -> AppResult<T>) -> AppResult<T> {
        self.undo.clear();
        let result = f(self);
        if result.is_err() {
            self.take_back();
        }
        self.undo.clear();
        result
    }
}

impl UnitWrites for Rehearsal<'_, '_> {
    fn seen_holder(&mut self, code: &str) -> AppResult<Option<OrgUnit>> {
        let unit = match self.units.get(code) {
            Some(u) => Some(u.clone()),
            None => read::active_code_holder(self.conn, code, None)?,
        };
        let Some(unit) = unit else { return Ok(None) };
        let unit = self.fresh(unit)?;
        let township = locks::township_of(&unit);
        if township > 0 {
            self.townships.insert(township);
        }
        let sight = self.actor.viewer.visibility().sight(&unit);
        Ok(Some(unit).filter(|_| sight == Sight::Full))
    }

    fn create(&mut self, parent: Option<&OrgUnit>, input: tree::NewUnit) -> AppResult<()> {
        let (viewer, now) = (self.actor.viewer, self.actor.now);
        let mut unit = tree::prepare_create(
            viewer,
            parent,
            &input,
            |id| self.unit_by_id(id, "hostUnitId"),
            now,
        )?;
        // Codes of the file are distinct, so only a stored unit can hold it.
        tree::unique_code(self.conn, viewer, unit.code.as_deref(), None)?;
        unit.id = self.new_id();
        self.put_unit(unit);
        Ok(())
    }

    fn move_unit(&mut self, unit: &OrgUnit, new_parent: &OrgUnit) -> AppResult<()> {
        let unit = self.latest(unit)?;
        if !tree::prepare_move(self.actor.viewer, &unit, new_parent)? {
            return Ok(());
        }
        let ancestry = Ancestry::for_child_of(new_parent);
        let stranded = self.stranded(&unit, &ancestry)?;
        tree::not_stranded(&stranded)?;
        self.moved = true;
        self.put_unit(OrgUnit {
            parent_id: Some(new_parent.id),
            ancestry,
            ..unit
        });
        Ok(())
    }

    fn update(&mut self, unit: &OrgUnit, patch: tree::UnitPatch) -> AppResult<()> {
        let current = self.latest(unit)?;
        let (viewer, now) = (self.actor.viewer, self.actor.now);
        let next = tree::prepare_update(
            viewer,
            &current,
            patch,
            |id| self.unit_by_id(id, "hostUnitId"),
            now,
        )?;
        if next != current {
            self.put_unit(next);
        }
        Ok(())
    }
}

impl PeopleWrites for Rehearsal<'_, '_> {
    fn same_person(
        &mut self,
        name: &str,
        unit: &OrgUnit,
        birth_date: Option<NaiveDate>,
    ) -> AppResult<Option<i64>> {
        if let Some(id) = stored_person(self.conn, name, unit, birth_date)? {
            return Ok(Some(id));
        }
        let key = (name.to_owned(), unit.id, birth_date);
        Ok(self.new_people.get(&key).copied())
    }

    fn create_person(&mut self, unit: &OrgUnit, input: people::PersonInput) -> AppResult<i64> {
        let mut person = people::prepare_person(self.actor, unit, input)?;
        person.id = self.new_id();
        let key = (person.name.clone(), unit.id, person.birth_date);
        self.new_people.insert(key.clone(), person.id);
        self.undo.push(Undo::Key(key));
        let id = person.id;
        self.put_person(person);
        Ok(id)
    }

    fn update_person(&mut self, id: i64, input: people::PersonInput) -> AppResult<bool> {
        let current = self.person(id)?;
        let home = self.home(current.unit_id)?;
        let next = people::prepare_person_update(self.actor, (&current, &home), input, None)?;
        if next == current {
            return Ok(false);
        }
        self.put_person(next);
        Ok(true)
    }

    fn holds(&mut self, person: i64, unit: &OrgUnit, role: PositionRole) -> AppResult<bool> {
        let planned = self
            .posts
            .iter()
            .any(|x| x.person_id == person && x.unit_id == unit.id && x.role == role);
        Ok(planned || (person > 0 && stored_post(self.conn, person, unit, role)?))
    }

    fn start_position(&mut self, unit: &OrgUnit, new: people::NewPosition) -> AppResult<()> {
        let person = self.person(new.person_id.0)?;
        let home = self.home(person.unit_id)?;
        let mut holders = store::positions_of(
            self.conn,
            PostsOf::Units(&[unit.id]),
            Some(new.role),
            Some(self.actor.now.date_naive()),
        )?;
        holders.extend(
            self.posts
                .iter()
                .filter(|x| x.unit_id == unit.id && x.role == new.role)
                .cloned(),
        );
        let post =
            people::prepare_post(self.actor, unit, (&person, &home), &new, &holders, |id| {
                Ok(self.person(id).map(|p| p.name).unwrap_or_default())
            })?;
        self.posts.push(post);
        self.undo.push(Undo::Post);
        Ok(())
    }
}
