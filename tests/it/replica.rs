//! Read replicas against a real standby (`.ci/standby`): an instance with
//! `GRASSROOTS_READ_REPLICA_URLS` reads what another instance wrote from
//! the standby; a session reads its own writes back from the primary while
//! they are fresh, and later from a standby only once it has replayed
//! them; a standby that is behind or down sends reads to the primary; and
//! `/readyz` reports each standby's lag.

use std::time::Duration;

use axum::http::StatusCode;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

use grassroots::auth::policy::Role;
use grassroots::db::{DatabaseTarget, PoolOptions, FRESH_FOR};

use crate::common::{TestApp, TestDb};

const NAME: &str = "query($id: ID!) { node(id: $id) { ... on OrgUnit { name } } }";

/// (reads the primary served, reads the standby served) so far.
fn reads(app: &TestApp) -> (u64, u64) {
    let (primary, standbys) = app.state.db.replica_reads().unwrap_or_default();
    (primary, standbys.first().copied().unwrap_or(0))
}

fn options(standby: &DatabaseTarget, fresh_for: Duration) -> PoolOptions {
    PoolOptions {
        max_connections: 4,
        read_replicas: vec![standby.clone()],
        fresh_for,
        ..PoolOptions::default()
    }
}

/// Replay paused on the standby until dropped.
struct Paused(String);

impl Paused {
    fn new(standby: &DatabaseTarget) -> Paused {
        let DatabaseTarget::Postgres(url) = standby else {
            panic!("a PostgreSQL standby")
        };
        let mut c = PgConnection::establish(url).expect("standby");
        c.batch_execute("SELECT pg_wal_replay_pause()")
            .expect("pause replay");
        Paused(url.clone())
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        if let Ok(mut c) = PgConnection::establish(&self.0) {
            let _ = c.batch_execute("SELECT pg_wal_replay_resume()");
        }
    }
}

async fn name(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let d = app.gql_as(token, NAME, json!({ "id": id })).await;
    d["data"]["node"]["name"].clone()
}

#[tokio::test]
async fn reads_go_to_the_standby_and_sessions_read_their_own_writes() {
    let Some((test_db, standby)) = TestDb::replicated() else {
        return;
    };
    let primary = test_db.target.clone();
    let writer = TestApp::spawn_on(test_db, |_| {}).expect("instance A");
    let reader = writer.another_instance(primary.clone(), options(&standby, FRESH_FOR), |_| {});

    // What A wrote, B reads from the standby (commits wait for the
    // standby to apply them).
    let [t, ..] = writer.chain("甲").await;
    let before = reads(&reader);
    assert_eq!(name(&reader, Some(&reader.token), &t).await, "甲镇");
    let after = reads(&reader);
    assert_eq!(after.0, before.0, "no read went to the primary");
    assert!(after.1 > before.1, "the standby served the read");

    // A session that just wrote through B reads from the primary.
    let v = reader
        .create(
            json!({ "parentId": t, "unitType": "VILLAGE", "name": "乙村", "orgForm": "BRANCH" }),
        )
        .await;
    let before = reads(&reader);
    assert_eq!(name(&reader, Some(&reader.token), &v).await, "乙村");
    let after = reads(&reader);
    assert!(
        after.0 > before.0,
        "fresh writes are read back from the primary"
    );
    assert_eq!(after.1, before.1);

    // Commits that do not wait for the standby, and no freshness window:
    // a standby serves a writer only once it has replayed the write.
    let lax = writer
        .test_db
        .url_with("-csynchronous_commit%3Dlocal")
        .expect("postgres url");
    let eager = writer.another_instance(lax, options(&standby, Duration::ZERO), |_| {});
    let viewer = eager.account("viewer", Role::Viewer, None);
    assert_eq!(name(&eager, Some(&viewer), &t).await, "甲镇");
    let paused = Paused::new(&standby);
    let late = eager
        .create(
            json!({ "parentId": t, "unitType": "VILLAGE", "name": "丙村", "orgForm": "BRANCH" }),
        )
        .await;
    let before = reads(&eager);
    assert_eq!(
        name(&eager, Some(&eager.token), &late).await,
        "丙村",
        "the writer reads its write"
    );
    let after = reads(&eager);
    assert!(
        after.0 > before.0,
        "from the primary: the standby is behind"
    );
    assert_eq!(
        name(&eager, Some(&viewer), &late).await,
        Value::Null,
        "another session reads the standby, which has not replayed it yet"
    );
    drop(paused);

    // B's readiness reports the standby and its lag.
    let (status, body) = reader.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let ready: Value = serde_json::from_str(&body).expect("json readiness");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["replicas"][0]["reachable"], true, "{ready}");
    assert!(ready["replicas"][0]["lagBytes"].is_u64(), "{ready}");
    assert!(!ready["replicas"][0]["url"]
        .as_str()
        .unwrap_or_default()
        .is_empty());

    // A standby that is down: reads go to the primary, readiness says so.
    let nowhere = DatabaseTarget::parse("postgres://postgres@127.0.0.1:1/test").expect("url");
    let stranded = writer.another_instance(primary, options(&nowhere, FRESH_FOR), |_| {});
    assert_eq!(name(&stranded, Some(&stranded.token), &t).await, "甲镇");
    assert!(reads(&stranded).0 > 0);
    let (status, body) = stranded.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let ready: Value = serde_json::from_str(&body).expect("json readiness");
    assert_eq!(ready["replicas"][0]["reachable"], false, "{ready}");
}
