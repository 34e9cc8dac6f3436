//! The live half of `grassroots bench`: many open subscriptions on a
//! loopback server, one write a second, and the delay from each write's
//! commit to its delivery on every socket (p50, p99, max), with the memory
//! the open sockets take.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::http::bench_token;
use crate::audit::Actor;
use crate::auth::Viewer;
use crate::graphql::ids::{encode, Kind};
use crate::ids::UnitId;
use crate::state::AppState;
use crate::tree::write::{self, UnitPatch};

/// What the live scenario measured.
pub struct LiveFigures {
    pub subscriptions: usize,
    pub writes: usize,
    pub deliveries: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Resident memory the open sockets added, in MiB (Linux only).
    pub socket_mib: Option<f64>,
}

/// Resident set size of this process, in KiB.
fn rss_kib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Opens `subscriptions` sockets, each following `unitChanged` under
/// `township`; renames that township once a second, `writes` times.
pub async fn run(
    state: AppState,
    township: i64,
    subscriptions: usize,
    writes: usize,
) -> anyhow::Result<LiveFigures> {
    let token = bench_token(&state)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::http::router(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let before = rss_kib();
    let base = state.live.subscribers();
    let arrivals: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::default();
    let query = "subscription($u: ID) { unitChanged(under: $u) { unit { name } } }";
    let under = encode(Kind::OrgUnit, township).to_string();
    let mut sockets = Vec::with_capacity(subscriptions);
    for _ in 0..subscriptions {
        let mut request = format!("ws://{addr}/graphql/ws").into_client_request()?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        let init = json!({ "type": "connection_init", "payload": { "token": token } });
        ws.send(Message::text(init.to_string())).await?;
        let sub = json!({ "id": "1", "type": "subscribe",
            "payload": { "query": query, "variables": { "u": under } } });
        ws.send(Message::text(sub.to_string())).await?;
        let arrivals = arrivals.clone();
        sockets.push(tokio::spawn(async move {
            let mut got = 0;
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                let name = value["payload"]["data"]["unitChanged"]["unit"]["name"].as_str();
                if let Some(i) = name.and_then(|n| n.rsplit('#').next()?.parse().ok()) {
                    if let Ok(mut a) = arrivals.lock() {
                        a.push((i, Instant::now()));
                    }
                    got += 1;
                    if got == writes {
                        break;
                    }
                }
            }
        }));
    }
    // Every socket has its receiver and its subscription in place.
    tokio::time::timeout(
        Duration::from_secs(120),
        state.live.wait_for_subscribers(base + 2 * subscriptions),
    )
    .await
    .map_err(|_| anyhow::anyhow!("subscriptions did not open in time"))?;
    let socket_mib = rss_kib()
        .zip(before)
        .map(|(after, before)| (after - before) / 1024.0);

    let original = state
        .db
        .read_blocking(move |c| {
            crate::tree::read::find(c, &crate::auth::Visibility::Everything, township)
        })?
        .ok_or_else(|| anyhow::anyhow!("township {township} vanished"))?
        .name;
    let mut committed = Vec::with_capacity(writes);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for i in 0..writes {
        tick.tick().await;
        let name = format!("{original}#{i}");
        state
            .db
            .write(move |c| {
                let patch = UnitPatch {
                    name: Some(name),
                    ..UnitPatch::default()
                };
                let actor = Actor::new(&Viewer::System, crate::graphql::context::now(), None);
                write::update(c, &actor, UnitId(township), patch)
            })
            .await?;
        committed.push(Instant::now());
    }
    for s in sockets {
        tokio::time::timeout(Duration::from_secs(60), s)
            .await
            .map_err(|_| anyhow::anyhow!("a subscriber missed a write"))??;
    }
    // The township gets its name back.
    state
        .db
        .write(move |c| {
            let actor = Actor::new(&Viewer::System, crate::graphql::context::now(), None);
            let patch = UnitPatch {
                name: Some(original),
                ..UnitPatch::default()
            };
            write::update(c, &actor, UnitId(township), patch)
        })
        .await?;

    let arrivals = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    let mut delays: Vec<Duration> = arrivals
        .iter()
        .filter_map(|(i, at)| committed.get(*i).map(|c| at.saturating_duration_since(*c)))
        .collect();
    delays.sort();
    anyhow::ensure!(!delays.is_empty(), "nothing was delivered");
    let at = |p: f64| delays[((delays.len() as f64 - 1.0) * p).round() as usize];
    Ok(LiveFigures {
        subscriptions,
        writes,
        deliveries: delays.len(),
        p50: at(0.5),
        p99: at(0.99),
        max: at(1.0),
        socket_mib,
    })
}

pub fn print(backend: &str, f: &LiveFigures) {
    println!(
        "\nlive updates · {backend} · {} subscriptions (one socket each) · {} writes, one a second",
        f.subscriptions, f.writes
    );
    println!(
        "delivered {} of {} · commit → delivery p50 {:.2}ms · p99 {:.2}ms · max {:.2}ms{}",
        f.deliveries,
        f.subscriptions * f.writes,
        f.p50.as_secs_f64() * 1e3,
        f.p99.as_secs_f64() * 1e3,
        f.max.as_secs_f64() * 1e3,
        f.socket_mib
            .map(|m| format!(" · open sockets: {m:.1} MiB"))
            .unwrap_or_default()
    );
}
