//! Volunteer service, residents' problems, duty logs, training, talent and
//! the village economy through the HTTP API: every rule with its code and
//! field, every step of the problem flow, and the summaries.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

pub const ACTIVITY: &str = "mutation($i: RecordServiceActivityInput!) { recordServiceActivity(input: $i) { id hours participantCount } }";
pub const REPORT: &str =
    "mutation($i: ReportProblemInput!) { reportProblem(input: $i) { id status dueOn } }";
pub const STEP: &str = "mutation($id: ID!, $i: ProblemStepInput!) { updateProblemStatus(id: $id, input: $i) { id status level escalated } }";
pub const DUTY: &str = "mutation($i: LogDutyInput!) { logDuty(input: $i) { id kindLabel } }";
pub const INCOME: &str = "mutation($i: VillageIncomeInput!) { setVillageIncome(input: $i) { year incomeYuan weak bracket } }";
pub const PERSON: &str = "mutation($u: ID!, $n: String!) { createPerson(input: { unitId: $u, name: $n, gender: FEMALE, politicalStatus: FULL_MEMBER }) { id } }";
pub const POST: &str = "mutation($p: ID!, $u: ID!, $r: PositionRole!) { startPosition(input: { personId: $p, unitId: $u, role: $r, startedOn: \"2022-01-01\" }) { id } }";
const SERVICE: &str = "query($u: ID, $f: Date!, $t: Date!) { serviceSummary(under: $u, from: $f, to: $t) { activities volunteersActive hours residentsServed participations byCategory { category activities hours } } }";
const PROBLEMS: &str = "query($u: ID, $f: Date!, $t: Date!) { problemsSummary(under: $u, from: $f, to: $t) { received resolved resolvedInGrid resolvedInGridRate closed escalated { level count } medianHoursToResolve open overdue byCategory { category received resolved } } }";

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

pub async fn person(app: &TestApp, unit: &str, name: &str) -> String {
    s(&app.ok(PERSON, json!({ "u": unit, "n": name })).await["createPerson"]["id"])
}

fn activity(unit: &str, on: &str, people: &[(&str, f64)]) -> Value {
    json!({ "i": {
        "unitId": unit, "heldOn": on, "category": "SANITATION", "title": "清扫楼道",
        "place": "大汉龙城小区", "residentsServed": 30,
        "participants": people.iter().map(|(p, h)| json!({ "personId": p, "hours": h })).collect::<Vec<_>>(),
    } })
}

#[tokio::test]
async fn service_activities_count_hours_and_distinct_volunteers() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("甲").await;
    let [a, bb, c] = [
        person(&app, &b, "甲一").await,
        person(&app, &b, "甲二").await,
        person(&app, &b, "甲三").await,
    ];
    let first = app
        .ok(
            ACTIVITY,
            activity(&team, "2024-03-02", &[(&a, 1.5), (&bb, 2.0)]),
        )
        .await;
    assert_eq!(first["recordServiceActivity"]["hours"], 3.5);
    app.ok(
        ACTIVITY,
        activity(&team, "2024-04-06", &[(&a, 1.0), (&c, 1.0)]),
    )
    .await;
    // A grid holds a joint event too.
    app.ok(ACTIVITY, activity(&g, "2025-01-10", &[(&c, 3.0)]))
        .await;
    let year = app
        .ok(
            SERVICE,
            json!({ "u": t, "f": "2024-01-01", "t": "2024-12-31" }),
        )
        .await;
    let y = &year["serviceSummary"];
    assert_eq!(y["activities"], 2);
    assert_eq!(y["volunteersActive"], 3, "{y}");
    assert_eq!(y["hours"], 5.5);
    assert_eq!(y["residentsServed"], 60);
    assert_eq!(y["participations"], 4);
    assert_eq!(y["byCategory"][0]["category"], "SANITATION");
    for (u, f, to, active) in [
        (&t, "2024-03-01", "2024-03-31", 2),
        (&v, "2024-03-01", "2024-04-30", 3),
        (&team, "2024-02-01", "2025-01-31", 3),
        (&g, "2025-01-01", "2025-12-31", 1),
        (&b, "2025-01-01", "2025-12-31", 0),
    ] {
        let d = app.ok(SERVICE, json!({ "u": u, "f": f, "t": to })).await;
        assert_eq!(
            d["serviceSummary"]["volunteersActive"], active,
            "{f}..{to}: {d}"
        );
    }
    // Cancelling takes an activity out of every count.
    let id = s(&first["recordServiceActivity"]["id"]);
    app.ok(
        "mutation($id: ID!) { cancelServiceActivity(id: $id, reason: \"重复录入\") { cancelledOn } }",
        json!({ "id": id }),
    )
    .await;
    let y = app
        .ok(
            SERVICE,
            json!({ "u": t, "f": "2024-01-01", "t": "2024-12-31" }),
        )
        .await;
    assert_eq!(y["serviceSummary"]["activities"], 1);
    assert_eq!(y["serviceSummary"]["volunteersActive"], 2);
    assert_eq!(y["serviceSummary"]["hours"], 2.0);
    let (code, _, _) = app
        .err(
            "mutation($id: ID!) { cancelServiceActivity(id: $id, reason: \"再次\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code, "CONFLICT");
    // Every rule has its code and field.
    for (vars, want) in [
        (
            activity(&v, "2024-03-02", &[(&a, 1.0)]),
            ("BAD_USER_INPUT", "unitId"),
        ),
        (
            activity(&team, "2999-01-01", &[(&a, 1.0)]),
            ("BAD_USER_INPUT", "heldOn"),
        ),
        (
            activity(&team, "2024-03-02", &[(&a, 1.0), (&a, 2.0)]),
            ("BAD_USER_INPUT", "participants"),
        ),
        (
            activity(&team, "2024-03-02", &[(&a, 0.0)]),
            ("BAD_USER_INPUT", "participants"),
        ),
        (
            activity(&team, "2024-03-02", &[(&a, 1.25)]),
            ("BAD_USER_INPUT", "participants"),
        ),
        (
            activity(&team, "2024-03-02", &[]),
            ("BAD_USER_INPUT", "participants"),
        ),
    ] {
        let (code, field, msg) = app.err(ACTIVITY, vars).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            (want.0, Some(want.1)),
            "{msg}"
        );
    }
    // Another township's manager sees none of it.
    let [t2, ..] = app.chain("乙").await;
    let other = app.account("other", Role::Manager, Some(&t2));
    let resp = app
        .gql_as(
            Some(&other),
            ACTIVITY,
            activity(&team, "2024-03-02", &[(&a, 1.0)]),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{resp}"
    );
    let resp = app
        .gql_as(
            Some(&other),
            SERVICE,
            json!({ "u": t, "f": "2024-01-01", "t": "2024-12-31" }),
        )
        .await;
    assert_eq!(resp["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let own = app
        .gql_as(
            Some(&other),
            SERVICE,
            json!({ "f": "2024-01-01", "t": "2024-12-31" }),
        )
        .await;
    assert_eq!(own["data"]["serviceSummary"]["activities"], 0, "{own}");
    // A team's leader records its activities with a MANAGER grant at the team.
    // Its volunteers belong to the group: the leader sees them through
    // their posts at the team.
    app.ok(POST, json!({ "p": a, "u": team, "r": "VOLUNTEER" }))
        .await;
    let leader = app.account("leader", Role::Manager, Some(&team));
    let resp = app
        .gql_as(
            Some(&leader),
            ACTIVITY,
            activity(&team, "2024-05-02", &[(&bb, 1.0)]),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{resp}"
    );
    let resp = app
        .gql_as(
            Some(&leader),
            ACTIVITY,
            activity(&team, "2024-05-02", &[(&a, 1.0)]),
        )
        .await;
    assert!(resp.get("errors").is_none(), "{resp}");
    let list = app
        .ok("query($u: ID) { serviceActivities(under: $u, from: \"2024-01-01\", to: \"2024-12-31\") { totalCount nodes { title participants { hours person { id } } } } }", json!({ "u": v }))
        .await;
    assert_eq!(list["serviceActivities"]["totalCount"], 3);
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

#[tokio::test]
async fn duties_need_a_cadre_post_and_idle_cadres_are_listed() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("甲").await;
    let [_, _, g2, ..] = app.chain("乙").await;
    let busy = person(&app, &t, "指导员甲").await;
    let idle = person(&app, &t, "联络员乙").await;
    let plain = person(&app, &b, "群众丙").await;
    app.ok(POST, json!({ "p": busy, "u": g, "r": "INSTRUCTOR" }))
        .await;
    app.ok(POST, json!({ "p": idle, "u": g, "r": "GRID_LIAISON" }))
        .await;
    let today = chrono::Utc::now().date_naive().to_string();
    let duty = |p: &str, u: &str, kind: &str| json!({ "i": { "personId": p, "kind": kind, "doneOn": today, "unitId": u, "notes": "走访困难户" } });
    let d = app.ok(DUTY, duty(&busy, &b, "VISIT")).await;
    assert_eq!(d["logDuty"]["kindLabel"], "走访慰问");
    app.ok(DUTY, duty(&busy, &g, "OFFICE_HOURS")).await;
    for (vars, want) in [
        (duty(&plain, &g, "VISIT"), "personId"),
        (duty(&busy, &g2, "VISIT"), "personId"),
        (duty(&busy, &v, "VISIT"), "personId"),
        (
            json!({ "i": { "personId": busy, "kind": "VISIT", "doneOn": "2999-01-01", "unitId": g } }),
            "doneOn",
        ),
        (
            json!({ "i": { "personId": busy, "kind": "VISIT", "doneOn": today } }),
            "unitId",
        ),
    ] {
        let (code, field, msg) = app.err(DUTY, vars).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some(want)),
            "{msg}"
        );
    }
    let idle_posts = app
        .ok(
            "query($u: ID) { idleCadres(under: $u, days: 30) { role person { id } } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(
        idle_posts["idleCadres"],
        json!([{ "role": "GRID_LIAISON", "person": { "id": idle } }])
    );
    app.ok(
        "mutation($u: ID!) { recordTraining(input: { unitId: $u, heldOn: \"2024-06-01\", topic: \"乡村振兴政策\", trainees: 120 }) { trainees } }",
        json!({ "u": t }),
    )
    .await;
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let sum = app
        .ok(
            "query($u: ID, $f: Date!, $t: Date!) { dutySummary(under: $u, from: $f, to: $t) { duties byKind { kind count } trainingSessions traineeTimes } }",
            json!({ "u": t, "f": "2024-01-01", "t": format!("{year}-12-31") }),
        )
        .await;
    let s = &sum["dutySummary"];
    assert_eq!(s["duties"], 2);
    assert_eq!(
        s["byKind"][1],
        json!({ "kind": "OFFICE_HOURS", "count": 1 })
    );
    assert_eq!(
        (s["trainingSessions"].as_i64(), s["traineeTimes"].as_i64()),
        (Some(1), Some(120))
    );
    // Talent posts count in peopleStats.
    let envoy = person(&app, &v, "特派员").await;
    app.ok(POST, json!({ "p": envoy, "u": v, "r": "SCIENCE_ENVOY" }))
        .await;
    let (code, field, _) = app
        .err(POST, json!({ "p": envoy, "u": g, "r": "SECONDED_CADRE" }))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("role"))
    );
    let stats = app
        .ok("{ peopleStats { talent { role count } } }", json!({}))
        .await;
    assert_eq!(
        stats["peopleStats"]["talent"],
        json!([{ "role": "SECONDED_CADRE", "count": 0 }, { "role": "DIRECTED_TRAINEE", "count": 0 }, { "role": "SCIENCE_ENVOY", "count": 1 }])
    );
}

#[tokio::test]
async fn the_economy_places_villages_in_brackets_and_counts_the_lifted() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v1, g, ..] = app.chain("甲").await;
    let mut villages = vec![v1];
    for name in ["二村", "三村", "四村"] {
        villages.push(
            app.create(
                json!({ "parentId": t, "unitType": "VILLAGE", "name": name, "orgForm": "BRANCH" }),
            )
            .await,
        );
    }
    for (v, y2023, y2024) in [
        (0, 40_000, 55_000),
        (1, 45_000, 45_000),
        (2, 300_000, 300_000),
    ] {
        for (year, income) in [(2023, y2023), (2024, y2024)] {
            app.ok(INCOME, json!({ "i": { "unitId": villages[v], "year": year, "incomeYuan": income, "sources": "光伏发电" } })).await;
        }
    }
    let q = "query($u: ID, $y: Int) { economySummary(under: $u, year: $y) { brackets { label villages weak } weak lifted withFigure withoutFigure totalIncomeYuan medianIncomeYuan } }";
    let d = app.ok(q, json!({ "u": t, "y": 2024 })).await;
    let e = &d["economySummary"];
    let counts: Vec<i64> = e["brackets"]
        .as_array()
        .map(|b| b.iter().filter_map(|x| x["villages"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(counts, [1, 1, 0, 1], "{e}");
    assert_eq!(e["brackets"][0]["label"], "5万元以下 (薄弱村)");
    assert_eq!(
        (
            e["lifted"].as_i64(),
            e["withFigure"].as_i64(),
            e["withoutFigure"].as_i64()
        ),
        (Some(1), Some(3), Some(1))
    );
    assert_eq!(
        (
            e["totalIncomeYuan"].as_i64(),
            e["medianIncomeYuan"].as_i64()
        ),
        (Some(400_000), Some(55_000))
    );
    // A figure changed for last year changes this year's lifted.
    app.ok(
        INCOME,
        json!({ "i": { "unitId": villages[0], "year": 2023, "incomeYuan": 51_000 } }),
    )
    .await;
    let d = app.ok(q, json!({ "u": t, "y": 2024 })).await;
    assert_eq!(d["economySummary"]["lifted"], 0);
    // New brackets recount everything.
    app.ok(
        "mutation { setEconomyBrackets(bounds: [60000, 200000]) }",
        json!({}),
    )
    .await;
    let d = app.ok(q, json!({ "u": villages[0], "y": 2024 })).await;
    assert_eq!(d["economySummary"]["weak"], 1);
    let d = app.ok(q, json!({ "y": 2024 })).await;
    let e = &d["economySummary"];
    assert_eq!(
        (
            e["weak"].as_i64(),
            e["lifted"].as_i64(),
            e["brackets"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0), Some(3)),
        "{e}"
    );
    for (input, want) in [
        (
            json!({ "unitId": g, "year": 2024, "incomeYuan": 1 }),
            "unitId",
        ),
        (
            json!({ "unitId": villages[0], "year": 2999, "incomeYuan": 1 }),
            "year",
        ),
        (
            json!({ "unitId": villages[0], "year": 2024, "incomeYuan": -1 }),
            "incomeYuan",
        ),
    ] {
        let (code, field, msg) = app.err(INCOME, json!({ "i": input })).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some(want)),
            "{msg}"
        );
    }
    let (code, field, _) = app
        .err(
            "mutation { setEconomyBrackets(bounds: [60000, 50000]) }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("bounds"))
    );
    let list = app
        .ok(
            "query($u: ID) { villageIncomes(under: $u, year: 2024) { incomeYuan weak } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(list["villageIncomes"].as_array().map(Vec::len), Some(3));
}
