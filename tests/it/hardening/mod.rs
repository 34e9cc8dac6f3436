//! Safe to expose: what an attacker sends, signed in or not, is refused
//! without crashing, starving or telling anything outside the caller's
//! scope. One test per class of attack, through the real router.

mod fuzz_corpus;
mod inputs;
mod scope;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{TestApp, PASSWORD};
use grassroots::auth::policy::Role;

const IMPORT_UNITS: &str = "mutation($file: Upload!) { importUnits(file: $file) { rows } }";
const CRASH_FILE: &[u8] = include_bytes!("../../fixtures/huge_dimension.xlsx");

fn code(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({ "raw": text }))
}

/// A GraphQL POST from client address `ip`.
fn from(ip: &str, token: Option<&str>, query: &str, variables: Value) -> Request<Body> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let mut req = req.body(Body::from(body)).expect("request");
    let addr: SocketAddr = format!("{ip}:40000").parse().expect("address");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

#[tokio::test]
async fn uploads_need_a_token_and_an_importing_role_before_the_body_is_read() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    // Anonymous: refused from the headers alone, even a body that is no
    // multipart at all.
    let (status, text) = app
        .send(TestApp::multipart(
            None,
            IMPORT_UNITS,
            json!({}),
            "x.xlsx",
            CRASH_FILE,
        ))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert_eq!(code(&parse(&text)), "UNAUTHENTICATED");
    let garbage = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=zz")
        .body(Body::from(vec![b'z'; 4096]))
        .expect("request");
    let (status, _) = app.send(garbage).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A VIEWER may not import anywhere: no upload is read for it.
    let viewer = app.account("viewer", Role::Viewer, Some(&v));
    let (status, text) = app
        .send(TestApp::multipart(
            Some(&viewer),
            IMPORT_UNITS,
            json!({}),
            "x.xlsx",
            CRASH_FILE,
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert_eq!(code(&parse(&text)), "FORBIDDEN");
    // An ADMIN's upload of the crash file: refused with the limit it broke,
    // and the server answers the next request.
    let (status, text) = app
        .send(TestApp::multipart(
            Some(&app.token),
            IMPORT_UNITS,
            json!({}),
            "x.xlsx",
            CRASH_FILE,
        ))
        .await;
    let resp = parse(&text);
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "file");
    let message = resp["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("64 columns") || message.contains("200000 rows"),
        "{message}"
    );
    app.ok("{ coverage { total } }", json!({})).await;
}

#[test]
fn hostile_files_cost_at_most_their_limits() {
    use grassroots::import::sheet::ReadLimits;
    use grassroots::import::{read, Format};
    let limits = ReadLimits {
        max_rows: 10,
        max_columns: 8,
        max_cell_chars: 50,
        max_cells: 40,
        max_zip_entries: 16,
        max_unzipped_bytes: 1 << 20,
    };
    let refused = |bytes: &[u8], format: Format, what: &str| {
        let err = read(bytes, format, &limits).expect_err(what);
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(err.field(), Some("file"));
        assert!(err.to_string().contains(what), "{err} should name {what}");
    };
    let wide = format!("{}\n", ["a"; 9].join(","));
    refused(wide.as_bytes(), Format::Csv, "8 columns");
    let long = format!("name\n{}\n", "长".repeat(51));
    refused(long.as_bytes(), Format::Csv, "50 characters in a cell");
    let many = "name\n".to_owned() + &"x\n".repeat(11);
    refused(many.as_bytes(), Format::Csv, "10 rows");
    let cells = "a,b,c,d,e,f,g,h\n".repeat(6);
    refused(cells.as_bytes(), Format::Csv, "40 cells");
    // The crash file: cells at A1 and XFD1048576 in a 1.5 KB workbook.
    refused(CRASH_FILE, Format::Xlsx, "rows");
    // A zip bomb: a sheet part that unzips to 2 MiB of blanks.
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", opts)
            .expect("zip");
        zip.write_all(&vec![b' '; 2 << 20]).expect("zip");
        zip.finish().expect("zip");
    }
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    refused(&bomb, Format::Xlsx, "bytes unzipped");
    // Within the limits, a file reads as before.
    let fine = read("code,name\nT1,甲镇\n".as_bytes(), Format::Csv, &limits).expect("fine");
    assert_eq!(fine.rows.len(), 1);
}

#[tokio::test]
async fn anonymous_callers_reach_nothing_past_sign_in_through_fragments() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.anonymous_introspection = false) else {
        return;
    };
    for query in [
        "query { ...F } fragment F on Query { orgUnits { totalCount } }",
        "{ ... on Query { orgUnits { totalCount } } }",
        "{ ... on Query { ... on Query { coverage { total } } } }",
        "{ ... on Query { __schema { queryType { name } } } }",
        "query { ...F } fragment F on Query { __type(name: \"Query\") { name } }",
        "mutation { ... on Mutation { createOrgUnit(input: { unitType: TOWNSHIP, name: \"x\" }) { id } } }",
    ] {
        let resp = app.gql_as(None, query, json!({})).await;
        assert_eq!(code(&resp), "UNAUTHENTICATED", "{query}: {resp}");
        assert!(resp["data"].is_null(), "{query}: {resp}");
    }
    let ok = app.gql_as(None, "{ __typename }", json!({})).await;
    assert_eq!(ok["data"]["__typename"], "Query", "{ok}");

    let Some(open) = TestApp::spawn() else { return };
    // GraphiQL's own introspection query fits the anonymous budget.
    let schema = open
        .gql_as(None, grassroots::bench::queries::INTROSPECTION, json!({}))
        .await;
    assert!(schema.get("errors").is_none(), "{schema}");
    assert_eq!(schema["data"]["__schema"]["queryType"]["name"], "Query");
    let resp = open
        .gql_as(
            None,
            "query { ...F } fragment F on Query { __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        resp["data"]["__schema"]["queryType"]["name"], "Query",
        "{resp}"
    );
}

#[tokio::test]
async fn each_caller_has_a_budget_and_is_told_it() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    let over = |resp: &Value, name: &str, limit: u64| {
        assert_eq!(code(resp), "BAD_USER_INPUT", "{resp}");
        let ext = &resp["errors"][0]["extensions"];
        assert_eq!(ext["limitName"], name, "{resp}");
        assert_eq!(ext["limit"], limit, "{resp}");
        assert!(ext["cost"].as_u64().unwrap_or(0) > limit, "{resp}");
        assert!(resp["data"].is_null(), "{resp}");
    };
    // Anonymous: one sign-in per request, no aliases.
    let eleven: String = (0..11)
        .map(|i| format!("l{i}: login(username: \"root\", password: \"wrong\") {{ accessToken }} "))
        .collect();
    over(
        &app.gql_as(None, &format!("mutation {{ {eleven} }}"), json!({}))
            .await,
        "aliases",
        0,
    );
    let two = "mutation { login(username: \"root\", password: \"x\") { accessToken } refreshToken(token: \"x\") { accessToken } }";
    over(&app.gql_as(None, two, json!({})).await, "rootFields", 1);
    // A fragment bomb is refused after at most the budget's selections.
    let mut bomb = String::from("query { ...F0 } ");
    for i in 0..30 {
        bomb.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} }} ",
            i + 1,
            i + 1
        ));
    }
    bomb.push_str("fragment F30 on Query { __typename login: __typename }");
    let resp = app.gql_as(None, &bomb, json!({})).await;
    assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp}");
    // Anonymous bodies are small.
    let big = format!("{{ __typename }} # {}", "x".repeat(20_000));
    let (status, text) = app.post(None, &big, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(parse(&text)["errors"][0]["extensions"]["field"], "body");

    // A VIEWER: 30 aliases at most, complexity 20,000 at most.
    let viewer = app.account("viewer", Role::Viewer, Some(&v));
    let aliased: String = (0..31).map(|i| format!("a{i}: id ")).collect();
    over(
        &app.gql_as(
            Some(&viewer),
            &format!("{{ orgUnits(first: 1) {{ nodes {{ {aliased} }} }} }}"),
            json!({}),
        )
        .await,
        "aliases",
        30,
    );
    let roots: String = (0..21)
        .map(|i| format!("r{i}: coverage {{ total }} "))
        .collect();
    let resp = app
        .gql_as(Some(&viewer), &format!("{{ {roots} }}"), json!({}))
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["limitName"], "rootFields",
        "{resp}"
    );
    // A fragment cycle is refused before anything expands it.
    let cycle =
        "query { ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }";
    let resp = app.gql_as(Some(&viewer), cycle, json!({})).await;
    assert_eq!(code(&resp), "BAD_USER_INPUT", "{resp}");
    let deep = "{ orgUnits(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { id } } } } } } }";
    over(
        &app.gql_as(Some(&viewer), deep, json!({})).await,
        "complexity",
        20_000,
    );
    // The region ADMIN's budget is larger, and the same page is fine for it
    // at a smaller size.
    let fine = "{ orgUnits(first: 10) { nodes { children(first: 10) { nodes { id } } } } }";
    assert!(app
        .gql_as(Some(&viewer), fine, json!({}))
        .await
        .get("errors")
        .is_none());
}

#[tokio::test]
async fn a_wrong_password_from_one_address_does_not_lock_the_account_elsewhere() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.login_limit = 3) else {
        return;
    };
    let login =
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }";
    for _ in 0..3 {
        let (_, text) = app
            .send(from(
                "10.0.0.1",
                None,
                login,
                json!({ "u": "root", "p": "wrong" }),
            ))
            .await;
        assert_eq!(code(&parse(&text)), "UNAUTHENTICATED", "{text}");
    }
    let (_, text) = app
        .send(from(
            "10.0.0.1",
            None,
            login,
            json!({ "u": "root", "p": PASSWORD }),
        ))
        .await;
    assert_eq!(code(&parse(&text)), "RATE_LIMITED", "{text}");
    // The same account from another address signs in at once.
    let (_, text) = app
        .send(from(
            "10.0.0.2",
            None,
            login,
            json!({ "u": "root", "p": PASSWORD }),
        ))
        .await;
    assert!(
        parse(&text)["data"]["login"]["accessToken"].is_string(),
        "{text}"
    );
    // Other accounts from the first address are not locked either.
    let _ = app.account("other", Role::Viewer, None);
    let (_, text) = app
        .send(from(
            "10.0.0.1",
            None,
            login,
            json!({ "u": "other", "p": PASSWORD }),
        ))
        .await;
    assert!(
        parse(&text)["data"]["login"]["accessToken"].is_string(),
        "{text}"
    );
}

#[tokio::test]
async fn sign_in_state_stays_small_whatever_the_usernames() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.login_global_per_second = 1_000) else {
        return;
    };
    let login =
        "mutation($u: String!) { login(username: $u, password: \"wrong\") { accessToken } }";
    // A username past the anonymous body limit is refused before parsing.
    let (status, _) = app
        .send(from(
            "10.0.0.9",
            None,
            login,
            json!({ "u": "u".repeat(1 << 20) }),
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Long usernames are kept as 8-byte hashes: the state holds one key
    // per (username, address) and per address, however long the names.
    for i in 0..40 {
        let name = format!("{i}{}", "名".repeat(4_000));
        let (_, text) = app
            .send(from(
                &format!("10.1.0.{i}"),
                None,
                login,
                json!({ "u": name }),
            ))
            .await;
        assert_eq!(code(&parse(&text)), "UNAUTHENTICATED", "{text}");
    }
    // One key per (username, address), per address for sign-ins and per
    // address for anonymous requests: 41 addresses, three maps.
    let held = app.state.auth.limiter.keys_held();
    assert!(held <= 3 * 41, "{held} keys");
}

#[tokio::test]
async fn the_global_ceiling_holds_whatever_the_addresses() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.login_global_per_second = 2) else {
        return;
    };
    let login = "mutation { login(username: \"nobody\", password: \"wrong\") { accessToken } }";
    let mut limited = 0;
    for i in 0..10 {
        let (_, text) = app
            .send(from(&format!("10.2.0.{i}"), None, login, json!({})))
            .await;
        limited += usize::from(code(&parse(&text)) == "RATE_LIMITED");
    }
    // A burst of twice the rate passes; the rest of the ten are refused.
    assert!(limited >= 5, "{limited} refused");
}

async fn sign_in(app: &TestApp, username: &str) -> (String, String) {
    let resp = app
        .gql_as(
            None,
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }",
            json!({ "u": username, "p": PASSWORD }),
        )
        .await;
    let login = &resp["data"]["login"];
    (
        login["accessToken"].as_str().expect("access").to_owned(),
        login["refreshToken"].as_str().expect("refresh").to_owned(),
    )
}

#[tokio::test]
async fn ending_a_session_ends_its_access_tokens() {
    let Some(app) = TestApp::spawn() else { return };
    let _ = app.account("clerk", Role::Viewer, None);
    let me = "{ me { username } }";
    // Logout.
    let (access, refresh) = sign_in(&app, "clerk").await;
    let (other_access, _) = sign_in(&app, "clerk").await;
    assert_eq!(
        app.gql_as(Some(&access), me, json!({})).await["data"]["me"]["username"],
        "clerk"
    );
    let out = app
        .gql_as(
            Some(&access),
            "mutation($t: String!) { logout(refreshToken: $t) }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let (status, text) = app.post(Some(&access), me, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    // The account's other session goes on.
    assert_eq!(
        app.gql_as(Some(&other_access), me, json!({})).await["data"]["me"]["username"],
        "clerk"
    );
    // Theft: a refresh token presented twice ends its whole session, and
    // the access tokens issued in it.
    let (first_access, refresh) = sign_in(&app, "clerk").await;
    let rotate = "mutation($t: String!) { refreshToken(token: $t) { accessToken } }";
    let rotated = app.gql_as(None, rotate, json!({ "t": refresh })).await;
    let second_access = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    let reused = app.gql_as(None, rotate, json!({ "t": refresh })).await;
    assert_eq!(code(&reused), "UNAUTHENTICATED", "{reused}");
    for token in [&first_access, &second_access] {
        let (status, _) = app.post(Some(token), me, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn grants_go_only_to_accounts_the_admin_manages() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("甲").await;
    let admin = app.account("town-admin", Role::Admin, Some(&t));
    let me = app.gql("{ me { id } }", json!({})).await;
    let root_id = me["data"]["me"]["id"].as_str().expect("root id").to_owned();
    let grant =
        "mutation($a: ID!, $s: ID) { grantRole(accountId: $a, role: VIEWER, scopeId: $s) { id } }";
    let on_root = app
        .gql_as(Some(&admin), grant, json!({ "a": root_id, "s": t }))
        .await;
    let missing_id =
        grassroots::graphql::ids::encode(grassroots::graphql::ids::Kind::Account, 987_654)
            .to_string();
    let on_missing = app
        .gql_as(Some(&admin), grant, json!({ "a": missing_id, "s": t }))
        .await;
    assert_eq!(code(&on_root), "NOT_FOUND", "{on_root}");
    assert_eq!(
        on_root["errors"][0]["message"],
        on_missing["errors"][0]["message"]
    );
    assert_eq!(
        on_root["errors"][0]["extensions"],
        on_missing["errors"][0]["extensions"]
    );
    // Nothing was written: root's grants are as they were.
    let grants = app.ok("{ me { grants { role } } }", json!({})).await;
    assert_eq!(grants["me"]["grants"].as_array().map(Vec::len), Some(1));
    // An account it created is its own to grant more to.
    let made = app
        .gql_as(Some(&admin), "mutation($s: ID) { createAccount(input: { username: \"clerk\", displayName: \"c\", password: \"long-enough-pw\", role: VIEWER, scopeId: $s }) { id } }", json!({ "s": t }))
        .await;
    let clerk = made["data"]["createAccount"]["id"]
        .as_str()
        .expect("created")
        .to_owned();
    let more = app.gql_as(Some(&admin), "mutation($a: ID!, $s: ID) { grantRole(accountId: $a, role: MANAGER, scopeId: $s) { id } }", json!({ "a": clerk, "s": t })).await;
    assert!(more.get("errors").is_none(), "{more}");
}

#[tokio::test]
async fn requests_without_a_token_are_limited_per_address() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.anonymous_per_minute = 4) else {
        return;
    };
    let mut codes = Vec::new();
    for _ in 0..6 {
        let (_, text) = app
            .send(from("10.3.0.1", None, "{ __typename }", json!({})))
            .await;
        codes.push(code(&parse(&text)).to_owned());
    }
    assert_eq!(codes[..4], ["", "", "", ""], "{codes:?}");
    assert_eq!(codes[4..], ["RATE_LIMITED", "RATE_LIMITED"], "{codes:?}");
    // Another address, and anyone signed in, are not held back.
    let (_, text) = app
        .send(from("10.3.0.2", None, "{ __typename }", json!({})))
        .await;
    assert_eq!(parse(&text)["data"]["__typename"], "Query", "{text}");
    let (_, text) = app
        .send(from(
            "10.3.0.1",
            Some(&app.token),
            "{ __typename }",
            json!({}),
        ))
        .await;
    assert_eq!(parse(&text)["data"]["__typename"], "Query", "{text}");
}

#[tokio::test]
async fn anonymous_work_waits_its_turn_and_signed_in_work_never_does() {
    let Some(app) = TestApp::spawn_with(|c| c.limits.anonymous_wait_ms = 50) else {
        return;
    };
    // Every anonymous slot is taken (by a long sign-in, say).
    let held = app
        .state
        .anonymous_slots
        .clone()
        .acquire_many_owned(app.state.limits.anonymous_concurrency as u32)
        .await
        .expect("slots");
    let (status, text) = app.post(None, "{ __typename }", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{text}");
    assert_eq!(code(&parse(&text)), "RATE_LIMITED");
    let signed_in = app.gql("{ coverage { total } }", json!({})).await;
    assert!(signed_in.get("errors").is_none(), "{signed_in}");
    drop(held);
    let (status, _) = app.post(None, "{ __typename }", json!({})).await;
    assert_eq!(status, StatusCode::OK);
}
