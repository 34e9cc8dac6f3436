//! Signing in, token rotation and revocation, and every token attack of
//! the issue, through the real router.

use crate::common::{TestApp, PASSWORD};
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use grassroots::auth::policy::Role;

const SECRET: &str = "an-hs256-secret-of-at-least-32-bytes!!";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken accessExpiresAt refreshExpiresAt account { username } } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { username grants { role regionWide } } }";

fn with_secret() -> Option<TestApp> {
    TestApp::spawn_with(|c| c.auth.jwt_secret = Some(SECRET.to_owned()))
}

async fn login(app: &TestApp, username: &str, password: &str) -> Value {
    app.gql_as(None, LOGIN, json!({ "u": username, "p": password }))
        .await
}

fn code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// Claims as the server writes them, adjustable per attack.
fn claims(sub: &str, exp_offset: i64, nbf_offset: i64) -> Value {
    let now = chrono::Utc::now();
    let secs = now.timestamp();
    json!({ "sub": sub, "iss": "grassroots", "aud": "grassroots", "exp": secs + exp_offset, "nbf": secs + nbf_offset, "iat": secs, "iat_ms": now.timestamp_millis(), "jti": "x" })
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

async fn status_with(app: &TestApp, token: &str) -> (StatusCode, String) {
    app.post(Some(token), ME, json!({})).await
}

#[tokio::test]
async fn login_refresh_logout() {
    let Some(app) = with_secret() else { return };
    app.account("ana", Role::Viewer, None);
    let resp = login(&app, "ana", PASSWORD).await;
    let payload = &resp["data"]["login"];
    assert_eq!(payload["account"]["username"], "ana", "{resp}");
    let access = payload["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    let refresh = payload["refreshToken"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    let me = app.gql_as(Some(&access), ME, json!({})).await;
    assert_eq!(
        me["data"]["me"]["grants"],
        json!([{ "role": "VIEWER", "regionWide": true }])
    );

    // Unknown user and wrong password look the same.
    let wrong = login(&app, "ana", "not the password").await;
    let unknown = login(&app, "nobody-here", "not the password").await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(code(&unknown), "UNAUTHENTICATED");

    // Rotation: the old refresh token works once.
    let rotated = app.gql_as(None, REFRESH, json!({ "t": refresh })).await;
    let next = rotated["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    // Presenting the old one again is theft: the whole chain is revoked.
    let replay = app.gql_as(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED");
    let after_theft = app.gql_as(None, REFRESH, json!({ "t": next })).await;
    assert_eq!(code(&after_theft), "UNAUTHENTICATED", "{after_theft}");

    // Logout ends a session.
    let fresh = login(&app, "ana", PASSWORD).await;
    let refresh = fresh["data"]["login"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let access = fresh["data"]["login"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    let logout = "mutation($t: String!) { logout(refreshToken: $t) }";
    // Another account cannot end it.
    let other = app.account("eli", Role::Viewer, None);
    let out = app
        .gql_as(Some(&other), logout, json!({ "t": refresh }))
        .await;
    assert_eq!(out["data"]["logout"], false);
    let out = app
        .gql_as(Some(&access), logout, json!({ "t": refresh }))
        .await;
    assert_eq!(out["data"]["logout"], true);
    assert_eq!(
        code(&app.gql_as(None, REFRESH, json!({ "t": refresh })).await),
        "UNAUTHENTICATED"
    );

    // Failed sign-ins are in the audit log.
    let log = app
        .ok(
            "{ auditLog(action: \"LOGIN_FAILED\") { totalCount nodes { username } } }",
            json!({}),
        )
        .await;
    assert_eq!(log["auditLog"]["totalCount"], 2);
}

#[tokio::test]
async fn changing_the_password_voids_every_token() {
    let Some(app) = with_secret() else { return };
    app.account("bob", Role::Viewer, None);
    let resp = login(&app, "bob", PASSWORD).await;
    let access = resp["data"]["login"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    let refresh = resp["data"]["login"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";
    let bad = app
        .gql_as(
            Some(&access),
            change,
            json!({ "c": "wrong wrong wrong", "n": "a brand new pass" }),
        )
        .await;
    assert_eq!(
        (code(&bad), bad["errors"][0]["extensions"]["field"].as_str()),
        ("BAD_USER_INPUT", Some("currentPassword"))
    );
    let short = app
        .gql_as(
            Some(&access),
            change,
            json!({ "c": PASSWORD, "n": "short" }),
        )
        .await;
    assert_eq!(
        (
            code(&short),
            short["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("newPassword"))
    );
    let ok = app
        .gql_as(
            Some(&access),
            change,
            json!({ "c": PASSWORD, "n": "a brand new pass" }),
        )
        .await;
    assert_eq!(ok["data"]["changePassword"], true, "{ok}");

    let (status, body) = status_with(&app, &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("UNAUTHENTICATED"));
    assert_eq!(
        code(&app.gql_as(None, REFRESH, json!({ "t": refresh })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(code(&login(&app, "bob", PASSWORD).await), "UNAUTHENTICATED");
    let again = login(&app, "bob", "a brand new pass").await;
    let access = again["data"]["login"]["accessToken"]
        .as_str()
        .expect("new access")
        .to_owned();
    assert_eq!(status_with(&app, &access).await.0, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.login_limit = 3) else {
        return;
    };
    app.account("cyd", Role::Viewer, None);
    for _ in 0..3 {
        assert_eq!(
            code(&login(&app, "cyd", "wrong password!").await),
            "UNAUTHENTICATED"
        );
    }
    assert_eq!(code(&login(&app, "cyd", PASSWORD).await), "RATE_LIMITED");
}

#[tokio::test]
async fn forged_and_stale_tokens_are_rejected() {
    let Some(app) = with_secret() else { return };
    let good = app.account("dee", Role::Viewer, None);
    assert_eq!(status_with(&app, &good).await.0, StatusCode::OK);
    let sub = {
        let payload = good.split('.').nth(1).expect("payload");
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
        claims["sub"].as_str().expect("sub").to_owned()
    };
    // The server's own secret, right claims: accepted (control).
    assert_eq!(
        status_with(&app, &hs256(&claims(&sub, 600, 0), SECRET.as_bytes()))
            .await
            .0,
        StatusCode::OK
    );

    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(&sub, 600, 0).to_string());
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        let mut c: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
        c["sub"] = json!("1");
        parts[1] = URL_SAFE_NO_PAD.encode(c.to_string());
        parts.join(".")
    };
    let mut wrong_iss = claims(&sub, 600, 0);
    wrong_iss["iss"] = json!("someone-else");
    let mut wrong_aud = claims(&sub, 600, 0);
    wrong_aud["aud"] = json!("another-app");
    let mut no_exp = claims(&sub, 600, 0);
    no_exp.as_object_mut().expect("object").remove("exp");
    let attacks = [
        ("alg none", format!("{header_none}.{body}.")),
        (
            "wrong key",
            hs256(
                &claims(&sub, 600, 0),
                b"another-secret-of-at-least-32-bytes!!",
            ),
        ),
        ("tampered payload", tampered),
        (
            "expired",
            hs256(&claims(&sub, -600, -1200), SECRET.as_bytes()),
        ),
        (
            "not yet valid",
            hs256(&claims(&sub, 1200, 600), SECRET.as_bytes()),
        ),
        ("wrong issuer", hs256(&wrong_iss, SECRET.as_bytes())),
        ("wrong audience", hs256(&wrong_aud, SECRET.as_bytes())),
        ("no expiry", hs256(&no_exp, SECRET.as_bytes())),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (name, token) in attacks {
        let (status, body) = status_with(&app, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
        assert!(body.contains("UNAUTHENTICATED"), "{name}: {body}");
    }
}

#[tokio::test]
async fn hs_rs_confusion_is_rejected() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let Some(app) = TestApp::spawn_with(|c| {
        c.auth.jwt_algorithm = Some("RS256".to_owned());
        c.auth.jwt_private_key_file = Some(format!("{dir}/rsa_private.pem").into());
        c.auth.jwt_public_key_file = Some(format!("{dir}/rsa_public.pem").into());
    }) else {
        return;
    };
    let good = app.account("eve", Role::Viewer, None);
    assert_eq!(status_with(&app, &good).await.0, StatusCode::OK);
    let public = std::fs::read(format!("{dir}/rsa_public.pem")).expect("public key");
    let payload = good.split('.').nth(1).expect("payload");
    let c: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
    // HMAC "signed" with the public key, which an attacker has.
    let forged = hs256(&c, &public);
    let (status, body) = status_with(&app, &forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn eddsa_key_files_sign_tokens() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let Some(app) = TestApp::spawn_with(|c| {
        c.auth.jwt_algorithm = Some("EdDSA".to_owned());
        c.auth.jwt_private_key_file = Some(format!("{dir}/ed_private.pem").into());
        c.auth.jwt_public_key_file = Some(format!("{dir}/ed_public.pem").into());
    }) else {
        return;
    };
    let token = app.account("fay", Role::Viewer, None);
    assert!(token.starts_with(&URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"EdDSA"}"#)[..10]));
    assert_eq!(status_with(&app, &token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn disabled_accounts_and_revoked_grants_stop_at_once() {
    let Some(app) = with_secret() else { return };
    let [t, ..] = app.chain("甲").await;
    let token = app.account("gus", Role::Viewer, Some(&t));
    let me = app
        .gql_as(Some(&token), "{ me { id grants { id } } }", json!({}))
        .await;
    let account_id = me["data"]["me"]["id"].as_str().expect("id").to_owned();
    let grant_id = me["data"]["me"]["grants"][0]["id"]
        .as_str()
        .expect("grant")
        .to_owned();
    let count = "{ orgUnits { totalCount } }";
    assert_eq!(
        app.gql_as(Some(&token), count, json!({})).await["data"]["orgUnits"]["totalCount"],
        5
    );

    app.ok(
        "mutation($g: ID!) { revokeRole(grantId: $g) { id } }",
        json!({ "g": grant_id }),
    )
    .await;
    assert_eq!(
        app.gql_as(Some(&token), count, json!({})).await["data"]["orgUnits"]["totalCount"],
        0
    );

    app.ok(
        "mutation($a: ID!, $s: ID) { grantRole(accountId: $a, role: VIEWER, scopeId: $s) { id } }",
        json!({ "a": account_id, "s": t }),
    )
    .await;
    assert_eq!(
        app.gql_as(Some(&token), count, json!({})).await["data"]["orgUnits"]["totalCount"],
        5
    );
    app.ok(
        "mutation($a: ID!) { disableAccount(id: $a) { disabled } }",
        json!({ "a": account_id }),
    )
    .await;
    assert_eq!(status_with(&app, &token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&login(&app, "gus", PASSWORD).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn anonymous_callers_may_only_sign_in_and_introspect() {
    let Some(app) = TestApp::spawn() else { return };
    let resp = app
        .gql_as(None, "{ orgUnits { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&resp), "UNAUTHENTICATED");
    let resp = app
        .gql_as(
            None,
            "mutation { createOrgUnit(input: { unitType: TOWNSHIP, name: \"x\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&resp), "UNAUTHENTICATED");
    let resp = app
        .gql_as(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(resp["data"]["__schema"]["queryType"]["name"], "Query");

    let Some(closed) = TestApp::spawn_with(|c| c.auth.anonymous_introspection = false) else {
        return;
    };
    let resp = closed
        .gql_as(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(code(&resp), "UNAUTHENTICATED");
    // A malformed Authorization header is a 401, not an anonymous call.
    let (status, body) = closed
        .post(Some("Basic abc"), "{ __typename }", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// `login` and `refreshToken` answer with the account as the new session
/// sees it: its grants and their scope units, not the anonymous caller's
/// nothing.
#[tokio::test]
async fn login_and_refresh_return_the_account_as_its_session_sees_it() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("甲").await;
    app.account("township-admin", Role::Admin, Some(&t));
    let q = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { refreshToken account { username grants { role scope { name } } } } }";
    let resp = app
        .gql_as(None, q, json!({ "u": "township-admin", "p": PASSWORD }))
        .await;
    let account = &resp["data"]["login"]["account"];
    assert_eq!(account["grants"][0]["role"], "ADMIN", "{resp}");
    assert_eq!(account["grants"][0]["scope"]["name"], "甲镇", "{resp}");
    let refresh = resp["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap_or_default();
    let q = "mutation($t: String!) { refreshToken(token: $t) { account { grants { scope { name } } } } }";
    let resp = app.gql_as(None, q, json!({ "t": refresh })).await;
    assert_eq!(
        resp["data"]["refreshToken"]["account"]["grants"][0]["scope"]["name"], "甲镇",
        "{resp}"
    );
}
