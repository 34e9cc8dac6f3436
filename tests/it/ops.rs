//! Operations: probes, metrics, request ids, CORS, GET semantics and the
//! SDL kept in `schema.graphql`.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn probes_answer() {
    let Some(app) = TestApp::spawn() else { return };
    assert_eq!(app.get("/healthz").await, (StatusCode::OK, "ok".to_owned()));
    assert_eq!(
        app.get("/readyz").await,
        (StatusCode::OK, "ready".to_owned())
    );
    let (status, page) = app.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("graphiql"), "{page}");
}

#[tokio::test]
async fn metrics_count_operations_errors_and_the_pool() {
    let Some(app) = TestApp::spawn() else { return };
    app.ok(
        "query Townships { orgUnits(level: TOWNSHIP) { totalCount } }",
        json!({}),
    )
    .await;
    app.err("query Broken { orgUnit(code: \"none\") { id } }", json!({}))
        .await;
    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "grassroots_graphql_request_duration_seconds_count{operation=\"Townships\"} 1",
        "grassroots_graphql_errors_total{code=\"NOT_FOUND\"} 1",
        "grassroots_db_pool_connections",
        "grassroots_db_statements_total",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}

#[tokio::test]
async fn requests_carry_an_id() {
    let Some(app) = TestApp::spawn() else { return };
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .expect("request");
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .expect("response");
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let req = Request::get("/healthz")
        .body(Body::empty())
        .expect("request");
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .expect("response");
    assert!(resp.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let Some(app) =
        TestApp::spawn_with(|c| c.cors_origins = vec!["https://dash.example.cn".to_owned()])
    else {
        return;
    };
    for (origin, allowed) in [
        ("https://dash.example.cn", true),
        ("https://evil.example", false),
    ] {
        let req = Request::builder()
            .method("OPTIONS")
            .uri("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .expect("request");
        let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .expect("response");
        assert_eq!(
            resp.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_some(),
            allowed,
            "{origin}"
        );
        if allowed {
            let h = |name: header::HeaderName| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_lowercase()
            };
            assert_eq!(h(header::ACCESS_CONTROL_MAX_AGE), "600");
            assert!(h(header::ACCESS_CONTROL_ALLOW_HEADERS).contains("x-request-id"));
        }
    }
    // A real request exposes the request id and a download's file name.
    let req = Request::builder()
        .method("POST")
        .uri("/graphql")
        .header(header::ORIGIN, "https://dash.example.cn")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"query":"{ __typename }"}"#))
        .expect("request");
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .expect("response");
    let exposed = resp
        .headers()
        .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        exposed.contains("x-request-id") && exposed.contains("content-disposition"),
        "{exposed}"
    );
}

#[tokio::test]
async fn get_serves_queries_but_not_mutations() {
    let Some(app) = TestApp::spawn() else { return };
    let get = |path: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
            .body(Body::empty())
            .expect("request")
    };
    let (status, body) = app
        .send(get(
            "/graphql?query=%7B%20orgUnits%20%7B%20totalCount%20%7D%20%7D",
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"totalCount\":0"), "{body}");
    let (status, body) = app
        .send(get(
            "/graphql?query=mutation%20%7B%20restoreOrgUnit(id%3A%22x%22)%20%7B%20id%20%7D%20%7D",
        ))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body.contains("BAD_USER_INPUT"), "{body}");
    // Without a token, only sign-in is open.
    let (status, body) = app
        .get("/graphql?query=%7B%20orgUnits%20%7B%20totalCount%20%7D%20%7D")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("UNAUTHENTICATED"), "{body}");
}

#[tokio::test]
async fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let built = grassroots::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(path, &built).expect("write schema.graphql");
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        stored == built,
        "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test --test it ops::` (or `cargo run -- schema > schema.graphql`) and review the diff"
    );
}

fn json_post(token: Option<&str>, body: serde_json::Value) -> Request<Body> {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::from(body.to_string())).expect("request")
}

/// JSON batches run every operation under the caller's budget, up to ten
/// for an account and one without a token; automatic persisted queries
/// get the answer Apollo's client knows, and it then sends whole queries.
#[tokio::test]
async fn batches_run_and_persisted_queries_are_declined_in_json() {
    let Some(app) = TestApp::spawn() else { return };
    let batch = json!([
        { "query": "{ me { username } }" },
        { "query": "query Count { orgUnits { totalCount } }" }
    ]);
    let (status, body) = app.send(json_post(Some(&app.token), batch)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answers: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answers[0]["data"]["me"]["username"], "root", "{body}");
    assert_eq!(answers[1]["data"]["orgUnits"]["totalCount"], 0, "{body}");

    let eleven: Vec<_> = (0..11)
        .map(|_| json!({ "query": "{ me { username } }" }))
        .collect();
    let (status, body) = app.send(json_post(Some(&app.token), json!(eleven))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("\"field\":\"body\"") && body.contains("BAD_USER_INPUT"),
        "{body}"
    );

    let two_anonymous = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]);
    let (status, body) = app.send(json_post(None, two_anonymous)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let hash = "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38";
    let apq = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    let (status, body) = app.send(json_post(Some(&app.token), apq)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        answer["errors"][0]["message"], "PersistedQueryNotSupported",
        "{body}"
    );
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_SUPPORTED"
    );
}
