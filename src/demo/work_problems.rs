//! The demo's residents' problems: one to four per grid over two years,
//! most solved in the grid, some escalated, a few still open; and
//! 大汉龙城小区's 76 practical problems and 35 other difficulties, solved by
//! its six teams.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::people::County;
use super::work::{day_in, People, DAHAN_SOLVED};
use super::work_rows::*;
use crate::domain::OrgUnit;

/// The teams beneath each grid.
fn teams_by_grid<'u>(c: &County<'u>) -> HashMap<i64, Vec<&'u OrgUnit>> {
    let mut out: HashMap<i64, Vec<&OrgUnit>> = HashMap::new();
    for t in &c.teams {
        if let Some(g) = t.ancestry.at(crate::domain::Level::Grid) {
            out.entry(g).or_default().push(t);
        }
    }
    out
}

const CATEGORIES: [&str; 7] = [
    "LIVING_DIFFICULTY",
    "OTHER_DIFFICULTY",
    "DISPUTE",
    "SANITATION",
    "SAFETY_HAZARD",
    "INFRASTRUCTURE",
    "POLICY_INQUIRY",
];

/// How a demo problem ends.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    InGrid,
    AtVillage,
    ToCounty,
    Open,
}

/// Problems: one to four per grid over two years, most solved in the grid;
/// 大汉龙城小区's solved problems as the seed counts them.
pub(super) fn problems(
    w: &mut Batch,
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    c: &County<'_>,
    _folk: &People,
    (dahan, today, now): (Option<&OrgUnit>, NaiveDate, DateTime<Utc>),
) {
    let teams = teams_by_grid(c);
    let last = today.year() - 1;
    for grid in c
        .grids
        .iter()
        .filter(|g| dahan.is_none_or(|d| d.id != g.id))
    {
        let mine = teams.get(&grid.id).cloned().unwrap_or_default();
        for _ in 0..rng.random_range(1..=4) {
            let outcome = match rng.random_range(0..100) {
                0..=74 => Outcome::InGrid,
                75..=84 => Outcome::AtVillage,
                85..=89 => Outcome::ToCounty,
                _ => Outcome::Open,
            };
            let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
            let year = rng.random_range(last - 1..=today.year());
            let handler = mine.get(rng.random_range(0..mine.len().max(1))).copied();
            let on = day_in(rng, year, today);
            w.problem(ids, rng, (grid, handler), (category, outcome, on), now);
        }
    }
    let Some(dahan) = dahan else { return };
    let mine = teams.get(&dahan.id).cloned().unwrap_or_default();
    let mut n = 0;
    for (category, count) in DAHAN_SOLVED {
        for _ in 0..count {
            let handler = mine.get(n % mine.len().max(1)).copied();
            n += 1;
            let on = day_in(rng, last, today);
            w.problem(
                ids,
                rng,
                (dahan, handler),
                (category, Outcome::InGrid, on),
                now,
            );
        }
    }
}

impl Batch {
    /// A problem of `grid` received on `on` and taken to `outcome`, handled
    /// in the grid by `team` (or the grid itself).
    fn problem(
        &mut self,
        ids: &mut Ids,
        rng: &mut ChaCha8Rng,
        (grid, team): (&OrgUnit, Option<&OrgUnit>),
        (category, outcome, on): (&str, Outcome, NaiveDate),
        now: DateTime<Utc>,
    ) {
        let id = next(&mut ids.problem);
        let received = on
            .and_hms_opt(rng.random_range(8..18), 0, 0)
            .unwrap_or_default();
        let mut at = received;
        let mut level = 0;
        let mut steps = vec![("RECEIVED", 0, received, None)];
        let later = |rng: &mut ChaCha8Rng, at: &mut chrono::NaiveDateTime| {
            *at += Duration::hours(rng.random_range(1..=96));
            (*at).min(now.naive_utc())
        };
        let handler = team.map_or(grid.id, |t| t.id);
        if outcome != Outcome::Open || rng.random_bool(0.5) {
            steps.push(("ASSIGNED", 0, later(rng, &mut at), Some(handler)));
        }
        let (mut resolved, mut closed) = (None, None);
        match outcome {
            Outcome::InGrid => {
                resolved = Some(later(rng, &mut at));
                steps.push(("RESOLVED", 0, resolved.unwrap_or(at), None));
            }
            Outcome::AtVillage => {
                level = 1;
                steps.push(("ESCALATED", 1, later(rng, &mut at), None));
                steps.push(("ASSIGNED", 1, later(rng, &mut at), Some(grid.id)));
                resolved = Some(later(rng, &mut at));
                steps.push(("RESOLVED", 1, resolved.unwrap_or(at), None));
            }
            Outcome::ToCounty => {
                for l in 1..=3 {
                    level = l;
                    steps.push(("ESCALATED", l, later(rng, &mut at), None));
                }
                closed = Some(later(rng, &mut at));
                steps.push(("CLOSED", 3, closed.unwrap_or(at), None));
            }
            Outcome::Open => {}
        }
        if resolved.is_some() && rng.random_bool(0.6) {
            closed = Some(later(rng, &mut at));
            steps.push(("CLOSED", level, closed.unwrap_or(at), None));
        }
        let status = steps.last().map_or("RECEIVED", |s| s.0);
        let assigned = steps
            .iter()
            .rev()
            .find_map(|s| s.3)
            .filter(|_| status == "ASSIGNED");
        for (s, l, when, unit) in &steps {
            self.steps.push(StepInsert {
                id: next(&mut ids.step),
                problem_id: id,
                status: (*s).to_owned(),
                level: *l,
                at: *when,
                assigned_unit_id: *unit,
                note: None,
            });
        }
        let days = match category {
            "SAFETY_HAZARD" => 1,
            "SANITATION" | "POLICY_INQUIRY" => 3,
            "LIVING_DIFFICULTY" => 7,
            "INFRASTRUCTURE" => 30,
            _ => 15,
        };
        let (unit_id, [township_id, village_id, grid_id, building_group_id]) = slots(grid);
        self.problems.push(ProblemInsert {
            id,
            unit_id,
            township_id,
            village_id,
            grid_id,
            building_group_id,
            // The WeChat group only where the grid keeps one.
            channel: ["GRID_VISIT", "WECHAT_GROUP", "OFFICE_HOURS", "HOTLINE"]
                [rng.random_range(0..4) % if grid.wechat_group.is_some() { 4 } else { 1 }]
            .to_owned(),
            category: category.to_owned(),
            description: "居民反映的诉求".to_owned(),
            reporter_name: Some(format!("居民{}", id % 997)),
            reporter_phone: Some(format!("139{:08}", id % 100_000_000)),
            status: status.to_owned(),
            level,
            escalated: level > 0,
            assigned_unit_id: assigned,
            assigned_person_id: None,
            received_at: received,
            due_on: received.date() + Duration::days(days),
            resolved_at: resolved,
            closed_at: closed,
            updated_at: now.naive_utc(),
        });
    }
}
