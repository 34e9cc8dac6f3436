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

/// Whether an example (comments first) is a subscription.
pub fn is_subscription(query: &str) -> bool {
    query
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("subscription"))
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
        if is_subscription(query) {
            // Sent over /graphql/ws: see `live::the_graphiql_subscription_examples_run`.
            continue;
        }
        let resp = app.gql(query, json!({})).await;
        assert!(resp["errors"].is_null(), "{}: {resp}", example["title"]);
    }
}

/// GraphiQL renders in a real browser with every host but the server's
/// unreachable (as on an intranet): headless Chromium, as `.ci/run`
/// installs it, loads `/` from the real binary and must show GraphiQL
/// with its example tabs.
#[test]
fn graphiql_renders_in_chromium_with_the_network_cut_off() {
    use crate::common::process::{drain, listening, start};
    use std::process::{Command, Stdio};

    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(browser) = browser else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no Chromium: .ci/run installs Debian's chromium"
        );
        eprintln!("skipped: no Chromium on this machine (apt-get install chromium)");
        return;
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_grassroots"));
    server
        .args(["--database-url", "sqlite::memory:", "serve"])
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn");
    let started = start(server, listening);
    drain(started.output);
    let addr = started.found;
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            // Every name resolves nowhere: only the server's address works.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            &format!("http://{addr}/"),
        ])
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    drop(started.process);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not render:\n{dom}"
    );
    for tab in ["Coverage", "Staffing", "DrillDown"] {
        assert!(dom.contains(tab), "no {tab} tab:\n{dom}");
    }
    assert!(dom.contains("grassroots"), "{dom}");
}
