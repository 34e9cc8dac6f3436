//! The recount of the grassroots-work property test: every summary of
//! every scope, for whole years, one month and a span across a year's
//! end, against the model's own lists.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use serde_json::json;

use crate::common::TestApp;

const CATEGORIES: [&str; 3] = crate::service_props::CATEGORIES;

/// Units by index: 0 township, 1–2 villages, 3–4 grids, 5–6 groups,
/// 7–8 teams (team 7 moves between the groups).
pub struct Tree {
    pub ids: Vec<String>,
    pub parent: Vec<Option<usize>>,
}

impl Tree {
    pub fn ancestors(&self, mut u: usize) -> Vec<usize> {
        let mut out = vec![u];
        while let Some(p) = self.parent[u] {
            out.push(p);
            u = p;
        }
        out
    }
}

pub struct Activity {
    pub unit: usize,
    pub on: NaiveDate,
    pub people: Vec<(usize, i64)>,
    pub served: i64,
    pub cancelled: bool,
    pub id: String,
}

pub struct Problem {
    pub id: String,
    pub grid: usize,
    pub category: &'static str,
    pub received: NaiveDateTime,
    pub last: NaiveDateTime,
    pub status: &'static str,
    pub level: usize,
    pub escalated: bool,
    pub steps: Vec<(&'static str, NaiveDateTime, usize)>,
}

/// Compares every summary with the model.
pub async fn recount(
    app: &TestApp,
    tree: &Tree,
    activities: &[Activity],
    problems: &[Problem],
    (duties, cadres): (&[(usize, NaiveDate, &str)], &[String]),
) -> Result<(), TestCaseError> {
    let within = |unit: usize, scope: usize| tree.ancestors(unit).contains(&scope);
    let periods = [
        ("2024-01-01", "2024-12-31"),
        ("2025-01-01", "2025-12-31"),
        ("2024-03-01", "2024-03-31"),
        ("2024-11-01", "2025-02-28"),
    ];
    for scope in 0..tree.ids.len() {
        for (from, to) in periods {
            let (f, tt) = (
                from.parse::<NaiveDate>().unwrap_or_default(),
                to.parse::<NaiveDate>().unwrap_or_default(),
            );
            let live: Vec<&Activity> = activities
                .iter()
                .filter(|a| !a.cancelled && within(a.unit, scope) && a.on >= f && a.on <= tt)
                .collect();
            let active: BTreeSet<usize> = live
                .iter()
                .flat_map(|a| a.people.iter().map(|(p, _)| *p))
                .collect();
            let tenths: i64 = live
                .iter()
                .flat_map(|a| a.people.iter().map(|(_, h)| *h))
                .sum();
            let d = app.ok("query($u: ID, $f: Date!, $t: Date!) { serviceSummary(under: $u, from: $f, to: $t) { activities volunteersActive hours residentsServed } problemsSummary(under: $u, from: $f, to: $t) { byCategory { category received } received resolved resolvedInGrid closed escalated { count } medianHoursToResolve open } dutySummary(under: $u, from: $f, to: $t) { duties } cadreDuties(under: $u, from: $f, to: $t) { person { id } duties } }", json!({ "u": tree.ids[scope], "f": from, "t": to })).await;
            let sv = &d["serviceSummary"];
            prop_assert_eq!(
                sv["activities"].as_i64(),
                Some(live.len() as i64),
                "scope {} {}..{}",
                scope,
                from,
                to
            );
            prop_assert_eq!(
                sv["volunteersActive"].as_i64(),
                Some(active.len() as i64),
                "scope {} {}..{}",
                scope,
                from,
                to
            );
            prop_assert_eq!(sv["hours"].as_f64(), Some(tenths as f64 / 10.0));
            prop_assert_eq!(
                sv["residentsServed"].as_i64(),
                Some(live.iter().map(|a| a.served).sum::<i64>())
            );
            let mine: Vec<&Problem> = problems.iter().filter(|p| within(p.grid, scope)).collect();
            let inside = |at: &NaiveDateTime| at.date() >= f && at.date() <= tt;
            let count = |status: &str| {
                mine.iter()
                    .flat_map(|p| p.steps.iter())
                    .filter(|(s, at, _)| *s == status && inside(at))
                    .count() as i64
            };
            let pv = &d["problemsSummary"];
            prop_assert_eq!(pv["received"].as_i64(), Some(count("RECEIVED")));
            prop_assert_eq!(pv["resolved"].as_i64(), Some(count("RESOLVED")));
            for category in CATEGORIES {
                let want = mine
                    .iter()
                    .filter(|p| p.category == category && inside(&p.received))
                    .count() as i64;
                let got = pv["byCategory"]
                    .as_array()
                    .and_then(|a| a.iter().find(|c| c["category"] == category))
                    .and_then(|c| c["received"].as_i64())
                    .unwrap_or(0);
                prop_assert_eq!(got, want, "{}", category);
            }
            prop_assert_eq!(pv["closed"].as_i64(), Some(count("CLOSED")));
            let in_grid = mine
                .iter()
                .filter(|p| {
                    !p.escalated
                        && p.steps
                            .iter()
                            .any(|(s, at, _)| *s == "RESOLVED" && inside(at))
                })
                .count() as i64;
            prop_assert_eq!(pv["resolvedInGrid"].as_i64(), Some(in_grid));
            let escalations: Vec<i64> = (1..=3)
                .map(|l| {
                    mine.iter()
                        .flat_map(|p| p.steps.iter())
                        .filter(|(s, at, lv)| *s == "ESCALATED" && *lv == l && inside(at))
                        .count() as i64
                })
                .collect();
            let got: Vec<i64> = pv["escalated"]
                .as_array()
                .map(|a| a.iter().filter_map(|e| e["count"].as_i64()).collect())
                .unwrap_or_default();
            prop_assert_eq!(got, escalations);
            let mut hours: Vec<i64> = mine
                .iter()
                .flat_map(|p| {
                    p.steps
                        .iter()
                        .filter(|(s, at, _)| *s == "RESOLVED" && inside(at))
                        .map(|(_, at, _)| (*at - p.received).num_hours())
                })
                .collect();
            hours.sort_unstable();
            let median = if hours.is_empty() {
                None
            } else {
                Some(hours[(hours.len() - 1) / 2])
            };
            prop_assert_eq!(pv["medianHoursToResolve"].as_i64(), median);
            let open = mine
                .iter()
                .filter(|p| !matches!(p.status, "RESOLVED" | "CLOSED"))
                .count() as i64;
            prop_assert_eq!(pv["open"].as_i64(), Some(open));
            let duty = duties
                .iter()
                .filter(|(u, on, _)| within(*u, scope) && *on >= f && *on <= tt)
                .count() as i64;
            prop_assert_eq!(d["dutySummary"]["duties"].as_i64(), Some(duty));
            // Cadres ranked by duties: most first, then by person id.
            let mut ranked: Vec<(i64, String)> = (0..cadres.len())
                .map(|c| {
                    let n = duties
                        .iter()
                        .filter(|(u, on, _)| {
                            *u == 3 + c && within(*u, scope) && *on >= f && *on <= tt
                        })
                        .count() as i64;
                    (n, cadres[c].clone())
                })
                .filter(|(n, _)| *n > 0)
                .collect();
            ranked.sort_by_key(|(n, id)| {
                let raw = grassroots::ids::decode(id, grassroots::ids::Kind::Person, "id");
                (-n, raw.unwrap_or_default())
            });
            let got: Vec<(i64, String)> = d["cadreDuties"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| (r["duties"].as_i64().unwrap_or(-1), s(&r["person"]["id"])))
                        .collect()
                })
                .unwrap_or_default();
            prop_assert_eq!(got, ranked, "scope {} {}..{}", scope, from, to);
        }
        open_history(app, tree, scope, problems).await?;
    }

    Ok(())
}

fn s(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The days by which the model's problem `p` was received, due, and left
/// the open ones (resolved or closed), if it did.
fn days_of(p: &Problem) -> (NaiveDate, NaiveDate, Option<NaiveDate>) {
    let deadline = match p.category {
        "LIVING_DIFFICULTY" => 7,
        _ => 15,
    };
    let left = p
        .steps
        .iter()
        .find(|(s, ..)| matches!(*s, "RESOLVED" | "CLOSED"))
        .map(|(_, at, _)| at.date());
    let received = p.received.date();
    (received, received + chrono::Duration::days(deadline), left)
}

/// Open and overdue at the end of `on`, by the model.
fn open_on(problems: &[&Problem], on: NaiveDate) -> (i64, i64) {
    let open: Vec<NaiveDate> = problems
        .iter()
        .map(|p| days_of(p))
        .filter(|(r, _, left)| *r <= on && !left.is_some_and(|l| l <= on))
        .map(|(_, due, _)| due)
        .collect();
    let overdue = open.iter().filter(|due| **due < on).count();
    (open.len() as i64, overdue as i64)
}

/// Open and overdue problems in the past (`asOf`) and at each month's end
/// of the trend, against the model.
async fn open_history(
    app: &TestApp,
    tree: &Tree,
    scope: usize,
    problems: &[Problem],
) -> Result<(), TestCaseError> {
    let mine: Vec<&Problem> = problems
        .iter()
        .filter(|p| tree.ancestors(p.grid).contains(&scope))
        .collect();
    // Far back (from the history up to the day) and recent (from today's
    // sums less the changes since).
    let recent = (chrono::Utc::now().date_naive() - chrono::Duration::days(30)).to_string();
    let days = [
        "2024-02-15",
        "2024-12-31",
        "2025-06-30",
        "2026-01-10",
        recent.as_str(),
    ];
    for day in days {
        let d = app.ok("query($u: ID, $d: Date) { problemsSummary(under: $u, from: \"2024-01-01\", to: \"2024-01-31\", asOf: $d) { open overdue openAsOf } }", json!({ "u": tree.ids[scope], "d": day })).await;
        let on: NaiveDate = day.parse().unwrap_or_default();
        let (open, overdue) = open_on(&mine, on);
        let got = &d["problemsSummary"];
        prop_assert_eq!(got["openAsOf"].as_str(), Some(day));
        prop_assert_eq!(
            (got["open"].as_i64(), got["overdue"].as_i64()),
            (Some(open), Some(overdue)),
            "scope {} as of {}",
            scope,
            day
        );
    }
    let d = app.ok("query($u: ID) { workTrend(under: $u, from: \"2024-01-01\", to: \"2026-02-28\") { period problemsOpen problemsOverdue } }", json!({ "u": tree.ids[scope] })).await;
    let points = d["workTrend"].as_array().cloned().unwrap_or_default();
    prop_assert_eq!(points.len(), 26);
    for point in points {
        let period = s(&point["period"]);
        let first: NaiveDate = format!("{period}-01").parse().unwrap_or_default();
        let end = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first)
            .pred_opt()
            .unwrap_or(first);
        let (open, overdue) = open_on(&mine, end);
        prop_assert_eq!(
            (
                point["problemsOpen"].as_i64(),
                point["problemsOverdue"].as_i64()
            ),
            (Some(open), Some(overdue)),
            "scope {} at the end of {}",
            scope,
            period
        );
    }
    Ok(())
}
