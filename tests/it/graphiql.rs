//! GraphiQL at `/` works offline: its page and assets come from the
//! binary (no CDN), and every example operation it offers runs.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

#[tokio::test]
async fn graphiql_is_served_from_the_binary() {
    let Some(app) = TestApp::spawn() else { return };
    let (status, page) = app.get("/").await;
    assert_eq!(status, StatusCode::OK);
    // Nothing is fetched from another origin.
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "{page}"
    );
    for asset in [
        "/graphiql/react.production.min.js",
        "/graphiql/react-dom.production.min.js",
        "/graphiql/graphiql.min.js",
        "/graphiql/graphiql.min.css",
        "/graphiql/examples.json",
    ] {
        assert!(page.contains(asset), "the page loads {asset}");
        let (status, body) = app.get(asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(body.len() > 1_000, "{asset}");
    }
    let (status, _) = app.get("/graphiql/nothing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_example_operation_runs() {
    let Some(app) = TestApp::spawn() else { return };
    app.chain("甲").await;
    let (_, examples) = app.get("/graphiql/examples.json").await;
    let examples: Vec<Value> = serde_json::from_str(&examples).expect("examples.json");
    assert!(examples.len() >= 6);
    for example in examples {
        let query = example["query"].as_str().unwrap_or_default();
        let resp = app.gql(query, json!({})).await;
        assert!(resp["errors"].is_null(), "{}: {resp}", example["title"]);
    }
}
