//! The example dashboard at `/dashboard`, in a real browser: headless
//! Chromium driven through chromium-driver (WebDriver), against the real
//! binary serving `serve --demo`, with every other host unreachable. It
//! signs in as `demo-township`, checks the figures against the API, makes
//! a write through the API and sees the page change without a reload.

use std::process::Command;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use crate::common::process::{drain, listening, start};

const PASSWORD: &str = "dashboard-test-pw";

fn present(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn graphql(addr: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = hyper::Request::post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let resp = client
        .request(req.body(Full::new(Bytes::from(body))).expect("request"))
        .await
        .expect("response");
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let value: Value = serde_json::from_slice(&bytes).expect("json");
    assert!(value["errors"].is_null(), "{value}");
    value["data"].clone()
}

/// Waits (up to 30 s; WebDriver polls the page) until an element matches
/// `xpath`, or fails naming `what`.
async fn shows(browser: &fantoccini::Client, xpath: &str, what: &str) {
    browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("the page does not show {what}: {e}"));
}

#[tokio::test]
async fn the_dashboard_signs_in_shows_the_demo_and_updates_live() {
    if !present("chromium") || !present("chromedriver") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no chromium/chromedriver: .ci/run installs them"
        );
        eprintln!(
            "skipped: no chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        return;
    }
    let mut server = Command::new(env!("CARGO_BIN_EXE_grassroots"));
    server
        .args(["--database-url", "sqlite::memory:", "serve", "--demo"])
        .args(["--listen", "127.0.0.1:0"])
        .env("GRASSROOTS_DEMO_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn");
    let server = start(server, listening);
    drain(server.output);
    let (_server, addr) = (server.process, server.found);
    let mut driver = Command::new("chromedriver");
    driver.arg("--port=0");
    let driver = start(driver, |line| {
        let rest = line.split("started successfully on port ").nth(1)?;
        Some(rest.trim_end_matches('.').trim().to_owned())
    });
    drain(driver.output);
    let (_driver, driver_port) = (driver.process, driver.found);

    // What the API says of demo-township's scope.
    let login = graphql(
        &addr,
        None,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken account { grants { scope { id } } } } }",
        json!({ "u": "demo-township", "p": PASSWORD }),
    )
    .await;
    let token = login["login"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let scope = login["login"]["account"]["grants"][0]["scope"]["id"]
        .as_str()
        .expect("scope")
        .to_owned();
    let figures = "query($u: ID) { coverage(under: $u) { total covered gaps } orgUnit(id: $u) { children(first: 1) { nodes { id name } } } }";
    let before = graphql(&addr, Some(&token), figures, json!({ "u": scope })).await;
    let (total, covered, gaps) = (
        before["coverage"]["total"].as_i64().expect("total"),
        before["coverage"]["covered"].as_i64().expect("covered"),
        before["coverage"]["gaps"].as_i64().expect("gaps"),
    );
    let village = before["orgUnit"]["children"]["nodes"][0].clone();

    let caps = json!({ "goog:chromeOptions": { "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1280,800", "--lang=zh-CN",
        // Every name resolves nowhere: only the server's address works.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ] } });
    let caps = match caps {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    };
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a browser session");

    browser
        .goto(&format!("http://{addr}/dashboard"))
        .await
        .expect("open the dashboard");
    browser
        .find(Locator::Id("username"))
        .await
        .expect("username box")
        .send_keys("demo-township")
        .await
        .expect("type");
    browser
        .find(Locator::Id("password"))
        .await
        .expect("password box")
        .send_keys(PASSWORD)
        .await
        .expect("type");
    browser
        .find(Locator::Id("login"))
        .await
        .expect("button")
        .click()
        .await
        .expect("sign in");

    // The demo's figures, as the API gives them, the lists, the charts and
    // the live mark.
    let name = village["name"].as_str().expect("name");
    let expected = [
        (
            format!("//b[@id='f-covered' and text()='{covered} / {total}']"),
            "the coverage figure",
        ),
        (
            format!("//b[@id='f-gaps' and text()='{gaps}']"),
            "the gap figure",
        ),
        (
            format!("//ul[@id='children']/li[starts-with(., '{name}')]"),
            "the villages to drill into",
        ),
        (
            "//span[@id='live' and @class='on']".to_owned(),
            "the live connection",
        ),
        (
            "//div[@id='chart-levels']//canvas".to_owned(),
            "the chart per level",
        ),
        (
            "//div[@id='chart-types']//canvas".to_owned(),
            "the chart per unit type",
        ),
        ("//div[@id='chart-trend']//canvas".to_owned(), "the trend"),
        (
            "//table[@id='staffing']//td".to_owned(),
            "the staffing summary",
        ),
    ];
    for (xpath, what) in &expected {
        shows(&browser, xpath, what).await;
    }
    let shot = browser.screenshot().await.expect("screenshot");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join("dashboard.png"), &shot).expect("save screenshot");

    // A write through the API: a grid without a party organization.
    graphql(
        &addr,
        Some(&token),
        "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { id } }",
        json!({ "input": { "parentId": village["id"], "unitType": "RURAL_GRID", "name": "新建网格（浏览器测试）", "orgForm": "NONE" } }),
    )
    .await;
    // The page follows without a reload.
    let expected = [
        (
            format!("//b[@id='f-gaps' and text()='{}']", gaps + 1),
            "the gap figure to change live",
        ),
        (
            format!(
                "//b[@id='f-covered' and text()='{covered} / {}']",
                total + 1
            ),
            "the total to change live",
        ),
        (
            "//ul[@id='gaps']/li[starts-with(., '新建网格（浏览器测试）')]".to_owned(),
            "the new gap in the list",
        ),
    ];
    for (xpath, what) in &expected {
        shows(&browser, xpath, what).await;
    }
    let shot = browser.screenshot().await.expect("screenshot");
    std::fs::write(dir.join("dashboard-after-write.png"), &shot).expect("save screenshot");
    browser.close().await.expect("close the browser");
}
