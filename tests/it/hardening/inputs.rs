//! Hostile values: strings and dates checked before anything runs,
//! spreadsheets that cannot run formulas, metrics that stay bounded, and a
//! database outage answered 503.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use super::code;
use crate::common::TestApp;

fn field(v: &Value) -> &str {
    v["errors"][0]["extensions"]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn strings_and_dates_are_refused_with_their_field() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    let search = "query($s: String) { orgUnits(search: $s) { totalCount } }";
    for bad in ["a\u{0}b".to_owned(), "李".repeat(50_000), "x".repeat(101)] {
        let resp = app.gql(search, json!({ "s": bad })).await;
        assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp}");
        assert!(field(&resp) == "s" || field(&resp) == "search", "{resp}");
    }
    let literal = app
        .gql(
            "{ orgUnits(search: \"a\\u0000b\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&literal), "BAD_USER_INPUT", "{literal}");

    let create = "mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id name code } }";
    for (input, want) in [
        (
            json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "网\u{200B}格" }),
            "name",
        ),
        (
            json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "网\u{202E}格" }),
            "name",
        ),
        (
            json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "网格", "code": "４３１３" }),
            "code",
        ),
        (
            json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "网格", "foundedOn": "1899-12-31" }),
            "foundedOn",
        ),
    ] {
        let resp = app.gql(create, json!({ "i": input })).await;
        assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp}");
        assert_eq!(field(&resp), want, "{resp}");
    }
    let person = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }";
    for birth in ["0000-01-01", "-5000-01-01", "1850-01-01"] {
        let resp = app
            .gql(person, json!({ "i": { "unitId": v, "name": "张三", "gender": "MALE", "birthDate": birth } }))
            .await;
        assert_eq!(code(&resp), "BAD_USER_INPUT", "{birth}: {resp}");
        assert_eq!(field(&resp), "birthDate", "{resp}");
    }
    // Names are stored NFC: e + combining acute is one character.
    let made = app
        .ok(
            create,
            json!({ "i": { "parentId": v, "unitType": "RURAL_GRID", "name": "Cafe\u{301}网格" } }),
        )
        .await;
    assert_eq!(made["createOrgUnit"]["name"], "Caf\u{e9}网格");
}

#[tokio::test]
async fn csv_reports_cannot_run_formulas_and_still_import_back() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"V1\" }) { id } }",
        json!({ "id": v }),
    )
    .await;
    app.ok(
        "mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }",
        json!({ "i": { "parentId": v, "unitType": "RURAL_GRID", "name": "=HYPERLINK(\"http://x\")" } }),
    )
    .await;
    app.ok(
        "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"+cmd|calc\", gender: MALE, notes: \"@SUM(1)\" }) { id } }",
        json!({ "u": v }),
    )
    .await;
    let (_, coverage) = app.get_as(&app.token, "/reports/coverage.csv").await;
    assert!(coverage.contains("'=HYPERLINK"), "{coverage}");
    assert!(!coverage.contains(",=HYPERLINK"), "{coverage}");
    let (_, people) = app.get_as(&app.token, "/reports/people.csv").await;
    assert!(
        people.contains("'+cmd|calc") && people.contains("'@SUM(1)"),
        "{people}"
    );
    // The escaped export imports back unchanged.
    let import = "mutation($file: Upload!) { importPeople(file: $file) { unchanged } }";
    let req = TestApp::multipart(
        Some(&app.token),
        import,
        json!({}),
        "p.csv",
        people.as_bytes(),
    );
    let (_, text) = app.send(req).await;
    let resp: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(resp["data"]["importPeople"]["unchanged"], 1, "{resp}");
}

#[tokio::test]
async fn metrics_series_stay_bounded_and_may_need_a_token() {
    let Some(app) =
        TestApp::spawn_with(|c| c.metrics_token = Some("metrics-secret-token".to_owned()))
    else {
        return;
    };
    for i in 0..150 {
        let body = json!({ "query": "{ __typename }", "operationName": null }).to_string();
        let named = body.replace("null", &format!("\"Probe{i}\"")).replace(
            "{ __typename }",
            &format!("query Probe{i} {{ __typename }}"),
        );
        let anonymous = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(named.clone()))
            .expect("request");
        app.send(anonymous).await;
        let signed_in = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", app.token))
            .body(Body::from(named))
            .expect("request");
        app.send(signed_in).await;
    }
    let (status, _) = app.get("/metrics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = app.get_as("metrics-secret-token", "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    let series = text
        .lines()
        .filter(|l| l.starts_with("grassroots_graphql_request_duration_seconds_count"))
        .count();
    assert!(
        series <= grassroots::metrics::MAX_OPERATION_LABELS + 4,
        "{series} series"
    );
    assert!(
        text.contains("operation=\"anonymous\"") && text.contains("operation=\"other\""),
        "{text}"
    );
}

#[tokio::test]
async fn a_database_outage_is_503_and_recovery_is_immediate() {
    let Some(direct) = TestApp::spawn() else {
        return;
    };
    // An in-memory SQLite database does not go away.
    let Some((db, outage)) = direct.test_db.behind_proxy() else {
        return;
    };
    let state = grassroots::AppState::with_db(
        db,
        &grassroots::Config::for_database(direct.test_db.target.clone()),
    )
    .expect("state");
    let app = TestApp {
        router: grassroots::router(state.clone()),
        state,
        token: direct.token.clone(),
        test_db: direct.test_db,
    };
    app.ok("{ coverage { total } }", json!({})).await;
    outage.start();
    let (status, text) = app
        .post(Some(&app.token), "{ coverage { total } }", json!({}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    let resp: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(code(&resp), "SERVICE_UNAVAILABLE", "{resp}");
    assert!(
        !text.to_lowercase().contains("postgres") && !text.contains("FATAL"),
        "{text}"
    );
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    outage.end();
    // The very next request is served: dead connections are not handed out.
    let (status, text) = app
        .post(Some(&app.token), "{ coverage { total } }", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
}
