//! Two instances of the app on one PostgreSQL database, as a county or a
//! province runs them behind a load balancer: an access change made
//! through one holds on the other at once, not when its cache expires.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use grassroots::auth::policy::Role;
use grassroots::db::PoolOptions;

use crate::common::TestApp;

const COUNT: &str = "{ orgUnits { totalCount } }";

/// Two instances configured alike on one PostgreSQL test database; `None`
/// on SQLite (a SQLite database is one instance's).
fn two_instances(configure: fn(&mut grassroots::Config)) -> Option<(TestApp, TestApp)> {
    let a = TestApp::spawn_with(configure)?;
    if !a.test_db.is_postgres() {
        eprintln!(
            "skipped: several instances share a PostgreSQL database (SQLite is one instance's)"
        );
        return None;
    }
    let options = PoolOptions {
        max_connections: 4,
        ..PoolOptions::default()
    };
    let b = a.another_instance(a.test_db.target.clone(), options, configure);
    Some((a, b))
}

#[tokio::test]
async fn a_revocation_through_one_instance_holds_on_the_other_at_once() {
    // Caches that would otherwise keep a revoked grant for an hour.
    let hour = |c: &mut grassroots::Config| c.auth.grants_cache = 3_600;
    let Some((a, b)) = two_instances(hour) else {
        return;
    };
    let [t, ..] = a.chain("甲").await;
    let viewer = a.account("gus", Role::Viewer, Some(&t));
    let me = b
        .gql_as(Some(&viewer), "{ me { id grants { id } } }", json!({}))
        .await;
    let grant = me["data"]["me"]["grants"][0]["id"].clone();
    let account = me["data"]["me"]["id"].clone();
    let seen = b.gql_as(Some(&viewer), COUNT, json!({})).await;
    assert_eq!(seen["data"]["orgUnits"]["totalCount"], 5, "{seen}");

    // B hears A's commits; the revocation goes through A.
    let mut forgotten = b.state.auth.forgotten.subscribe();
    forgotten.mark_unchanged();
    let _listening = b.state.db.commits().subscribe();
    tokio::time::timeout(Duration::from_secs(10), b.state.db.commits().heard())
        .await
        .expect("B listens for commits");
    a.ok(
        "mutation($g: ID!) { revokeRole(grantId: $g) { id } }",
        json!({ "g": grant }),
    )
    .await;
    let count = || async {
        b.gql_as(Some(&viewer), COUNT, json!({})).await["data"]["orgUnits"]["totalCount"].clone()
    };
    // Each time B forgets cached access (earlier changes may be heard
    // first), it reads the viewer's grants again.
    tokio::time::timeout(Duration::from_secs(10), async {
        while count().await != 0 {
            let _ = forgotten.changed().await;
        }
    })
    .await
    .expect("B heard the revocation");

    // A disabled account is refused on B at once too.
    let mut forgotten = b.state.auth.forgotten.subscribe();
    forgotten.mark_unchanged();
    a.ok(
        "mutation($a: ID!) { disableAccount(id: $a) { disabled } }",
        json!({ "a": account }),
    )
    .await;
    tokio::time::timeout(Duration::from_secs(10), async {
        while b.post(Some(&viewer), COUNT, json!({})).await.0 != StatusCode::UNAUTHORIZED {
            let _ = forgotten.changed().await;
        }
    })
    .await
    .expect("B heard the account disabled");
}

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }";

async fn login_code(app: &TestApp, password: &str) -> String {
    let resp = app
        .gql_as(None, LOGIN, json!({ "u": "gus", "p": password }))
        .await;
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK")
        .to_owned()
}

#[tokio::test]
async fn sign_in_limits_count_the_attempts_of_every_instance() {
    let four = |c: &mut grassroots::Config| c.auth.login_limit = 4;
    let Some((a, b)) = two_instances(four) else {
        return;
    };
    a.account("gus", Role::Viewer, None);
    // Four wrong passwords, two through each instance: each instance has
    // seen only two, the limit of four is reached all the same.
    for app in [&a, &b, &a, &b] {
        assert_eq!(login_code(app, "wrong").await, "UNAUTHENTICATED");
    }
    for app in [&a, &b] {
        assert_eq!(
            login_code(app, crate::common::PASSWORD).await,
            "RATE_LIMITED"
        );
    }
}
