//! Property test of grassroots work through the API: random activities
//! (and cancellations), problems moved along random steps (illegal ones
//! included, which must be refused and change nothing), duty logs and a
//! team that moves between villages; then every summary of every scope is
//! compared with a recount from the model's own lists.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::service::{person, ACTIVITY, DUTY, POST, REPORT, STEP};
use crate::service_recount::{Activity, Problem, Tree};

#[derive(Debug, Clone)]
enum Op {
    Activity {
        unit: usize,
        day: u16,
        people: u8,
        tenths: u8,
        served: u8,
    },
    Cancel {
        activity: usize,
    },
    Report {
        grid: usize,
        category: usize,
        day: u16,
    },
    /// `to` past the statuses: a step the flow allows.
    Step {
        problem: usize,
        to: usize,
        hours: u8,
    },
    Duty {
        cadre: usize,
        kind: usize,
        day: u16,
    },
    MoveTeam,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..4usize, 0..730u16, 1..=255u8, 1..40u8, 0..50u8).prop_map(|(unit, day, people, tenths, served)| Op::Activity { unit, day, people, tenths, served }),
        1 => any::<usize>().prop_map(|activity| Op::Cancel { activity }),
        3 => (0..2usize, 0..3usize, 0..730u16).prop_map(|(grid, category, day)| Op::Report { grid, category, day }),
        8 => (any::<usize>(), 0..9usize, 1..100u8).prop_map(|(problem, to, hours)| Op::Step { problem, to, hours }),
        2 => (0..2usize, 0..4usize, 0..730u16).prop_map(|(cadre, kind, day)| Op::Duty { cadre, kind, day }),
        1 => Just(Op::MoveTeam),
    ]
}

const STATUSES: [&str; 5] = ["RECEIVED", "ASSIGNED", "RESOLVED", "ESCALATED", "CLOSED"];
pub const CATEGORIES: [&str; 3] = ["LIVING_DIFFICULTY", "OTHER_DIFFICULTY", "DISPUTE"];
const KINDS: [&str; 4] = ["LINKED_AREA", "OFFICE_HOURS", "PAIRED_SUPPORT", "VISIT"];

fn date(n: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default() + Duration::days(i64::from(n))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The steps the flow allows from `status` at `level` (3: the county).
fn allowed(status: &str, to: &str, level: usize) -> bool {
    matches!(
        (status, to),
        ("RECEIVED", "ASSIGNED")
            | ("ASSIGNED", "RESOLVED")
            | ("RESOLVED", "CLOSED")
            | ("ESCALATED", "CLOSED")
    ) || (matches!(
        (status, to),
        ("ASSIGNED" | "ESCALATED", "ESCALATED") | ("ESCALATED", "ASSIGNED")
    ) && level < 3)
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let Some(app) = TestApp::spawn() else {
        return Ok(());
    };
    let [t, v1, g1, b1, k1] = app.chain("甲").await;
    let v2 = app
        .create(
            json!({ "parentId": t, "unitType": "VILLAGE", "name": "乙村", "orgForm": "BRANCH" }),
        )
        .await;
    let g2 = app.create(json!({ "parentId": v2, "unitType": "RURAL_GRID", "name": "乙网格", "orgForm": "PARTY_GROUP" })).await;
    let b2 = app.create(json!({ "parentId": g2, "unitType": "COURTYARD", "name": "乙院落", "orgForm": "PARTY_GROUP" })).await;
    let k2 = app.create(json!({ "parentId": b2, "unitType": "VOLUNTEER_TEAM", "name": "乙服务队", "teamCategory": "TRAFFIC" })).await;
    let mut tree = Tree {
        ids: vec![t.clone(), v1, v2, g1, g2, b1, b2, k1, k2],
        parent: vec![
            None,
            Some(0),
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
        ],
    };
    let mut people = Vec::new();
    for (i, group) in [5usize, 5, 5, 5, 6, 6, 6, 6].iter().enumerate() {
        people.push(person(&app, &tree.ids[*group], &format!("志愿者{i}")).await);
    }
    let cadres = [
        person(&app, &t, "指导员一").await,
        person(&app, &t, "指导员二").await,
    ];
    for (c, grid) in cadres.iter().zip([3usize, 4]) {
        app.ok(
            POST,
            json!({ "p": c, "u": tree.ids[grid], "r": "INSTRUCTOR" }),
        )
        .await;
    }
    let holders = [7usize, 8, 3, 4];
    let mut activities: Vec<Activity> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut duties: Vec<(usize, NaiveDate, &str)> = Vec::new();
    for op in ops {
        match op {
            Op::Activity {
                unit,
                day,
                people: mask,
                tenths,
                served,
            } => {
                let chosen: Vec<(usize, i64)> = (0..8)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| (i, i64::from(tenths) + i as i64))
                    .collect();
                let input = json!({ "i": {
                    "unitId": tree.ids[holders[unit]], "heldOn": date(day).to_string(), "category": "SANITATION",
                    "title": "活动", "place": "小区", "residentsServed": served,
                    "participants": chosen.iter().map(|(p, h)| json!({ "personId": people[*p], "hours": *h as f64 / 10.0 })).collect::<Vec<_>>(),
                } });
                let d = app.ok(ACTIVITY, input).await;
                activities.push(Activity {
                    unit: holders[unit],
                    on: date(day),
                    people: chosen,
                    served: i64::from(served),
                    cancelled: false,
                    id: s(&d["recordServiceActivity"]["id"]),
                });
            }
            Op::Cancel { activity } => {
                if activities.is_empty() {
                    continue;
                }
                let a = activity % activities.len();
                let resp = app.gql("mutation($id: ID!) { cancelServiceActivity(id: $id, reason: \"重复\") { id } }", json!({ "id": activities[a].id })).await;
                let refused = resp["errors"][0]["extensions"]["code"].as_str();
                prop_assert_eq!(
                    refused,
                    if activities[a].cancelled {
                        Some("CONFLICT")
                    } else {
                        None
                    }
                );
                activities[a].cancelled = true;
            }
            Op::Report {
                grid,
                category,
                day,
            } => {
                let at = date(day).and_hms_opt(8, 0, 0).unwrap_or_default();
                let d = app.ok(REPORT, json!({ "i": { "unitId": tree.ids[3 + grid], "channel": "GRID_VISIT", "category": CATEGORIES[category], "description": "诉求", "reporterName": "居民", "receivedAt": format!("{}Z", at.format("%Y-%m-%dT%H:%M:%S")) } })).await;
                problems.push(Problem {
                    id: s(&d["reportProblem"]["id"]),
                    grid: 3 + grid,
                    category: CATEGORIES[category],
                    received: at,
                    last: at,
                    status: "RECEIVED",
                    level: 0,
                    escalated: false,
                    steps: vec![("RECEIVED", at, 0)],
                });
            }
            Op::Step { problem, to, hours } => {
                if problems.is_empty() {
                    continue;
                }
                let n = problems.len();
                let p = &mut problems[problem % n];
                // Mostly a step the flow allows (chosen by `hours`), else any.
                let legal: Vec<&'static str> = STATUSES
                    .iter()
                    .copied()
                    .filter(|x| allowed(p.status, x, p.level))
                    .collect();
                let to = match STATUSES.get(to) {
                    Some(x) => *x,
                    None if legal.is_empty() => "ASSIGNED",
                    None => legal[usize::from(hours) % legal.len()],
                };
                let at = p.last + Duration::hours(i64::from(hours));
                // Assign within the handling unit: the grid's group, the village's grid, the township's village.
                let target = match p.level {
                    0 => Some(5 + (p.grid - 3)),
                    1 => Some(p.grid),
                    2 => Some(tree.parent[p.grid].unwrap_or(0)),
                    _ => None,
                };
                let mut input =
                    json!({ "status": to, "at": format!("{}Z", at.format("%Y-%m-%dT%H:%M:%S")) });
                if to == "ASSIGNED" {
                    if let Some(u) = target {
                        input["assignedUnitId"] = json!(tree.ids[u]);
                    }
                }
                let resp = app.gql(STEP, json!({ "id": p.id, "i": input })).await;
                let ok = allowed(p.status, to, p.level);
                prop_assert_eq!(
                    resp.get("errors").is_none(),
                    ok,
                    "{} → {} at {}: {}",
                    p.status,
                    to,
                    p.level,
                    resp
                );
                if !ok {
                    continue;
                }
                if to == "ESCALATED" {
                    p.level += 1;
                    p.escalated = true;
                }
                p.status = to;
                p.last = at;
                p.steps.push((to, at, p.level));
            }
            Op::Duty { cadre, kind, day } => {
                let grid = 3 + cadre;
                let d = app.gql(DUTY, json!({ "i": { "personId": cadres[cadre], "kind": KINDS[kind], "doneOn": date(day).to_string(), "unitId": tree.ids[grid] } })).await;
                prop_assert!(d.get("errors").is_none(), "{}", d);
                duties.push((grid, date(day), KINDS[kind]));
            }
            Op::MoveTeam => {
                let to = if tree.parent[7] == Some(5) { 6 } else { 5 };
                app.ok("mutation($id: ID!, $to: ID!) { moveOrgUnit(id: $id, newParentId: $to) { id } }", json!({ "id": tree.ids[7], "to": tree.ids[to] })).await;
                tree.parent[7] = Some(to);
            }
        }
    }
    // The counters kept by every write, then the same rebuilt from scratch
    // (as after a bulk load).
    crate::service_recount::recount(&app, &tree, &activities, &problems, (&duties, &cadres))
        .await?;
    app.state
        .db
        .write(grassroots::service::rebuild::rebuild)
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    crate::service_recount::recount(&app, &tree, &activities, &problems, (&duties, &cadres)).await
}

fn cases() -> u32 {
    match crate::common::backend() {
        Some(crate::common::Backend::Postgres(_)) => 6,
        _ => 24,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn work_summaries_agree_with_a_recount(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        rt.block_on(run(ops))?;
    }
}
