//! Reading people and posts: rows, their conversion, and the queries the
//! API needs, each narrowed by the viewer's visibility in SQL.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath};
use crate::db::schema::persons::{self, dsl as p};
use crate::db::schema::positions::{self, dsl as ps};
use crate::db::DbConnection;
use crate::domain::people::{Person, PoliticalStatus, Position, PositionRole};
use crate::domain::{OrgUnit, PageOf};
use crate::error::{AppError, AppResult};
use crate::tree::read;

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = persons)]
#[diesel(treat_none_as_null = true)]
pub struct PersonRow {
    #[diesel(skip_insertion)]
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

impl PersonRow {
    /// The row of `x`, who belongs to `unit`.
    pub fn new(x: &Person, unit: &OrgUnit) -> Self {
        let [township_id, village_id, grid_id, building_group_id] = persons::table::slots(unit);
        PersonRow {
            township_id,
            village_id,
            grid_id,
            building_group_id,
            id: x.id,
            name: x.name.clone(),
            gender: x.gender.as_str().to_owned(),
            birth_date: x.birth_date,
            phone: x.phone.clone(),
            education: x.education.map(|e| e.as_str().to_owned()),
            political_status: x.political_status.as_str().to_owned(),
            status_since: x.status_since,
            capable_talent: x.capable_talent,
            unit_id: x.unit_id,
            notes: x.notes.clone(),
            created_at: x.created_at.naive_utc(),
            updated_at: x.updated_at.naive_utc(),
        }
    }
}

impl TryFrom<PersonRow> for Person {
    type Error = AppError;
    fn try_from(r: PersonRow) -> AppResult<Person> {
        Ok(Person {
            id: r.id,
            name: r.name,
            gender: r.gender.parse().map_err(AppError::internal)?,
            birth_date: r.birth_date,
            phone: r.phone,
            education: r
                .education
                .map(|e| e.parse())
                .transpose()
                .map_err(AppError::internal)?,
            political_status: r.political_status.parse().map_err(AppError::internal)?,
            status_since: r.status_since,
            capable_talent: r.capable_talent,
            unit_id: r.unit_id,
            notes: r.notes,
            created_at: Utc.from_utc_datetime(&r.created_at),
            updated_at: Utc.from_utc_datetime(&r.updated_at),
        })
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = positions)]
pub struct PositionRow {
    pub id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub role: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub also_village_director: bool,
}

impl TryFrom<PositionRow> for Position {
    type Error = AppError;
    fn try_from(r: PositionRow) -> AppResult<Position> {
        Ok(Position {
            id: r.id,
            person_id: r.person_id,
            unit_id: r.unit_id,
            role: r.role.parse().map_err(AppError::internal)?,
            started_on: r.started_on,
            ended_on: r.ended_on,
            also_village_director: r.also_village_director,
        })
    }
}

fn people(rows: Vec<PersonRow>) -> AppResult<Vec<Person>> {
    rows.into_iter().map(Person::try_from).collect()
}

fn posts(rows: Vec<PositionRow>) -> AppResult<Vec<Position>> {
    rows.into_iter().map(Position::try_from).collect()
}

/// Which people a list shows.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// People of this unit and of every unit beneath it.
    pub under: Option<UnitRef>,
    /// Only people of exactly this unit.
    pub unit: Option<i64>,
    pub political_status: Option<PoliticalStatus>,
    /// Only people holding this post (on `active_on`, or now).
    pub role: Option<PositionRole>,
    /// Part of the name, case-insensitive.
    pub search: Option<String>,
    /// With `role`: the day the post is held (default: today).
    pub active_on: Option<NaiveDate>,
}

type Boxed<'a> = persons::BoxedQuery<'a, crate::db::MultiBackend>;

/// People of `scope` and of everything beneath it.
fn within(scope: &UnitRef) -> ancestry::Condition<persons::table> {
    persons::table::at_or_beneath(scope.id, scope.level)
}

/// The filter as SQL. A person is as visible as the unit they belong to;
/// `under` must already be a unit the viewer fully sees.
pub(crate) fn filtered_people<'a>(
    visibility: &Visibility,
    f: &'a PersonFilter,
    today: NaiveDate,
) -> Boxed<'a> {
    let mut q: Boxed<'a> = persons::table.into_boxed();
    match (f.under, visibility) {
        (Some(under), _) => q = q.filter(within(&under)),
        (None, Visibility::Everything) => {}
        (None, Visibility::Nothing) => q = q.filter(ancestry::never()),
        (None, Visibility::Units(scopes)) => {
            if let Some(cond) = scopes.iter().map(within).reduce(|a, b| Box::new(a.or(b))) {
                q = q.filter(cond);
            }
        }
    }
    if let Some(unit) = f.unit {
        q = q.filter(p::unit_id.eq(unit));
    }
    if let Some(s) = f.political_status {
        q = q.filter(p::political_status.eq(s.as_str()));
    }
    if let Some(role) = f.role {
        let on = f.active_on.unwrap_or(today);
        let holders = ps::positions
            .filter(ps::role.eq(role.as_str()))
            .filter(ps::started_on.le(on))
            .filter(ps::ended_on.is_null().or(ps::ended_on.gt(on)))
            .select(ps::person_id);
        q = q.filter(p::id.eq_any(holders));
    }
    if let Some(search) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            p::name
                .like(format!("%{}%", read::escape_like(search)))
                .escape('\\'),
        );
    }
    q
}

/// `q`, narrowed on SQLite by the names' trigram index (see
/// [`crate::db::trigram_candidates`]).
fn narrowed<'a>(q: Boxed<'a>, conn: &DbConnection, f: &PersonFilter) -> Boxed<'a> {
    let index = ("persons.id", "persons_search");
    match crate::db::trigram_candidates(conn, index, f.search.as_deref()) {
        Some(candidates) => q.filter(candidates),
        None => q,
    }
}

/// A page of the people `filter` selects, in creation order or in
/// `sorted`'s (by name).
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &PersonFilter,
    page: crate::domain::Page,
    sorted: Option<&crate::domain::Sorted>,
    today: NaiveDate,
) -> AppResult<PageOf<Person>> {
    let mut q = narrowed(filtered_people(visibility, filter, today), conn, filter);
    let postgres = matches!(conn, DbConnection::Pg(_));
    let creation = crate::domain::Sorted::by_creation(&page);
    let (past, by) =
        crate::db::sort::sorted_page("persons", sorted.unwrap_or(&creation), &page, postgres)?;
    for condition in past {
        q = q.filter(condition);
    }
    let rows: Vec<PersonRow> = q
        .order(by)
        .limit(page.limit as i64 + 1)
        .select(PersonRow::as_select())
        .load(conn)?;
    Ok(page.finish(people(rows)?))
}

/// How many people `filter` selects.
pub fn count(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &PersonFilter,
    today: NaiveDate,
) -> AppResult<i64> {
    Ok(
        narrowed(filtered_people(visibility, filter, today), conn, filter)
            .select(count_star())
            .first(conn)?,
    )
}

/// One person, if it exists (visibility is the caller's business).
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Option<Person>> {
    let row: Option<PersonRow> = p::persons
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Person::try_from).transpose()
}

/// The people of `ids` that exist.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<PersonRow> = p::persons
        .filter(p::id.eq_any(ids))
        .select(PersonRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Person::try_from).collect()
}

/// Whose posts to list: some people's, or some units'.
#[derive(Debug, Clone, Copy)]
pub enum PostsOf<'a> {
    /// Posts held by these people.
    Persons(&'a [i64]),
    /// Posts in these units.
    Units(&'a [i64]),
}

/// The posts of `ids` that exist, in id order: one statement.
pub fn find_positions(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Position>> {
    let rows: Vec<PositionRow> = ps::positions
        .filter(ps::id.eq_any(ids))
        .order(ps::id)
        .select(PositionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Position::try_from).collect()
}

/// One post.
pub fn find_position(conn: &mut DbConnection, id: i64) -> AppResult<Option<Position>> {
    let row: Option<PositionRow> = ps::positions
        .find(id)
        .select(PositionRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Position::try_from).transpose()
}

/// The posts of some people or some units, optionally held on a day and
/// of a role, in the order they started: one statement.
pub fn positions_of(
    conn: &mut DbConnection,
    of: PostsOf<'_>,
    role: Option<PositionRole>,
    active_on: Option<NaiveDate>,
) -> AppResult<Vec<Position>> {
    let mut q = ps::positions.into_boxed::<crate::db::MultiBackend>();
    q = match of {
        PostsOf::Persons([id]) => q.filter(ps::person_id.eq(*id)),
        PostsOf::Persons(ids) => q.filter(ps::person_id.eq_any(ids)),
        PostsOf::Units([id]) => q.filter(ps::unit_id.eq(*id)),
        PostsOf::Units(ids) => q.filter(ps::unit_id.eq_any(ids)),
    };
    if let Some(r) = role {
        q = q.filter(ps::role.eq(r.as_str()));
    }
    if let Some(on) = active_on {
        q = q
            .filter(ps::started_on.le(on))
            .filter(ps::ended_on.is_null().or(ps::ended_on.gt(on)));
    }
    let rows = q
        .order((ps::started_on, ps::id))
        .select(PositionRow::as_select())
        .load(conn)?;
    posts(rows)
}

/// The unit a person or post belongs to, for access checks.
pub fn unit_of(conn: &mut DbConnection, unit_id: i64) -> AppResult<OrgUnit> {
    read::find(conn, &Visibility::Everything, unit_id)?
        .ok_or_else(|| AppError::internal(format!("unit {unit_id} of a person vanished")))
}
