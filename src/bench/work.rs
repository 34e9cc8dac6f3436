//! Grassroots work's scenarios (issue 13): recording an activity as a
//! team's MANAGER, reporting a problem and moving one a step as a grid's
//! MANAGER, and the service, problems, duty and economy summaries of the
//! whole region and of 琅塘镇 for a year (problems also as they stood at
//! the year's end), and the cadres' ranking by duties. They need the demo
//! (`grassroots demo`).

use chrono::Datelike;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::harness::{manager, time_runs};
use super::queries::Figures;
use crate::auth::{Viewer, Visibility};
use crate::db::schema::org_units::dsl as u;
use crate::db::schema::positions::dsl as ps;
use crate::domain::OrgUnit;
use crate::graphql::ids::{encode, Kind};
use crate::state::AppState;

const ACTIVITY: &str = "mutation Activity($i: RecordServiceActivityInput!) { recordServiceActivity(input: $i) { id } }";
const REPORT: &str = "mutation Report($i: ReportProblemInput!) { reportProblem(input: $i) { id } }";
const STEP: &str = "mutation Step($id: ID!, $u: ID!) { updateProblemStatus(id: $id, input: { status: ASSIGNED, assignedUnitId: $u }) { id status } }";
const SERVICE: &str = "query Service($u: ID, $f: Date!, $t: Date!) { serviceSummary(under: $u, from: $f, to: $t) { activities volunteersActive hours residentsServed byCategory { category activities hours } } }";
const PROBLEMS: &str = "query Problems($u: ID, $f: Date!, $t: Date!) { problemsSummary(under: $u, from: $f, to: $t) { received resolved resolvedInGrid resolvedInGridRate escalated { level count } medianHoursToResolve open overdue byCategory { category received resolved } } }";
const PROBLEMS_THEN: &str = "query ProblemsThen($u: ID, $f: Date!, $t: Date!, $d: Date) { problemsSummary(under: $u, from: $f, to: $t, asOf: $d) { received resolved open overdue openAsOf } }";
const RANKING: &str = "query Ranking($u: ID, $f: Date!, $t: Date!) { cadreDuties(under: $u, from: $f, to: $t, first: 20) { duties person { name } } }";
const DUTIES: &str = "query Duties($u: ID, $f: Date!, $t: Date!) { dutySummary(under: $u, from: $f, to: $t) { duties byKind { kind count } trainingSessions traineeTimes } }";
const ECONOMY: &str = "query Economy($u: ID, $y: Int) { economySummary(under: $u, year: $y) { brackets { label villages } weak lifted withFigure withoutFigure totalIncomeYuan medianIncomeYuan } }";

/// Every scenario's name, for `--only`.
pub(super) const NAMES: [&str; 15] = [
    "record a service activity (team MANAGER)",
    "report a problem (grid MANAGER)",
    "assign a problem (grid MANAGER)",
    "serviceSummary of the whole region for a year",
    "serviceSummary of 琅塘镇 for a year",
    "problemsSummary of the whole region for a year",
    "problemsSummary of 琅塘镇 for a year",
    "dutySummary of the whole region for a year",
    "dutySummary of 琅塘镇 for a year",
    "economySummary of the whole region",
    "economySummary of 琅塘镇",
    "problemsSummary of the whole region, open as of a year's end",
    "problemsSummary of 琅塘镇, open as of a year's end",
    "cadreDuties (top 20) of the whole region for a year",
    "cadreDuties (top 20) of 琅塘镇 for a year",
];

fn wanted(only: &[String], name: &str) -> bool {
    only.is_empty() || only.iter().any(|w| name.contains(w.as_str()))
}

fn id(kind: Kind, n: i64) -> Value {
    json!(encode(kind, n).to_string())
}

/// 琅塘镇, a team of it with its volunteers, and a grid of it with a group.
fn places(
    c: &mut crate::db::DbConnection,
) -> crate::AppResult<(i64, OrgUnit, Vec<i64>, OrgUnit, i64)> {
    let unit = |c: &mut crate::db::DbConnection, id: i64| {
        crate::tree::read::find(c, &Visibility::Everything, id)?
            .ok_or_else(|| crate::AppError::internal("a bench unit vanished"))
    };
    let township: i64 = u::org_units
        .filter(u::name.eq("琅塘镇"))
        .select(u::id)
        .order(u::id)
        .first(c)?;
    let teams: Vec<i64> = u::org_units
        .filter(u::township_id.eq(township))
        .filter(u::level.eq(5))
        .select(u::id)
        .order(u::id)
        .load(c)?;
    let mut best = (teams.first().copied().unwrap_or(0), Vec::new());
    for t in teams.iter().take(200) {
        let people: Vec<i64> = ps::positions
            .filter(ps::unit_id.eq(t))
            .select(ps::person_id)
            .load(c)?;
        if people.len() > best.1.len() {
            best = (*t, people);
        }
    }
    let team = unit(c, best.0)?;
    let group: i64 = u::org_units
        .filter(u::township_id.eq(township))
        .filter(u::level.eq(4))
        .select(u::id)
        .order(u::id)
        .first(c)?;
    let group = unit(c, group)?;
    let grid = unit(c, group.parent_id.unwrap_or(group.id))?;
    Ok((township, team, best.1, grid, group.id))
}

/// Times the grassroots-work scenarios `only` selects, `n` runs each.
pub(super) async fn run(
    state: &AppState,
    only: &[String],
    n: usize,
) -> anyhow::Result<Vec<Figures>> {
    if !NAMES.iter().any(|name| wanted(only, name)) {
        return Ok(Vec::new());
    }
    let db = state.db.clone();
    let (township, team, volunteers, grid, group) = db.read_blocking(places).map_err(|e| {
        anyhow::anyhow!("the grassroots-work scenarios need `grassroots demo`: {e}")
    })?;
    anyhow::ensure!(
        !volunteers.is_empty(),
        "no volunteers in 琅塘镇's first teams"
    );
    let leader = manager(&db, "bench-team-manager", &team)?;
    let worker = manager(&db, "bench-grid-manager", &grid)?;
    let today = chrono::Utc::now().date_naive();
    let last = today.year() - 1;
    let mut out = Vec::new();
    let team_id = id(Kind::OrgUnit, team.id);
    out.extend(
        time_runs(state, only, NAMES[0], n, |i| {
            let people: Vec<Value> = (0..volunteers.len().min(6))
                .map(|k| json!({ "personId": id(Kind::Person, volunteers[(i + k) % volunteers.len()]), "hours": 1.5 }))
                .collect();
            let vars = json!({ "i": { "unitId": team_id, "heldOn": today.to_string(), "category": "OTHER", "title": "压测活动", "place": "压测", "residentsServed": 12, "participants": people } });
            (leader.clone(), ACTIVITY, vars)
        })
        .await?,
    );
    let grid_id = id(Kind::OrgUnit, grid.id);
    let report = json!({ "i": { "unitId": grid_id, "channel": "GRID_VISIT", "category": "LIVING_DIFFICULTY", "description": "压测诉求", "reporterName": "压测" } });
    out.extend(
        time_runs(state, only, NAMES[1], n, |_| {
            (worker.clone(), REPORT, report.clone())
        })
        .await?,
    );
    if wanted(only, NAMES[2]) {
        // Fresh problems to assign, reported untimed.
        let mut fresh = Vec::new();
        for _ in 0..n + n / 10 + 1 {
            let request = async_graphql::Request::new(REPORT)
                .variables(async_graphql::Variables::from_json(report.clone()))
                .data(crate::graphql::context::RequestContext::new(
                    db.clone(),
                    worker.clone(),
                ));
            let resp = state.schema.execute(request).await.data.into_json()?;
            fresh.push(resp["reportProblem"]["id"].clone());
        }
        let group_id = id(Kind::OrgUnit, group);
        out.extend(
            time_runs(state, only, NAMES[2], n, |i| {
                (
                    worker.clone(),
                    STEP,
                    json!({ "id": fresh[i % fresh.len()], "u": group_id }),
                )
            })
            .await?,
        );
    }
    let under = id(Kind::OrgUnit, township);
    let year = json!({ "f": format!("{last}-01-01"), "t": format!("{last}-12-31"), "d": format!("{last}-12-31") });
    let with = |u: Option<&Value>| {
        let mut v = year.clone();
        v["u"] = u.cloned().unwrap_or(Value::Null);
        v
    };
    for (k, query) in [
        (3, SERVICE),
        (5, PROBLEMS),
        (7, DUTIES),
        (11, PROBLEMS_THEN),
        (13, RANKING),
    ] {
        out.extend(
            time_runs(state, only, NAMES[k], n, |_| {
                (Viewer::System, query, with(None))
            })
            .await?,
        );
        out.extend(
            time_runs(state, only, NAMES[k + 1], n, |_| {
                (Viewer::System, query, with(Some(&under)))
            })
            .await?,
        );
    }
    let economy = |u: Value| json!({ "u": u, "y": today.year() });
    out.extend(
        time_runs(state, only, NAMES[9], n, |_| {
            (Viewer::System, ECONOMY, economy(Value::Null))
        })
        .await?,
    );
    out.extend(
        time_runs(state, only, NAMES[10], n, |_| {
            (Viewer::System, ECONOMY, economy(under.clone()))
        })
        .await?,
    );
    Ok(out)
}
