//! The demo's duty logs, trainings, village incomes, talent posts, and
//! the names of 大汉龙城小区's teams.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::people::County;
use super::work::{day_in, People, BRACKETS_NOW, DAHAN_TEAMS, TALENT, TRAININGS, WEAK_LAST_YEAR};
use super::work_rows::*;
use crate::db::DbConnection;
use crate::domain::OrgUnit;
use crate::error::AppResult;
use crate::service::rows::IncomeRow;

/// Duties: most linked cadres, instructors and grid liaisons log one to
/// six a year at the unit of their post, the last within a month; a few
/// log none (the idle-cadre list).
pub(super) fn duties(
    w: &mut Batch,
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    c: &County<'_>,
    folk: &People,
    today: NaiveDate,
    now: DateTime<Utc>,
) {
    let units: HashMap<i64, &OrgUnit> = c
        .townships
        .iter()
        .chain(&c.villages)
        .chain(&c.grids)
        .map(|u| (u.id, *u))
        .collect();
    let kinds = ["LINKED_AREA", "OFFICE_HOURS", "PAIRED_SUPPORT", "VISIT"];
    for (person, unit, role) in &folk.posts {
        let cadre = matches!(
            role.as_str(),
            "LINKED_LEADER" | "INSTRUCTOR" | "GRID_LIAISON"
        );
        let Some(unit) = units.get(unit).filter(|_| cadre) else {
            continue;
        };
        if rng.random_bool(0.08) {
            continue;
        }
        for k in 0..rng.random_range(1..=6) {
            let ago = if k == 0 {
                rng.random_range(0..30)
            } else {
                rng.random_range(0..365)
            };
            let (unit_id, [township_id, village_id, grid_id, building_group_id]) = slots(unit);
            w.duties.push(DutyInsert {
                id: next(&mut ids.duty),
                unit_id,
                township_id,
                village_id,
                grid_id,
                building_group_id,
                person_id: *person,
                kind: kinds[rng.random_range(0..kinds.len())].to_owned(),
                done_on: today - Duration::days(ago),
                notes: None,
                created_at: now.naive_utc(),
            });
        }
    }
}

/// 806 training sessions last year, by townships and villages, 120 to 277
/// trainees each: about 160,000 person-times.
pub(super) fn trainings(
    w: &mut Batch,
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    c: &County<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) {
    let topics = [
        "党的二十大精神",
        "乡村振兴政策",
        "基层治理能力",
        "农业实用技术",
        "网格员业务",
        "电商直播",
    ];
    let hosts: Vec<&&OrgUnit> = c.townships.iter().chain(c.villages.iter()).collect();
    if hosts.is_empty() {
        return;
    }
    for i in 0..TRAININGS {
        let unit = if i % 5 < 3 {
            c.townships
                .get(i % c.townships.len().max(1))
                .unwrap_or(hosts[0])
        } else {
            hosts[rng.random_range(0..hosts.len())]
        };
        let (unit_id, [township_id, village_id, grid_id, building_group_id]) = slots(unit);
        w.trainings.push(TrainingInsert {
            id: next(&mut ids.training),
            unit_id,
            township_id,
            village_id,
            grid_id,
            building_group_id,
            held_on: day_in(rng, today.year() - 1, today),
            topic: topics[rng.random_range(0..topics.len())].to_owned(),
            trainees: rng.random_range(120..=277),
            created_at: now.naive_utc(),
        });
    }
}

/// This year's incomes at 359 / 143 / 51 per bracket above the weak one;
/// last year 389 of the same villages weak (all lifted since).
pub(super) fn economy(
    w: &mut Batch,
    rng: &mut ChaCha8Rng,
    c: &County<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) {
    // Villages (村): the seed's brackets count them, not the communities.
    let mut villages: Vec<&&OrgUnit> = c
        .villages
        .iter()
        .filter(|v| v.unit_type == crate::domain::UnitType::Village)
        .collect();
    villages.shuffle(rng);
    let ranges = [(50_000, 60_000), (60_000, 200_000), (200_000, 1_500_000)];
    let mut bracket_of = Vec::new();
    for (b, n) in BRACKETS_NOW.iter().enumerate() {
        bracket_of.extend(std::iter::repeat_n(b, *n));
    }
    let this = today.year();
    for (i, v) in villages.iter().enumerate() {
        let (lo, hi) = ranges[bracket_of.get(i).copied().unwrap_or(i % 3)];
        let now_income = rng.random_range(lo..hi);
        let (unit_id, [township_id, village_id, grid_id, building_group_id]) = slots(v);
        for (year, income) in [(this, now_income), (this - 1, 0)] {
            let income = if year == this {
                income
            } else if weak_last_year(i, villages.len()) {
                rng.random_range(10_000..50_000)
            } else {
                (now_income * 9 / 10).max(50_000)
            };
            w.incomes.push(IncomeRow {
                unit_id,
                year,
                township_id,
                village_id,
                grid_id,
                building_group_id,
                income_yuan: income,
                sources: Some(["光伏发电", "土地流转", "物业出租", "乡村旅游"][i % 4].to_owned()),
                notes: None,
                updated_at: now.naive_utc(),
            });
        }
    }
}

/// Whether village `i` (of `n`, shuffled) was weak last year: 389 spread
/// over all brackets.
fn weak_last_year(i: usize, n: usize) -> bool {
    n > 0 && (i * WEAK_LAST_YEAR.min(n)) / n != ((i + 1) * WEAK_LAST_YEAR.min(n)) / n
}

/// 大汉龙城小区's teams take the six names of its "上梅红" teams.
pub(super) fn rename_teams(
    conn: &mut DbConnection,
    dahan: Option<&OrgUnit>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(dahan) = dahan else { return Ok(()) };
    let actor = crate::audit::Actor::new(&crate::auth::Viewer::System, now, None);
    use crate::db::schema::org_units::dsl as o;
    let teams: Vec<i64> = o::org_units
        .filter(o::grid_id.eq(dahan.id))
        .filter(o::level.eq(crate::domain::Level::VolunteerTeam.number()))
        .order(o::id)
        .select(o::id)
        .load(conn)?;
    let groups: Vec<i64> = o::org_units
        .filter(o::parent_id.eq(dahan.id))
        .order(o::id)
        .select(o::id)
        .load(conn)?;
    for (i, name) in DAHAN_TEAMS.iter().enumerate() {
        match teams.get(i) {
            Some(id) => {
                crate::tree::write::update(
                    conn,
                    &actor,
                    crate::ids::UnitId(*id),
                    crate::tree::UnitPatch {
                        name: Some((*name).to_owned()),
                        ..Default::default()
                    },
                )?;
            }
            None => {
                let Some(group) = groups.get(i % groups.len().max(1)) else {
                    break;
                };
                crate::tree::write::create(
                    conn,
                    &actor,
                    crate::tree::write::NewUnit {
                        team_category: Some(crate::domain::TeamCategory::ALL[i]),
                        ..crate::tree::write::NewUnit::named(
                            Some(crate::ids::UnitId(*group)),
                            crate::domain::UnitType::VolunteerTeam,
                            (*name).to_owned(),
                        )
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// The talent posts: seconded cadres at townships, directed-trained cadres
/// and science envoys at villages, held by people of those units.
pub(super) fn talent(
    conn: &mut DbConnection,
    rng: &mut ChaCha8Rng,
    c: &County<'_>,
    folk: &People,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use crate::domain::people::PositionRole;
    let actor = crate::audit::Actor::new(&crate::auth::Viewer::System, now, None);
    let plan = [
        (PositionRole::SecondedCadre, &c.townships, TALENT[0]),
        (PositionRole::DirectedTrainee, &c.villages, TALENT[1]),
        (PositionRole::ScienceEnvoy, &c.villages, TALENT[2]),
    ];
    for (role, units, count) in plan {
        let mut placed = 0;
        let mut order: Vec<&&OrgUnit> = units.iter().collect();
        order.shuffle(rng);
        for unit in order.iter().cycle().take(order.len() * 4) {
            if placed == count {
                break;
            }
            let Some(people) = folk.by_unit.get(&unit.id) else {
                continue;
            };
            let Some(person) = people.get(placed / order.len().max(1) + 1) else {
                continue;
            };
            crate::people::write::start_position(
                conn,
                &actor,
                crate::people::NewPosition {
                    person_id: crate::ids::PersonId(*person),
                    unit_id: crate::ids::UnitId(unit.id),
                    role,
                    started_on: Some(now.date_naive() - Duration::days(rng.random_range(30..700))),
                    also_village_director: false,
                },
            )?;
            placed += 1;
        }
    }
    Ok(())
}
