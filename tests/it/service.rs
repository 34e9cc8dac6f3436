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
    // A person's own service: the April and May activities (March's was cancelled).
    let mine = app
        .ok(
            "query($p: ID!) { node(id: $p) { ... on Person { service(from: \"2024-01-01\", to: \"2024-12-31\") { activities hours } } } }",
            json!({ "p": a }),
        )
        .await;
    assert_eq!(
        mine["node"]["service"],
        json!({ "activities": 2, "hours": 2.0 })
    );
}

#[tokio::test]
async fn the_dashboard_and_the_trend_show_the_work() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("甲").await;
    let a = person(&app, &b, "甲一").await;
    app.ok(ACTIVITY, activity(&team, "2024-03-02", &[(&a, 2.0)]))
        .await;
    app.ok(ACTIVITY, activity(&team, "2024-05-02", &[(&a, 1.0)]))
        .await;
    app.ok(
        "mutation($g: ID!) { reportProblem(input: { unitId: $g, channel: HOTLINE, category: DISPUTE, description: \"噪音\", reporterName: \"赵某\", receivedAt: \"2024-05-03T08:00:00Z\" }) { id } }",
        json!({ "g": g }),
    )
    .await;
    app.ok(
        "mutation($v: ID!) { setVillageIncome(input: { unitId: $v, year: 2024, incomeYuan: 65000 }) { year } }",
        json!({ "v": v }),
    )
    .await;
    let d = app
        .ok(
            "query($u: ID) { dashboard(under: $u) { service(from: \"2024-01-01\", to: \"2024-12-31\") { activities volunteersActive hours } problems(from: \"2024-01-01\", to: \"2024-12-31\") { received open overdue } duties(from: \"2024-01-01\", to: \"2024-12-31\") { duties } economy(year: 2024) { brackets { villages } withFigure } } }",
            json!({ "u": t }),
        )
        .await;
    let dash = &d["dashboard"];
    assert_eq!(
        dash["service"],
        json!({ "activities": 2, "volunteersActive": 1, "hours": 3.0 })
    );
    assert_eq!(
        dash["problems"],
        json!({ "received": 1, "open": 1, "overdue": 1 })
    );
    assert_eq!(dash["economy"]["brackets"][2]["villages"], 1);
    let trend = app
        .ok(
            "query($u: ID) { workTrend(under: $u, from: \"2024-02-01\", to: \"2024-06-30\") { period activities volunteersActive hours problemsReceived } }",
            json!({ "u": t }),
        )
        .await;
    let points = trend["workTrend"].as_array().cloned().unwrap_or_default();
    assert_eq!(points.len(), 5);
    assert_eq!(
        points[1],
        json!({ "period": "2024-03", "activities": 1, "volunteersActive": 1, "hours": 2.0, "problemsReceived": 0 })
    );
    assert_eq!(points[3]["problemsReceived"], 1);
    let (code, field, _) = app
        .err(
            "{ workTrend(from: \"2000-01-01\", to: \"2024-01-01\") { period } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("to"))
    );
}
