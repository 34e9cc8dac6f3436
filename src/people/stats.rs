//! Statistics of people and posts for a viewer's scope: the secretaries'
//! headline figures and the counts of people by kind, as of any day.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::store::{filtered_people, PersonFilter};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::{self, dsl as ps};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::people::{age_on, EducationLevel, PoliticalStatus, PositionRole};
use crate::domain::staffing::StaffingRule;
use crate::domain::Level;
use crate::error::{AppError, AppResult};

type PostCondition =
    Box<dyn BoxableExpression<positions::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// Posts in `scope`'s unit or beneath it.
fn post_within(scope: &UnitRef) -> PostCondition {
    let id = scope.id;
    match scope.level {
        Level::Township => Box::new(ps::township_id.assume_not_null().eq(id)),
        Level::Village => Box::new(ps::village_id.assume_not_null().eq(id)),
        Level::Grid => Box::new(ps::grid_id.assume_not_null().eq(id)),
        Level::BuildingGroup => Box::new(ps::building_group_id.assume_not_null().eq(id)),
        Level::VolunteerTeam => Box::new(ps::unit_id.eq(id)),
    }
}

/// Posts the viewer sees beneath `under` (or anywhere it sees), held on `on`.
fn posts<'a>(
    visibility: &Visibility,
    under: Option<UnitRef>,
    on: NaiveDate,
) -> positions::BoxedQuery<'a, MultiBackend> {
    let mut q = ps::positions
        .into_boxed()
        .filter(ps::started_on.le(on))
        .filter(ps::ended_on.is_null().or(ps::ended_on.gt(on)));
    match (under, visibility) {
        (Some(u), _) => q = q.filter(post_within(&u)),
        (None, Visibility::Everything) => {}
        (None, Visibility::Nothing) => q = q.filter(ps::id.ne(ps::id)),
        (None, Visibility::Units(scopes)) => {
            if let Some(c) = scopes
                .iter()
                .map(post_within)
                .reduce(|a, b| Box::new(a.or(b)))
            {
                q = q.filter(c);
            }
        }
    }
    q
}

/// The secretaries of one level on one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretaryFigures {
    pub count: i64,
    pub also_village_director: i64,
    /// Ages on the day, of those with a birth date.
    pub ages: Vec<i32>,
    pub college_or_above: i64,
}

pub fn secretaries(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
    level: Level,
    on: NaiveDate,
) -> AppResult<SecretaryFigures> {
    let ids: Vec<(i64, bool)> = posts(visibility, under, on)
        .filter(ps::role.eq(PositionRole::Secretary.as_str()))
        .filter(ps::unit_level.eq(level.number()))
        .select((ps::person_id, ps::also_village_director))
        .load(conn)?;
    let person_ids: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
    let mut people: BTreeMap<i64, (Option<NaiveDate>, Option<String>)> = BTreeMap::new();
    for chunk in person_ids.chunks(10_000) {
        let rows: Vec<(i64, Option<NaiveDate>, Option<String>)> = p::persons
            .filter(p::id.eq_any(chunk))
            .select((p::id, p::birth_date, p::education))
            .load(conn)?;
        people.extend(rows.into_iter().map(|(id, b, e)| (id, (b, e))));
    }
    let mut out = SecretaryFigures::default();
    for (person, director) in ids {
        out.count += 1;
        out.also_village_director += i64::from(director);
        let Some((birth, education)) = people.get(&person) else {
            continue;
        };
        out.ages.extend(birth.map(|b| age_on(b, on)));
        let education: Option<EducationLevel> = education
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(AppError::internal)?;
        out.college_or_above +=
            i64::from(education.is_some_and(EducationLevel::is_college_or_above));
    }
    Ok(out)
}

/// Counts of people by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleFigures {
    pub by_status: BTreeMap<PoliticalStatus, i64>,
    pub capable_non_party: i64,
    pub active_volunteers: i64,
    /// County leaders linked to townships, township leaders linked to
    /// villages, grid instructors.
    pub cadre_links: [i64; 3],
}

pub fn people(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
    on: NaiveDate,
) -> AppResult<PeopleFigures> {
    let filter = PersonFilter {
        under,
        ..PersonFilter::default()
    };
    let mut out = PeopleFigures::default();
    // A count per status (boxed queries cannot group): six indexed counts.
    for status in PoliticalStatus::ALL {
        let n: i64 = filtered_people(visibility, &filter, on)
            .filter(p::status_since.is_null().or(p::status_since.le(on)))
            .filter(p::political_status.eq(status.as_str()))
            .select(count_star())
            .first(conn)?;
        if n > 0 {
            out.by_status.insert(*status, n);
        }
    }
    out.capable_non_party = filtered_people(visibility, &filter, on)
        .filter(p::capable_talent.eq(true))
        .filter(p::political_status.eq(PoliticalStatus::NonParty.as_str()))
        .select(count_star())
        .first(conn)?;
    let volunteers: Vec<i64> = posts(visibility, under, on)
        .filter(ps::role.eq(PositionRole::Volunteer.as_str()))
        .select(ps::person_id)
        .load(conn)?;
    out.active_volunteers = volunteers.into_iter().collect::<HashSet<_>>().len() as i64;
    for (i, (role, level)) in [
        (PositionRole::LinkedLeader, Level::Township),
        (PositionRole::LinkedLeader, Level::Village),
        (PositionRole::Instructor, Level::Grid),
    ]
    .into_iter()
    .enumerate()
    {
        out.cadre_links[i] = posts(visibility, under, on)
            .filter(ps::role.eq(role.as_str()))
            .filter(ps::unit_level.eq(level.number()))
            .select(count_star())
            .first(conn)?;
    }
    Ok(out)
}

/// How many units the viewer sees beneath `under` (or anywhere) fail each
/// staffing rule: the counts of the `staffingGaps` lists.
pub fn staffing_counts(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
) -> AppResult<Vec<(StaffingRule, i64)>> {
    crate::tree::staffing::counts(conn, visibility, under)
}
