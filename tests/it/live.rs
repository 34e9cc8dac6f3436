//! Subscriptions over `/graphql/ws` (graphql-transport-ws), through a real
//! socket: scope filtering, aggregates, the audit feed, authentication and
//! closing, and (on PostgreSQL) delivery across instances.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{TestApp, PASSWORD};
use grassroots::auth::policy::Role;

/// Longest a test waits for a message before it fails (a guard against a
/// hang, not a synchronization: every wait ends on a message).
const GUARD: Duration = Duration::from_secs(20);

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The upgrade request of `/graphql/ws`, offering graphql-transport-ws.
fn upgrade(
    addr: std::net::SocketAddr,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    request
}

pub struct Socket(Ws);

impl Socket {
    /// Connects and sends `connection_init` with `payload`.
    async fn open(addr: std::net::SocketAddr, payload: Value) -> Socket {
        let (mut ws, _) = tokio_tungstenite::connect_async(upgrade(addr))
            .await
            .expect("socket opens");
        ws.send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .expect("init sent");
        Socket(ws)
    }

    /// Connects with `token` and waits for `connection_ack`.
    pub async fn signed_in(addr: std::net::SocketAddr, token: &str) -> Socket {
        let mut s = Socket::open(addr, json!({ "Authorization": format!("Bearer {token}") })).await;
        assert_eq!(s.next().await["type"], "connection_ack");
        s
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let msg = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
        self.0
            .send(Message::text(msg.to_string()))
            .await
            .expect("subscribe sent");
    }

    /// The next message; `{"close": code}` when the server closed.
    async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(GUARD, self.0.next())
                .await
                .expect("a message in time");
            match msg {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).expect("json"),
                Some(Ok(Message::Close(frame))) => {
                    return json!({ "close": frame.as_ref().map(|f| u16::from(f.code)), "reason": frame.map(|f| f.reason.to_string()) })
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return json!({ "close": null, "error": e.to_string() }),
                None => return json!({ "close": null }),
            }
        }
    }

    /// The next message about subscription `id` other than `complete`.
    pub async fn about(&mut self, id: &str) -> Value {
        loop {
            let msg = self.next().await;
            if msg["id"] == id && msg["type"] != "complete" || !msg["close"].is_null() {
                return msg;
            }
        }
    }

    /// The next `next` payload's data.
    pub async fn data(&mut self) -> Value {
        let msg = self.next().await;
        assert_eq!(msg["type"], "next", "{msg}");
        assert!(msg["payload"]["errors"].is_null(), "{msg}");
        msg["payload"]["data"].clone()
    }
}

/// Waits (within the guard) until `n` receivers listen and commits are heard.
pub async fn ready(live: &grassroots::live::Live, n: usize) {
    tokio::time::timeout(GUARD, live.wait_for_subscribers(n))
        .await
        .expect("subscriptions in place in time");
}

const UNIT_CHANGED: &str =
    "subscription($u: ID) { unitChanged(under: $u) { kind unitId unit { name } } }";
const RENAME: &str =
    "mutation($id: ID!, $n: String!) { updateOrgUnit(id: $id, input: { name: $n }) { id } }";

#[tokio::test]
async fn unit_changes_reach_the_subscribers_whose_scope_holds_them() {
    let Some(app) = TestApp::spawn() else { return };
    let [ta, _, ga, ..] = app.chain("甲").await;
    let [tb, _, gb, ..] = app.chain("乙").await;
    let viewer_a = app.account("viewer-a", Role::Viewer, Some(&ta));
    let addr = app.serve().await;
    let base = app.state.live.subscribers();

    let mut a = Socket::signed_in(addr, &viewer_a).await;
    a.subscribe("1", UNIT_CHANGED, json!({})).await;
    let mut root = Socket::signed_in(addr, &app.token).await;
    root.subscribe("1", UNIT_CHANGED, json!({ "u": tb })).await;
    // Two sockets (one receiver each) and two subscriptions.
    ready(&app.state.live, base + 4).await;

    // Outside A's scope first: A's first message must be its own change.
    app.ok(RENAME, json!({ "id": gb, "n": "乙网格（新）" }))
        .await;
    app.ok(RENAME, json!({ "id": ga, "n": "甲网格（新）" }))
        .await;

    let got = a.data().await["unitChanged"].clone();
    assert_eq!(got["kind"], "UPDATED");
    assert_eq!(got["unitId"], ga.as_str());
    assert_eq!(got["unit"]["name"], "甲网格（新）");
    let got = root.data().await["unitChanged"].clone();
    assert_eq!(got["unitId"], gb.as_str(), "root asked for 乙 only");

    // A move out of A's scope is told once more, without the unit.
    let [_, vb, ..] = app.chain("丙").await;
    app.ok(
        "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }",
        json!({ "id": ga, "p": vb }),
    )
    .await;
    let got = a.data().await["unitChanged"].clone();
    assert_eq!(got["kind"], "MOVED");
    assert_eq!(got["unitId"], ga.as_str());
    assert!(got["unit"].is_null(), "{got}");
}

#[tokio::test]
async fn coverage_comes_first_as_it_stands_then_after_each_change() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, ..] = app.chain("甲").await;
    let manager = app.account("mgr", Role::Manager, Some(&t));
    let addr = app.serve().await;
    let mut s = Socket::signed_in(addr, &manager).await;
    s.subscribe(
        "c",
        "subscription($u: ID) { coverageChanged(under: $u) { total covered gaps } }",
        json!({ "u": t }),
    )
    .await;
    // The village, grid and courtyard group beneath the township.
    let first = s.data().await["coverageChanged"].clone();
    assert_eq!(first["total"], 3, "{first}");
    ready(&app.state.live, 1).await;
    assert_eq!(first["gaps"], 0);

    // A grid without a party organization is a gap.
    app.create(
        json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "新网格", "orgForm": "NONE" }),
    )
    .await;
    let next = s.data().await["coverageChanged"].clone();
    assert_eq!(next["total"], 4, "{next}");
    assert_eq!(next["gaps"], 1);
}

#[tokio::test]
async fn points_come_first_as_they_stand_then_after_each_record() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, _, b, _] = app.chain("积").await;
    let (_, items) = crate::points::adopted_list(&app, &v).await;
    let h = crate::points::household(&app, &b, "1号").await;
    let village = app.account("points-mgr", Role::Manager, Some(&v));
    let viewer = app.account("points-viewer", Role::Viewer, Some(&t));
    let addr = app.serve().await;
    let mut s = Socket::signed_in(addr, &viewer).await;
    s.subscribe(
        "p",
        "subscription($u: ID) { pointsChanged(under: $u, year: 2024) { households scored added } }",
        json!({ "u": t }),
    )
    .await;
    let first = s.data().await["pointsChanged"].clone();
    assert_eq!(first, json!({ "households": 1, "scored": 0, "added": 0 }));
    ready(&app.state.live, 1).await;
    let r = app
        .gql_as(
            Some(&village),
            crate::points::RECORD,
            json!({ "h": h, "i": crate::points::item(&items, "XL1"), "on": "2024-05-01" }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let next = s.data().await["pointsChanged"].clone();
    assert_eq!(next, json!({ "households": 1, "scored": 1, "added": 10 }));
}

#[tokio::test]
async fn staffing_and_the_audit_feed_follow_the_same_policy_as_queries() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, _, g, ..] = app.chain("甲").await;
    let [other, ..] = app.chain("乙").await;
    let admin = app.account("admin-t", Role::Admin, Some(&t));
    let viewer = app.account("viewer-t", Role::Viewer, Some(&t));
    let addr = app.serve().await;

    // A VIEWER may not follow the audit log; nobody follows another scope.
    let mut v = Socket::signed_in(addr, &viewer).await;
    v.subscribe("a", "subscription { auditAppended { action } }", json!({}))
        .await;
    let refused = v.about("a").await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    v.subscribe(
        "b",
        "subscription($u: ID) { staffingChanged(under: $u) { rule count } }",
        json!({ "u": other }),
    )
    .await;
    let refused = v.about("b").await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );

    let mut s = Socket::signed_in(addr, &admin).await;
    let base = app.state.live.subscribers();
    s.subscribe(
        "a",
        "subscription($u: ID) { auditAppended(under: $u) { action target } }",
        json!({ "u": t }),
    )
    .await;
    ready(&app.state.live, base + 1).await;
    app.ok(RENAME, json!({ "id": other, "n": "乙镇（外）" }))
        .await;
    app.ok(RENAME, json!({ "id": g, "n": "甲网格（新）" }))
        .await;
    let line = s.data().await["auditAppended"].clone();
    assert_eq!(line["action"], "UPDATE_UNIT");
    assert_eq!(
        line["target"],
        g.as_str(),
        "the other township's line is not sent"
    );

    s.subscribe(
        "s",
        "subscription($u: ID) { staffingChanged(under: $u) { rule count } }",
        json!({ "u": t }),
    )
    .await;
    let rules = s.data().await["staffingChanged"].clone();
    assert!(rules.as_array().is_some_and(|r| !r.is_empty()), "{rules}");
}

#[tokio::test]
async fn a_socket_must_sign_in_and_is_closed_when_its_session_ends() {
    let Some(app) = TestApp::spawn() else { return };
    let addr = app.serve().await;

    // No token, or a bad one: refused (4403).
    let mut s = Socket::open(addr, json!({})).await;
    let closed = s.next().await;
    assert_eq!(closed["close"], 4403, "{closed}");
    let mut s = Socket::open(addr, json!({ "token": "not-a-token" })).await;
    assert_eq!(s.next().await["close"], 4403);

    // Signed in through `login`: `logout` ends the session and the socket.
    app.account("ana", Role::Viewer, None);
    let login = app
        .ok(
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }",
            json!({ "u": "ana", "p": PASSWORD }),
        )
        .await;
    let access = login["login"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let refresh = login["login"]["refreshToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut s = Socket::signed_in(addr, &access).await;
    // The socket follows changes (and hears them) before the logout.
    ready(&app.state.live, 1).await;
    let resp = app
        .gql_as(
            Some(&access),
            "mutation($t: String!) { logout(refreshToken: $t) }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(resp["data"]["logout"], true, "{resp}");
    assert_eq!(s.next().await["close"], 4403);
}

#[tokio::test]
async fn a_socket_is_closed_when_its_token_expires() {
    // Access tokens that live two seconds.
    let Some(app) = TestApp::spawn_with(|c| c.auth.access_token_ttl = 2) else {
        return;
    };
    let addr = app.serve().await;
    let token = app.account("brief", Role::Viewer, None);
    let mut s = Socket::signed_in(addr, &token).await;
    let closed = s.next().await;
    assert_eq!(closed["close"], 4401, "{closed}");
}

#[tokio::test]
async fn subscriptions_per_socket_are_limited() {
    let Some(app) = TestApp::spawn_with(|c| c.limits.socket_subscriptions = 2) else {
        return;
    };
    let addr = app.serve().await;
    let mut s = Socket::signed_in(addr, &app.token).await;
    for id in ["1", "2", "3"] {
        s.subscribe(id, UNIT_CHANGED, json!({})).await;
    }
    assert_eq!(s.next().await["close"], 4429);
}

/// Two instances on one PostgreSQL: a write on one reaches a subscriber of
/// the other (LISTEN/NOTIFY after commit).
#[tokio::test]
async fn every_instance_delivers_every_event_on_postgres() {
    let Some(app) = TestApp::spawn() else { return };
    if !app.test_db.is_postgres() {
        return;
    }
    let [t, ..] = app.chain("甲").await;
    let other_db =
        grassroots::db::Db::connect(&app.test_db.target, &Default::default()).expect("second pool");
    let config = grassroots::Config::for_database(app.test_db.target.clone());
    let other = grassroots::AppState::with_db(other_db, &config).expect("second instance");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().expect("address");
    let router = grassroots::router(other.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut s = Socket::signed_in(addr, &app.token).await;
    s.subscribe("1", UNIT_CHANGED, json!({ "u": t })).await;
    ready(&other.live, 2).await;
    app.ok(RENAME, json!({ "id": t, "n": "甲镇（新）" })).await;
    let got = s.data().await["unitChanged"].clone();
    assert_eq!(got["unit"]["name"], "甲镇（新）");
}

#[tokio::test]
async fn the_graphiql_subscription_examples_run() {
    let Some(app) = TestApp::spawn() else { return };
    app.chain("甲").await;
    let (_, examples) = app.get("/graphiql/examples.json").await;
    let examples: Vec<Value> = serde_json::from_str(&examples).expect("examples.json");
    let subscriptions: Vec<&str> = examples
        .iter()
        .filter_map(|e| e["query"].as_str())
        .filter(|q| crate::graphiql::is_subscription(q))
        .collect();
    assert!(!subscriptions.is_empty(), "GraphiQL offers a subscription");
    let addr = app.serve().await;
    let mut s = Socket::signed_in(addr, &app.token).await;
    for (i, query) in subscriptions.into_iter().enumerate() {
        s.subscribe(&i.to_string(), query, json!({})).await;
        // Aggregates come first as they stand.
        s.data().await;
    }
}

/// A grant given to (or taken from) a signed-in account changes what its
/// socket may see: the socket is closed (4403) so the client reconnects
/// with the new scope, rather than go on with the old one.
#[tokio::test]
async fn a_socket_is_closed_when_its_account_gets_a_new_grant() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("甲").await;
    let viewer = app.account("ana", Role::Viewer, Some(&t));
    let addr = app.serve().await;
    let me = app.gql_as(Some(&viewer), "{ me { id } }", json!({})).await;
    let account = me["data"]["me"]["id"].clone();
    let mut s = Socket::signed_in(addr, &viewer).await;
    // The socket's own receiver is in place before the grant.
    ready(&app.state.live, 1).await;
    app.ok(
        "mutation($a: ID!, $r: Role!, $s: ID) { grantRole(accountId: $a, role: $r, scopeId: $s) { id } }",
        json!({ "a": account, "r": "MANAGER", "s": t }),
    )
    .await;
    let closed = s.next().await;
    assert_eq!(closed["close"], 4403, "{closed}");
}

/// A socket opens before it signs in, so opening one counts as a request
/// without a token from its address: past the per-address limit, the
/// upgrade is refused (429) before any socket exists.
#[tokio::test]
async fn opening_sockets_counts_against_the_anonymous_limit() {
    let Some(app) = TestApp::spawn_with(|c| c.auth.anonymous_per_minute = 2) else {
        return;
    };
    let addr = app.serve().await;
    let open = || tokio_tungstenite::connect_async(upgrade(addr));
    let _first = open().await.expect("first socket");
    let _second = open().await.expect("second socket");
    match open().await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 429)
        }
        other => panic!("a third socket opened: {:?}", other.map(|_| ())),
    }
}
