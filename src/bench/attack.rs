//! The load check of the anonymous budget: while `attackers` anonymous
//! keep-alive connections send the costliest requests the anonymous budget
//! allows (GraphiQL's introspection query, and sign-ins with wrong
//! passwords and ever new usernames), each from a loopback address of its
//! own (so per-address limits do not hide the cost), one signed-in
//! connection reads
//! dashboards. Its latency is measured alone first, then under attack, in
//! one run; the target is a p99 under 20 ms under attack.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

use super::http::LoadQuery;
use super::queries::INTROSPECTION;
use crate::state::AppState;

/// What the signed-in reader saw, and what the attackers got through.
pub struct AttackFigures {
    pub alone_p50: Duration,
    pub alone_p99: Duration,
    pub attacked_p50: Duration,
    pub attacked_p99: Duration,
    pub reads_alone: usize,
    pub reads_attacked: usize,
    pub attack_requests: usize,
    pub attack_refused: usize,
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// A keep-alive client, connecting from `source` (a loopback address of
/// its own, so each attacker counts as a different client).
fn client(source: Option<std::net::IpAddr>) -> HttpClient {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_local_address(source);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build(connector)
}

async fn send(
    client: &HttpClient,
    url: &str,
    token: Option<&str>,
    body: Bytes,
) -> anyhow::Result<(hyper::StatusCode, Bytes)> {
    let mut req = hyper::Request::post(url).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", t);
    }
    let resp = client.request(req.body(Full::new(body))?).await?;
    let status = resp.status();
    Ok((status, resp.into_body().collect().await?.to_bytes()))
}

/// The signed-in reader: dashboards in turn until `deadline`.
async fn read(
    url: Arc<str>,
    token: Arc<str>,
    bodies: Arc<Vec<Bytes>>,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let client = client(None);
    let mut times = Vec::new();
    let mut i = 0;
    while Instant::now() < deadline {
        let sent = Instant::now();
        let (status, bytes) = send(
            &client,
            &url,
            Some(&token),
            bodies[i % bodies.len()].clone(),
        )
        .await?;
        times.push(sent.elapsed());
        if !status.is_success() || bytes.starts_with(b"{\"data\":null") {
            anyhow::bail!("{status}: {}", String::from_utf8_lossy(&bytes));
        }
        i += 1;
    }
    Ok(times)
}

/// One attacker: introspection and wrong sign-ins in turn until `deadline`;
/// returns (requests, refused as over budget or rate).
async fn attack(url: Arc<str>, me: usize, deadline: Instant) -> anyhow::Result<(usize, usize)> {
    // 127.0.0.10, 127.0.0.11, …: sixteen clients, as a spread-out attack.
    let source = std::net::IpAddr::from([127, 0, 0, 10 + (me % 200) as u8]);
    let client = client(Some(source));
    let introspection = Bytes::from(json!({ "query": INTROSPECTION }).to_string());
    let (mut sent, mut refused) = (0, 0);
    while Instant::now() < deadline {
        let body = if sent % 2 == 0 {
            introspection.clone()
        } else {
            let login = "mutation($u: String!) { login(username: $u, password: \"not-the-password\") { accessToken } }";
            Bytes::from(
                json!({ "query": login, "variables": { "u": format!("attacker-{me}-{sent}") } })
                    .to_string(),
            )
        };
        let (_, bytes) = send(&client, &url, None, body).await?;
        sent += 1;
        let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let code = &answer["errors"][0]["extensions"]["code"];
        refused += usize::from(code == "RATE_LIMITED" || code == "BAD_USER_INPUT");
    }
    Ok((sent, refused))
}

fn quantile(times: &mut [Duration], q: f64) -> Duration {
    times.sort();
    times
        .get(((times.len().max(1) as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

/// Serves `state` on loopback and runs the check: `seconds` alone, then
/// `seconds` with `attackers` anonymous connections.
pub async fn run(
    state: AppState,
    reads: LoadQuery,
    attackers: usize,
    seconds: f64,
) -> anyhow::Result<AttackFigures> {
    let token: Arc<str> = format!("Bearer {}", super::http::bench_token(&state)?).into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app =
        crate::http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url: Arc<str> = format!("http://{addr}/graphql").into();
    let bodies: Arc<Vec<Bytes>> = Arc::new(reads.bodies.into_iter().map(Bytes::from).collect());
    let span = Duration::from_secs_f64(seconds);

    let mut alone = read(
        url.clone(),
        token.clone(),
        bodies.clone(),
        Instant::now() + span,
    )
    .await?;
    let deadline = Instant::now() + span;
    let mut attacks = Vec::new();
    for me in 0..attackers {
        attacks.push(tokio::spawn(attack(url.clone(), me, deadline)));
    }
    let mut attacked = read(url, token, bodies, deadline).await?;
    let (mut attack_requests, mut attack_refused) = (0, 0);
    for a in attacks {
        let (sent, refused) = a.await??;
        attack_requests += sent;
        attack_refused += refused;
    }
    server.abort();
    Ok(AttackFigures {
        alone_p50: quantile(&mut alone, 0.5),
        alone_p99: quantile(&mut alone, 0.99),
        attacked_p50: quantile(&mut attacked, 0.5),
        attacked_p99: quantile(&mut attacked, 0.99),
        reads_alone: alone.len(),
        reads_attacked: attacked.len(),
        attack_requests,
        attack_refused,
    })
}

/// Prints the figures.
pub fn print(backend: &str, attackers: usize, seconds: f64, f: &AttackFigures) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\nunder attack · backend {backend} · {attackers} anonymous connections (introspection + wrong sign-ins) · {seconds} s each phase"
    );
    println!(
        "signed-in dashboard reads alone:        {:>7} reads, p50 {:.2} ms, p99 {:.2} ms",
        f.reads_alone,
        ms(f.alone_p50),
        ms(f.alone_p99)
    );
    println!(
        "signed-in dashboard reads under attack: {:>7} reads, p50 {:.2} ms, p99 {:.2} ms (target p99 < 20 ms; ×{:.2} of alone)",
        f.reads_attacked,
        ms(f.attacked_p50),
        ms(f.attacked_p99),
        ms(f.attacked_p99) / ms(f.alone_p99).max(1e-9)
    );
    println!(
        "attack requests: {} ({:.0}/s), {} refused (rate-limited or over budget); the rest answered in full",
        f.attack_requests,
        f.attack_requests as f64 / seconds,
        f.attack_refused
    );
}
