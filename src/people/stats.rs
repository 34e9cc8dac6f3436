//! Statistics of people and posts for a viewer's scope: the secretaries'
//! headline figures and the counts of people by kind, as of any day.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::store::{filtered_people, PersonFilter};
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath, PostsWithHolders};
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::{self, dsl as ps};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::people::{age_on, EducationLevel, PoliticalStatus, PositionRole};
use crate::domain::staffing::StaffingRule;
use crate::domain::Level;
use crate::error::AppResult;

type PostCondition = ancestry::Condition<positions::table>;
type HolderCondition = ancestry::Condition<PostsWithHolders>;

/// Narrows boxed query `$q` to posts the viewer sees beneath `$under` (or
/// anywhere it sees) held on `$on`, with `$within` for one scope.
macro_rules! scoped {
    ($q:expr, $visibility:expr, $under:expr, $on:expr, $within:ident) => {{
        let mut q = $q
            .filter(ps::started_on.le($on))
            .filter(ps::ended_on.is_null().or(ps::ended_on.gt($on)));
        match ($under, $visibility) {
            (Some(u), _) => q = q.filter($within(&u)),
            (None, Visibility::Everything) => {}
            (None, Visibility::Nothing) => q = q.filter(ancestry::never()),
            (None, Visibility::Units(scopes)) => {
                if let Some(c) = scopes.iter().map($within).reduce(|a, b| Box::new(a.or(b))) {
                    q = q.filter(c);
                }
            }
        }
        q
    }};
}

fn post_within(scope: &UnitRef) -> PostCondition {
    <positions::table as Beneath>::at_or_beneath(scope.id, scope.level)
}

fn holder_within(scope: &UnitRef) -> HolderCondition {
    <positions::table as Beneath<PostsWithHolders>>::at_or_beneath(scope.id, scope.level)
}

/// Posts the viewer sees beneath `under` (or anywhere it sees), held on `on`.
fn posts<'a>(
    visibility: &Visibility,
    under: Option<UnitRef>,
    on: NaiveDate,
) -> positions::BoxedQuery<'a, MultiBackend> {
    scoped!(
        ps::positions.into_boxed(),
        visibility,
        under,
        on,
        post_within
    )
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
    whole_years: bool,
) -> AppResult<SecretaryFigures> {
    let college: Vec<&str> = EducationLevel::ALL
        .iter()
        .filter(|e| e.is_college_or_above())
        .map(|e| e.as_str())
        .collect();
    let rows: Vec<(bool, Option<NaiveDate>, Option<bool>)> = scoped!(
        ps::positions
            .inner_join(p::persons)
            .into_boxed::<MultiBackend>(),
        visibility,
        under,
        on,
        holder_within
    )
    .filter(ps::role.eq(PositionRole::Secretary.as_str()))
    .filter(ps::unit_level.eq(level.number()))
    .select((
        ps::also_village_director,
        p::birth_date,
        p::education.eq_any(college),
    ))
    .load(conn)?;
    let mut out = SecretaryFigures::default();
    for (director, birth, college) in rows {
        out.count += 1;
        out.also_village_director += i64::from(director);
        // For a viewer who sees birth years only, ages are whole calendar
        // years (the year of `on` less the birth year): asking for every day
        // of a year then reveals nothing a masked birth date hides.
        out.ages.extend(birth.map(|b| {
            if whole_years {
                on.year() - b.year()
            } else {
                age_on(b, on)
            }
        }));
        out.college_or_above += i64::from(college.unwrap_or(false));
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
    /// Posts of each talent role (`PositionRole::TALENT`) held on the day.
    pub talent: [i64; 3],
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
    for (i, role) in PositionRole::TALENT.into_iter().enumerate() {
        out.talent[i] = posts(visibility, under, on)
            .filter(ps::role.eq(role.as_str()))
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
