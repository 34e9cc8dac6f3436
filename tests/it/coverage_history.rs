//! Coverage as of a past day, the trend, the dashboard, and the rules on
//! effective dates, through the HTTP API.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const AS_OF: &str = "query($u: ID, $d: Date) { coverage(under: $u, asOf: $d) { total covered gaps rate asOf volunteerTeams levels { level total covered } } }";
const SET_FORM: &str = "mutation($id: ID!, $f: OrgForm!, $on: Date) { updateOrgUnit(id: $id, input: { orgForm: $f, effectiveOn: $on }) { id } }";
const TREND: &str = "query($u: ID, $from: Date!, $to: Date, $i: Interval!) { coverageTrend(under: $u, from: $from, to: $to, interval: $i) { period start on total covered gaps rate levels { level units rate } } }";

fn pair(e: (String, Option<String>, String)) -> (String, Option<String>) {
    (e.0, e.1)
}

fn bad(field: &str) -> (String, Option<String>) {
    ("BAD_USER_INPUT".to_owned(), Some(field.to_owned()))
}

async fn as_of(app: &TestApp, under: &str, day: &str) -> Value {
    app.ok(AS_OF, json!({ "u": under, "d": day })).await["coverage"].clone()
}

#[tokio::test]
async fn coverage_answers_for_any_past_day() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "甲镇", "orgForm": "COMMITTEE" }))
        .await;
    let v = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "甲村", "orgForm": "NONE" }))
        .await;
    let site = app
        .create(json!({ "parentId": v, "unitType": "RELOCATION_SITE", "name": "安置点", "orgForm": "NONE", "effectiveOn": "2021-02-01" }))
        .await;
    app.ok(
        SET_FORM,
        json!({ "id": v, "f": "BRANCH", "on": "2021-06-01" }),
    )
    .await;
    app.ok(
        SET_FORM,
        json!({ "id": site, "f": "PARTY_GROUP", "on": "2021-09-15" }),
    )
    .await;

    let before = as_of(&app, &t, "2019-12-31").await;
    assert_eq!(
        (before["total"].clone(), before["rate"].clone()),
        (json!(0), Value::Null)
    );
    let start = as_of(&app, &t, "2020-01-01").await;
    assert_eq!(
        (start["total"].clone(), start["covered"].clone()),
        (json!(1), json!(0))
    );
    let may = as_of(&app, &t, "2021-05-31").await;
    assert_eq!(
        (may["total"].clone(), may["gaps"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(may["asOf"], "2021-05-31");
    let june = as_of(&app, &t, "2021-06-01").await;
    assert_eq!(
        (june["covered"].clone(), june["gaps"].clone()),
        (json!(1), json!(1))
    );
    let now = app.ok(AS_OF, json!({ "u": t })).await["coverage"].clone();
    assert_eq!(
        (
            now["covered"].clone(),
            now["rate"].clone(),
            now["asOf"].clone()
        ),
        (json!(2), json!(1.0), Value::Null)
    );
    assert_eq!(as_of(&app, &t, "2021-09-15").await["rate"], 1.0);

    // The region as of a day sees the township itself too.
    let region = app.ok(AS_OF, json!({ "d": "2021-05-31" })).await["coverage"].clone();
    assert_eq!(
        (region["total"].clone(), region["covered"].clone()),
        (json!(3), json!(1))
    );

    // A village manager's past coverage is its village's: itself and beneath.
    let manager = app.account("manager-v", Role::Manager, Some(&v));
    let mine = app
        .gql_as(Some(&manager), AS_OF, json!({ "d": "2021-06-01" }))
        .await;
    let c = &mine["data"]["coverage"];
    assert_eq!(
        (c["total"].clone(), c["covered"].clone()),
        (json!(2), json!(1)),
        "{mine}"
    );
    let hidden = app
        .gql_as(Some(&manager), AS_OF, json!({ "u": t, "d": "2021-06-01" }))
        .await;
    assert_eq!(hidden["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn effective_dates_are_not_in_the_future_nor_before_what_is_recorded() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("乙").await;
    let e = app
        .err(
            SET_FORM,
            json!({ "id": v, "f": "GENERAL_BRANCH", "on": "2999-01-01" }),
        )
        .await;
    assert_eq!(pair(e), bad("effectiveOn"));
    app.ok(
        SET_FORM,
        json!({ "id": g, "f": "BRANCH", "on": "2022-05-01" }),
    )
    .await;
    // Anything in the same township dated before 2022-05-01 is refused,
    // and refused whole: nothing of it is written.
    let e = app
        .err(
            SET_FORM,
            json!({ "id": v, "f": "GENERAL_BRANCH", "on": "2022-04-30" }),
        )
        .await;
    assert_eq!(pair(e.clone()), bad("effectiveOn"));
    assert!(e.2.contains("2022-05-01"), "{}", e.2);
    let form = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on OrgUnit { orgForm } } }",
            json!({ "id": v }),
        )
        .await;
    assert_eq!(form["node"]["orgForm"], "BRANCH");
    let e = app
        .err(
            "mutation($id: ID!) { dissolveOrgUnit(id: $id, on: \"2022-01-01\", reason: \"x\") { id } }",
            json!({ "id": team }),
        )
        .await;
    assert_eq!(pair(e), bad("on"));
    // Another township keeps its own calendar.
    let [t2, v2, ..] = app.chain("丙").await;
    app.ok(
        SET_FORM,
        json!({ "id": v2, "f": "GENERAL_BRANCH", "on": "2021-01-01" }),
    )
    .await;
    // A move is dated in both townships.
    let e = app
        .err(
            "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p, effectiveOn: \"2021-06-01\") { id } }",
            json!({ "id": b, "p": app.create(json!({ "parentId": v2, "unitType": "RURAL_GRID", "name": "丙二网格", "orgForm": "BRANCH", "effectiveOn": "2021-02-01" })).await }),
        )
        .await;
    assert_eq!(pair(e), bad("effectiveOn"));
    let e = app.err(AS_OF, json!({ "u": t, "d": "2999-01-01" })).await;
    assert_eq!(pair(e), bad("asOf"));
    let _ = t2;
}

#[tokio::test]
async fn the_trend_gives_coverage_at_the_end_of_each_period() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "丁镇", "orgForm": "COMMITTEE" }))
        .await;
    let v = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "丁村", "orgForm": "NONE" }))
        .await;
    app.ok(
        SET_FORM,
        json!({ "id": v, "f": "BRANCH", "on": "2021-05-20" }),
    )
    .await;
    let data = app
        .ok(
            TREND,
            json!({ "from": "2021-03-10", "to": "2021-06-15", "i": "MONTH" }),
        )
        .await;
    let points = data["coverageTrend"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let summary: Vec<(String, String, f64)> = points
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap_or_default().to_owned(),
                p["on"].as_str().unwrap_or_default().to_owned(),
                p["rate"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2021-03".into(), "2021-03-31".into(), 0.5),
            ("2021-04".into(), "2021-04-30".into(), 0.5),
            ("2021-05".into(), "2021-05-31".into(), 1.0),
            ("2021-06".into(), "2021-06-15".into(), 1.0),
        ]
    );
    let village = &points[1]["levels"][1];
    assert_eq!(
        (
            village["level"].clone(),
            village["units"].clone(),
            village["rate"].clone()
        ),
        (json!("VILLAGE"), json!(1), json!(0.0))
    );
    let years = app
        .ok(
            TREND,
            json!({ "u": t, "from": "2019-01-01", "to": "2021-12-31", "i": "YEAR" }),
        )
        .await;
    let rates: Vec<Value> = years["coverageTrend"]
        .as_array()
        .map(|a| a.iter().map(|p| p["rate"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(rates, [Value::Null, json!(0.0), json!(1.0)]);
    let quarters = app
        .ok(
            TREND,
            json!({ "u": t, "from": "2021-01-01", "to": "2021-12-31", "i": "QUARTER" }),
        )
        .await;
    assert_eq!(quarters["coverageTrend"][1]["period"], "2021-Q2");

    let e = app
        .err(
            TREND,
            json!({ "from": "2021-06-01", "to": "2021-01-01", "i": "MONTH" }),
        )
        .await;
    assert_eq!(pair(e), bad("from"));
    let e = app
        .err(
            TREND,
            json!({ "from": "1990-01-01", "to": "2021-01-01", "i": "MONTH" }),
        )
        .await;
    assert_eq!(pair(e), bad("from"));
    let e = app
        .err(
            TREND,
            json!({ "from": "2021-01-01", "to": "2999-01-01", "i": "YEAR" }),
        )
        .await;
    assert_eq!(pair(e), bad("to"));
}

#[tokio::test]
async fn the_dashboard_counts_every_level_in_one_round_trip() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("戊").await;
    app.create(json!({ "parentId": b, "unitType": "VOLUNTEER_TEAM", "name": "二队", "teamCategory": "TRAFFIC" }))
        .await;
    app.create(
        json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "空网格", "orgForm": "NONE" }),
    )
    .await;
    let q = "query($u: ID) { dashboard(under: $u) { units managementUnits covered gaps rate chainGaps levels { level levelLabel units covered gaps rate chainGaps } } }";
    let d = app.ok(q, json!({})).await["dashboard"].clone();
    assert_eq!(
        (
            d["units"].clone(),
            d["managementUnits"].clone(),
            d["gaps"].clone(),
            d["chainGaps"].clone()
        ),
        (json!(7), json!(5), json!(1), json!(1)),
        "{d}"
    );
    let units: Vec<Value> = d["levels"]
        .as_array()
        .map(|l| l.iter().map(|x| x["units"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(units, [json!(1), json!(1), json!(2), json!(1), json!(2)]);
    assert_eq!(d["levels"][4]["levelLabel"], "志愿服务队");
    assert_eq!(d["levels"][4]["rate"], Value::Null);
    assert_eq!(d["levels"][2]["rate"], 0.5);

    // The same through the eyes of a grid manager, and under the building group.
    let manager = app.account("manager-g", Role::Manager, Some(&g));
    let mine = app.gql_as(Some(&manager), q, json!({})).await;
    assert_eq!(mine["data"]["dashboard"]["units"], 4, "{mine}");
    let under_b = app.ok(q, json!({ "u": b })).await;
    assert_eq!(under_b["dashboard"]["units"], 2);
    let all = app.ok(AS_OF, json!({ "u": t })).await;
    assert_eq!(all["coverage"]["volunteerTeams"], 2);
}
