//! Residents' problems through the HTTP API: where they may be reported,
//! every step of the status flow with its code and field, who may take
//! each step, the summary, overdue grids and the masked phone.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

use crate::service::{person, REPORT, STEP};

const PROBLEMS: &str = "query($u: ID, $f: Date!, $t: Date!) { problemsSummary(under: $u, from: $f, to: $t) { received resolved resolvedInGrid resolvedInGridRate closed escalated { level count } medianHoursToResolve open overdue byCategory { category received resolved } } }";

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

async fn step(app: &TestApp, id: &str, input: Value) -> Value {
    app.ok(STEP, json!({ "id": id, "i": input })).await["updateProblemStatus"].clone()
}

fn problem(grid: &str, category: &str, at: &str) -> Value {
    json!({ "i": { "unitId": grid, "channel": "GRID_VISIT", "category": category,
        "description": "楼道灯坏了", "reporterName": "王大妈", "reporterPhone": "13812345678", "receivedAt": at } })
}

#[tokio::test]
async fn every_step_of_the_problem_flow_has_its_rule() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, _b, team] = app.chain("甲").await;
    let worker = person(&app, &g, "网格员").await;
    let cadre = person(&app, &v, "村干部").await;
    // Where a problem may be reported.
    for (vars, want) in [
        (problem(&v, "SANITATION", "2024-03-01T08:00:00Z"), "unitId"),
        (
            problem(&g, "SANITATION", "2999-03-01T08:00:00Z"),
            "receivedAt",
        ),
        (
            json!({ "i": { "unitId": g, "channel": "WECHAT_GROUP", "category": "DISPUTE", "description": "邻里纠纷", "reporterName": "李某" } }),
            "channel",
        ),
        (
            json!({ "i": { "unitId": g, "channel": "HOTLINE", "category": "DISPUTE", "description": "邻里纠纷" } }),
            "reporterName",
        ),
        (
            json!({ "i": { "unitId": g, "channel": "HOTLINE", "category": "DISPUTE", "description": "纠纷", "reporterName": "李某", "reporterPhone": "电话" } }),
            "reporterPhone",
        ),
    ] {
        let (code, field, msg) = app.err(REPORT, vars).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some(want)),
            "{msg}"
        );
    }
    let p = s(&app
        .ok(
            REPORT,
            problem(&g, "LIVING_DIFFICULTY", "2024-03-01T08:00:00Z"),
        )
        .await["reportProblem"]["id"]);
    // Only the arrows of the flow.
    for bad in ["RESOLVED", "ESCALATED", "CLOSED", "RECEIVED"] {
        let (code, field, _) = app
            .err(STEP, json!({ "id": p, "i": { "status": bad } }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("status")),
            "{bad}"
        );
    }
    let (code, field, _) = app
        .err(STEP, json!({ "id": p, "i": { "status": "ASSIGNED" } }))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("assignedUnitId"))
    );
    let (code, field, _) = app
        .err(
            STEP,
            json!({ "id": p, "i": { "status": "ASSIGNED", "assignedPersonId": cadre } }),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("assignedPersonId")),
        "a village cadre is not within the grid"
    );
    let (code, field, _) = app
        .err(STEP, json!({ "id": p, "i": { "status": "ASSIGNED", "assignedUnitId": team, "at": "2024-02-01T00:00:00Z" } }))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("at")),
        "before the last step"
    );
    let d = step(
        &app,
        &p,
        json!({ "status": "ASSIGNED", "assignedUnitId": team, "at": "2024-03-01T09:00:00Z" }),
    )
    .await;
    assert_eq!(d["status"], "ASSIGNED");
    let d = step(
        &app,
        &p,
        json!({ "status": "ESCALATED", "at": "2024-03-02T09:00:00Z" }),
    )
    .await;
    assert_eq!(
        (d["level"].as_str(), d["escalated"].as_bool()),
        (Some("VILLAGE"), Some(true))
    );
    // Escalated to the village: the grid's manager may no longer handle it.
    let grid_manager = app.account("grid", Role::Manager, Some(&g));
    let resp = app
        .gql_as(
            Some(&grid_manager),
            STEP,
            json!({ "id": p, "i": { "status": "ASSIGNED", "assignedPersonId": worker } }),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{resp}"
    );
    let village_manager = app.account("village", Role::Manager, Some(&v));
    let resp = app
        .gql_as(Some(&village_manager), STEP, json!({ "id": p, "i": { "status": "ASSIGNED", "assignedPersonId": cadre, "at": "2024-03-02T10:00:00Z" } }))
        .await;
    assert!(resp.get("errors").is_none(), "{resp}");
    step(
        &app,
        &p,
        json!({ "status": "RESOLVED", "at": "2024-03-04T08:30:00Z" }),
    )
    .await;
    step(
        &app,
        &p,
        json!({ "status": "CLOSED", "at": "2024-03-05T08:00:00Z" }),
    )
    .await;
    for after in ["ASSIGNED", "RESOLVED", "ESCALATED", "CLOSED"] {
        let (code, field, msg) = app
            .err(STEP, json!({ "id": p, "i": { "status": after } }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("status")),
            "{msg}"
        );
    }
    // Up to the county, which only closes.
    let q = s(&app
        .ok(
            REPORT,
            problem(&g, "OTHER_DIFFICULTY", "2024-03-10T08:00:00Z"),
        )
        .await["reportProblem"]["id"]);
    step(
        &app,
        &q,
        json!({ "status": "ASSIGNED", "assignedPersonId": worker, "at": "2024-03-10T09:00:00Z" }),
    )
    .await;
    for level in ["VILLAGE", "TOWNSHIP", "COUNTY"] {
        let d = step(
            &app,
            &q,
            json!({ "status": "ESCALATED", "at": "2024-03-11T09:00:00Z" }),
        )
        .await;
        assert_eq!(d["level"], level);
    }
    for bad in ["ASSIGNED", "ESCALATED", "RESOLVED"] {
        let (code, field, _) = app
            .err(STEP, json!({ "id": q, "i": { "status": bad } }))
            .await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some("status")),
            "{bad}"
        );
    }
    let township_manager = app.account("township", Role::Manager, Some(&t));
    let resp = app
        .gql_as(
            Some(&township_manager),
            STEP,
            json!({ "id": q, "i": { "status": "CLOSED" } }),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "the county handles it: {resp}"
    );
    step(
        &app,
        &q,
        json!({ "status": "CLOSED", "at": "2024-03-20T09:00:00Z" }),
    )
    .await;
    // Resolved in the grid, in 5 hours.
    let r = s(&app
        .ok(
            REPORT,
            problem(&g, "LIVING_DIFFICULTY", "2024-04-01T08:00:00Z"),
        )
        .await["reportProblem"]["id"]);
    step(
        &app,
        &r,
        json!({ "status": "ASSIGNED", "assignedUnitId": team, "at": "2024-04-01T09:00:00Z" }),
    )
    .await;
    step(
        &app,
        &r,
        json!({ "status": "RESOLVED", "at": "2024-04-01T13:59:00Z" }),
    )
    .await;
    // Still open, past its one-day deadline.
    app.ok(REPORT, problem(&g, "SAFETY_HAZARD", "2024-05-01T08:00:00Z"))
        .await;
    let d = app
        .ok(
            PROBLEMS,
            json!({ "u": t, "f": "2024-01-01", "t": "2024-12-31" }),
        )
        .await;
    let y = &d["problemsSummary"];
    assert_eq!(
        (
            y["received"].as_i64(),
            y["resolved"].as_i64(),
            y["resolvedInGrid"].as_i64()
        ),
        (Some(4), Some(2), Some(1)),
        "{y}"
    );
    assert_eq!(y["resolvedInGridRate"], 0.5);
    assert_eq!(y["closed"], 2);
    assert_eq!(
        y["escalated"],
        json!([{ "level": "VILLAGE", "count": 2 }, { "level": "TOWNSHIP", "count": 1 }, { "level": "COUNTY", "count": 1 }])
    );
    // 72.5 h and 5.98 h: whole hours 72 and 5, lower median 5.
    assert_eq!(y["medianHoursToResolve"], 5);
    assert_eq!(
        (y["open"].as_i64(), y["overdue"].as_i64()),
        (Some(1), Some(1))
    );
    let listed = app
        .ok(
            "query($u: ID) { all: problems(under: $u) { totalCount } received: problems(under: $u, status: RECEIVED) { totalCount nodes { category } } closed: problems(under: $u, status: CLOSED) { totalCount } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(listed["all"]["totalCount"], 4);
    assert_eq!(
        listed["received"]["nodes"],
        json!([{ "category": "SAFETY_HAZARD" }])
    );
    assert_eq!(listed["closed"]["totalCount"], 2);
    // Received within a period (whole days, the last one included).
    let april = app
        .ok(
            "query($u: ID) { april: problems(under: $u, from: \"2024-04-01\", to: \"2024-04-30\") { totalCount nodes { category } } may: problems(under: $u, from: \"2024-05-01\", to: \"2024-05-01\") { totalCount } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(
        april["april"],
        json!({ "totalCount": 1, "nodes": [{ "category": "LIVING_DIFFICULTY" }] })
    );
    assert_eq!(april["may"]["totalCount"], 1);
    let backwards = app
        .gql(
            "{ problems(from: \"2024-05-01\", to: \"2024-04-01\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        backwards["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    assert_eq!(backwards["errors"][0]["extensions"]["field"], "from");
    // Open and overdue as they stood: the hazard, received on 1 May and
    // due on the 2nd, was open but not yet overdue at the end of the 1st.
    let then = "query($u: ID, $d: Date) { problemsSummary(under: $u, from: \"2024-01-01\", to: \"2024-12-31\", asOf: $d) { open overdue openAsOf } }";
    for (day, open, overdue) in [
        ("2024-04-30", 0, 0),
        ("2024-05-01", 1, 0),
        ("2024-05-03", 1, 1),
    ] {
        let d = app.ok(then, json!({ "u": t, "d": day })).await;
        assert_eq!(
            d["problemsSummary"],
            json!({ "open": open, "overdue": overdue, "openAsOf": day }),
            "as of {day}"
        );
    }
    let future = app.gql(then, json!({ "u": t, "d": "2999-01-01" })).await;
    assert_eq!(
        future["errors"][0]["extensions"]["field"], "asOf",
        "{future}"
    );
    let grids = app
        .ok(
            "query($u: ID) { overdueGrids(under: $u) { id } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(grids["overdueGrids"], json!([{ "id": g }]));
    // A viewer sees the reporter's phone masked; a handler in full.
    let viewer = app.account("viewer", Role::Viewer, Some(&t));
    let read = "query($id: ID!) { node(id: $id) { ... on Problem { reporterPhone status steps { status level } } } }";
    let seen = app.gql_as(Some(&viewer), read, json!({ "id": p })).await;
    assert_eq!(
        seen["data"]["node"]["reporterPhone"], "138****5678",
        "{seen}"
    );
    assert_eq!(
        seen["data"]["node"]["steps"].as_array().map(Vec::len),
        Some(6)
    );
    let full = app.ok(read, json!({ "id": p })).await;
    assert_eq!(full["node"]["reporterPhone"], "13812345678");
}
