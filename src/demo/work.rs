//! The demo's grassroots work (issue 13), reproducing the seed's figures:
//! 琅塘镇's 536 volunteer service activities last year with 3,467
//! volunteers taking part; 大汉龙城小区's six "上梅红" teams, which solved 76
//! practical problems (生活实际难题) and 35 other difficulties (其他困难);
//! the county's villages at 359 / 143 / 51 in the ¥50–60k, 60–200k and
//! above-200k brackets this year, 389 of them weak the year before; 26
//! seconded cadres, 36 directed-trained village cadres and 31 science
//! envoys; 806 training sessions of about 160,000 person-times. Elsewhere,
//! plausible volumes: every team active, problems in every grid, most
//! solved there, duties logged by most linked cadres. Communities keep no
//! income figure here. Written in bulk, then the counters rebuilt.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::people::County;
use super::work_problems::problems;
use super::work_records::{duties, economy, rename_teams, talent, trainings};
use super::work_rows::*;
use crate::db::DbConnection;
use crate::domain::OrgUnit;
use crate::error::AppResult;

/// 琅塘镇's year: activities and distinct volunteers.
pub const LANGTANG_ACTIVITIES: usize = 536;
pub const LANGTANG_VOLUNTEERS: usize = 3_467;
/// 大汉龙城小区's six teams.
pub const DAHAN_TEAMS: [&str; 6] = [
    "政策宣传文艺队",
    "疫情防控宣传队",
    "交通劝导服务队",
    "纠纷调解服务队",
    "环境卫生整治队",
    "关爱青少年服务队",
];
/// Their solved problems: practical problems and other difficulties.
pub const DAHAN_SOLVED: [(&str, usize); 2] = [("LIVING_DIFFICULTY", 76), ("OTHER_DIFFICULTY", 35)];
/// Villages this year per bracket above the weak one, and weak last year.
pub const BRACKETS_NOW: [usize; 3] = [359, 143, 51];
pub const WEAK_LAST_YEAR: usize = 389;
/// Talent posts: seconded, directed-trained, science envoys.
pub const TALENT: [usize; 3] = [26, 36, 31];
/// Training sessions in the county last year.
pub const TRAININGS: usize = 806;

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct WorkTally {
    pub activities: i64,
    pub problems: i64,
    pub duties: i64,
    pub trainings: i64,
}

/// A day of `year`.
pub(super) fn day_in(rng: &mut ChaCha8Rng, year: i32, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let last = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or(today)
        .min(today);
    first + Duration::days(rng.random_range(0..=(last - first).num_days().max(0)))
}

/// People by unit, and the holders of posts by unit and role.
pub(super) struct People {
    pub by_township: HashMap<i64, Vec<i64>>,
    pub by_unit: HashMap<i64, Vec<i64>>,
    pub posts: Vec<(i64, i64, String)>,
}

fn people(conn: &mut DbConnection) -> AppResult<People> {
    use crate::db::schema::persons::dsl as p;
    use crate::db::schema::positions::dsl as ps;
    let rows: Vec<(i64, i64, Option<i64>)> = p::persons
        .select((p::id, p::unit_id, p::township_id))
        .order(p::id)
        .load(conn)?;
    let mut out = People {
        by_township: HashMap::new(),
        by_unit: HashMap::new(),
        posts: ps::positions
            .filter(ps::ended_on.is_null())
            .select((ps::person_id, ps::unit_id, ps::role))
            .order(ps::id)
            .load(conn)?,
    };
    for (id, unit, township) in rows {
        out.by_township
            .entry(township.unwrap_or(unit))
            .or_default()
            .push(id);
        out.by_unit.entry(unit).or_default().push(id);
    }
    Ok(out)
}

/// Grassroots work of every county copy, the seed's figures in the first.
pub(super) fn load(
    conn: &mut DbConnection,
    counties: &[County<'_>],
    seed: u64,
    now: DateTime<Utc>,
) -> AppResult<WorkTally> {
    let today = now.date_naive();
    let mut ids = Ids::default();
    let mut out = WorkTally::default();
    let folk = people(conn)?;
    for (copy, c) in counties.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x574f_524b ^ copy as u64);
        let mut w = Batch::default();
        let langtang = c.townships.iter().find(|t| t.name == "琅塘镇").copied();
        service(
            &mut w,
            &mut rng,
            &mut ids,
            c,
            &folk,
            (langtang.filter(|_| copy == 0), today, now),
        )?;
        let dahan = c
            .grids
            .iter()
            .find(|g| copy == 0 && g.name == "大汉龙城小区")
            .copied();
        problems(&mut w, &mut rng, &mut ids, c, &folk, (dahan, today, now));
        duties(&mut w, &mut rng, &mut ids, c, &folk, today, now);
        trainings(&mut w, &mut rng, &mut ids, c, today, now);
        economy(&mut w, &mut rng, c, today, now);
        out.activities += w.activities.len() as i64;
        out.problems += w.problems.len() as i64;
        out.duties += w.duties.len() as i64;
        out.trainings += w.trainings.len() as i64;
        w.write(conn)?;
        if copy == 0 {
            rename_teams(conn, dahan, now)?;
            talent(conn, &mut rng, c, &folk, now)?;
        }
    }
    crate::service::rebuild::rebuild(conn)?;
    ids.set_sequences(conn)?;
    Ok(out)
}

/// Activities: every team one to three a year for two years, with some of
/// its volunteers (or people of its township); 琅塘镇's last year exactly
/// as the seed counts it.
fn service(
    w: &mut Batch,
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    c: &County<'_>,
    folk: &People,
    (langtang, today, now): (Option<&OrgUnit>, NaiveDate, DateTime<Utc>),
) -> AppResult<()> {
    let last = today.year() - 1;
    let mut volunteers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (person, unit, role) in &folk.posts {
        if role == "VOLUNTEER" || role == "TEAM_LEADER" {
            volunteers.entry(*unit).or_default().push(*person);
        }
    }
    let in_langtang = |t: &OrgUnit| langtang.is_some_and(|l| t.ancestry.contains(l.id));
    for team in &c.teams {
        let township = team
            .ancestry
            .at(crate::domain::Level::Township)
            .unwrap_or(0);
        let pool: Vec<i64> = match volunteers.get(&team.id) {
            Some(v) if !v.is_empty() => v.clone(),
            _ => folk.by_township.get(&township).cloned().unwrap_or_default(),
        };
        if pool.is_empty() {
            continue;
        }
        // One activity the year before last; last year, two teams in five
        // (琅塘镇's are counted below).
        for year in [last - 1, last] {
            if year == last && (in_langtang(team) || !rng.random_bool(0.4)) {
                continue;
            }
            {
                let k = rng.random_range(1..=pool.len().min(8));
                let people: Vec<i64> = pool.choose_multiple(rng, k).copied().collect();
                let on = day_in(rng, year, today);
                w.activity(ids, rng, team, on, &people, now);
            }
        }
    }
    let Some(l) = langtang else { return Ok(()) };
    let teams: Vec<&&OrgUnit> = c.teams.iter().filter(|t| in_langtang(t)).collect();
    // Its own people first, then the county's, up to 3,467 distinct.
    let mut pool: Vec<i64> = folk.by_township.get(&l.id).cloned().unwrap_or_default();
    for t in &c.townships {
        if pool.len() >= LANGTANG_VOLUNTEERS {
            break;
        }
        if t.id != l.id {
            pool.extend(folk.by_township.get(&t.id).into_iter().flatten());
        }
    }
    pool.truncate(LANGTANG_VOLUNTEERS);
    pool.shuffle(rng);
    if teams.is_empty() {
        return Ok(());
    }
    // Everyone once, in turn, then a few more each.
    let mut taking: Vec<Vec<i64>> = vec![Vec::new(); LANGTANG_ACTIVITIES];
    for (i, p) in pool.iter().enumerate() {
        taking[i % LANGTANG_ACTIVITIES].push(*p);
    }
    for people in taking.iter_mut() {
        for _ in 0..rng.random_range(0..4) {
            let p = pool[rng.random_range(0..pool.len())];
            if !people.contains(&p) {
                people.push(p);
            }
        }
    }
    for (i, people) in taking.iter().enumerate() {
        let team = teams[i % teams.len()];
        let on = day_in(rng, last, today);
        w.activity(ids, rng, team, on, people, now);
    }
    Ok(())
}
