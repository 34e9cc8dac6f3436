//! Subscriptions to grassroots work: each summary first as it stands,
//! then after each change beneath the subscribed scope.

use grassroots::auth::policy::Role;
use serde_json::json;

use crate::common::TestApp;
use crate::live::{ready, Socket};

/// Waits for subscription `id` to send `want` as `field` (the other
/// subscriptions of the socket may speak first, and more than once).
async fn until(s: &mut Socket, id: &str, field: &str, want: serde_json::Value) {
    loop {
        let msg = s.about(id).await;
        assert!(msg["close"].is_null(), "{msg}");
        if msg["payload"]["data"][field] == want {
            return;
        }
    }
}

#[tokio::test]
async fn work_summaries_come_first_then_after_each_change() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("甲").await;
    let volunteer = crate::service::person(&app, &b, "志愿者").await;
    let viewer = app.account("work-viewer", Role::Viewer, Some(&t));
    let addr = app.serve().await;
    let mut s = Socket::signed_in(addr, &viewer).await;
    let range = json!({ "u": t, "f": "2024-01-01", "t": "2024-12-31" });
    s.subscribe(
        "s",
        "subscription($u: ID, $f: Date!, $t: Date!) { serviceChanged(under: $u, from: $f, to: $t) { activities volunteersActive } }",
        range.clone(),
    )
    .await;
    assert_eq!(
        s.data().await["serviceChanged"],
        json!({ "activities": 0, "volunteersActive": 0 })
    );
    s.subscribe(
        "p",
        "subscription($u: ID, $f: Date!, $t: Date!) { problemsChanged(under: $u, from: $f, to: $t) { received open } }",
        range,
    )
    .await;
    assert_eq!(
        s.data().await["problemsChanged"],
        json!({ "received": 0, "open": 0 })
    );
    s.subscribe(
        "e",
        "subscription($u: ID) { economyChanged(under: $u, year: 2024) { withFigure weak } }",
        json!({ "u": t }),
    )
    .await;
    assert_eq!(
        s.data().await["economyChanged"],
        json!({ "withFigure": 0, "weak": 0 })
    );
    ready(&app.state.live, 3).await;
    app.ok(
        crate::service::ACTIVITY,
        json!({ "i": { "unitId": team, "heldOn": "2024-03-02", "category": "SANITATION", "title": "清扫", "place": "院落", "residentsServed": 3, "participants": [{ "personId": volunteer, "hours": 2.0 }] } }),
    )
    .await;
    until(
        &mut s,
        "s",
        "serviceChanged",
        json!({ "activities": 1, "volunteersActive": 1 }),
    )
    .await;
    app.ok(
        crate::service::REPORT,
        json!({ "i": { "unitId": g, "channel": "HOTLINE", "category": "DISPUTE", "description": "纠纷", "reporterName": "李某", "receivedAt": "2024-04-01T08:00:00Z" } }),
    )
    .await;
    until(
        &mut s,
        "p",
        "problemsChanged",
        json!({ "received": 1, "open": 1 }),
    )
    .await;
    app.ok(
        crate::service::INCOME,
        json!({ "i": { "unitId": v, "year": 2024, "incomeYuan": 30000 } }),
    )
    .await;
    until(
        &mut s,
        "e",
        "economyChanged",
        json!({ "withFigure": 1, "weak": 1 }),
    )
    .await;
}
