//! The HTTP half of `grassroots bench`: the server on a loopback port, and
//! a load generator holding a fixed number of keep-alive connections, each
//! sending the next request as soon as the last one is answered, for a
//! bounded time per query. Prints requests per second and p50/p99 latency
//! as the client sees it (HTTP, JSON and the token check included).

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::accounts::bootstrap;
use crate::auth::policy::Role;
use crate::state::AppState;

/// One query of the load test: a name and its GraphQL request bodies
/// (used in turn, so targets vary).
pub struct LoadQuery {
    pub name: &'static str,
    pub bodies: Vec<String>,
}

/// What one query achieved under load.
pub struct LoadFigures {
    pub name: &'static str,
    pub requests: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// A signed-in region ADMIN for the load test: the account is created
/// once (random password nobody needs), the token issued directly.
pub(super) fn bench_token(state: &AppState) -> anyhow::Result<String> {
    let username = "bench-load";
    let existing = state
        .db
        .read_blocking(|c| crate::accounts::store::find_by_username(c, username))?;
    let account = match existing {
        Some(a) => a,
        None => {
            let password = uuid::Uuid::new_v4().to_string();
            bootstrap::create_with_grant(
                &state.db,
                username,
                "负载测试",
                &password,
                Role::Admin,
                None,
            )?
        }
    };
    let (token, _) = state.auth.keys.issue(account.id, chrono::Utc::now())?;
    Ok(token)
}

/// Serves `state` on a loopback port, then runs each query for `seconds`
/// over `connections` connections.
pub async fn run(
    state: AppState,
    queries: Vec<LoadQuery>,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<Vec<LoadFigures>> {
    let token = Arc::new(format!("Bearer {}", bench_token(&state)?));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app =
        crate::http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url: Arc<str> = format!("http://{addr}/graphql").into();
    let mut out = Vec::new();
    for q in queries {
        let bodies: Arc<Vec<Bytes>> = Arc::new(q.bodies.into_iter().map(Bytes::from).collect());
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut workers = Vec::new();
        for w in 0..connections {
            let (bodies, token, url) = (bodies.clone(), token.clone(), url.clone());
            workers.push(tokio::spawn(async move {
                // One client per worker, at most one idle connection: a
                // worker keeps its one connection alive throughout.
                let client = Client::builder(TokioExecutor::new())
                    .pool_max_idle_per_host(1)
                    .build_http::<Full<Bytes>>();
                let mut times = Vec::new();
                let mut i = w;
                while Instant::now() < deadline {
                    let body = bodies[i % bodies.len()].clone();
                    i += connections;
                    let req = hyper::Request::post(&*url)
                        .header("content-type", "application/json")
                        .header("authorization", token.as_str())
                        .body(Full::new(body))?;
                    let sent = Instant::now();
                    let resp = client.request(req).await?;
                    let status = resp.status();
                    let bytes = resp.into_body().collect().await?.to_bytes();
                    times.push(sent.elapsed());
                    if !status.is_success() || bytes.starts_with(b"{\"data\":null") {
                        anyhow::bail!("{status}: {}", String::from_utf8_lossy(&bytes));
                    }
                }
                Ok::<_, anyhow::Error>(times)
            }));
        }
        let mut times = Vec::new();
        for w in workers {
            times.extend(w.await??);
        }
        let elapsed = started.elapsed().as_secs_f64();
        times.sort();
        let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        out.push(LoadFigures {
            name: q.name,
            requests: times.len(),
            per_second: times.len() as f64 / elapsed,
            p50: at(0.5),
            p99: at(0.99),
        });
    }
    server.abort();
    Ok(out)
}

/// Prints the load figures as a table.
pub fn print(backend: &str, connections: usize, seconds: f64, figures: &[LoadFigures]) {
    println!(
        "\nHTTP on loopback · backend {backend} · {connections} connections · {seconds} s per query · client-side latency"
    );
    println!(
        "{:<48} {:>10} {:>10} {:>10} {:>10}",
        "query", "requests", "req/s", "p50", "p99"
    );
    for f in figures {
        println!(
            "{:<48} {:>10} {:>10.0} {:>8.2}ms {:>8.2}ms",
            f.name,
            f.requests,
            f.per_second,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3
        );
    }
}

/// The dashboard queries under load: coverage and dashboard of the region
/// and of each sampled township, and a township's 24-month trend.
pub(super) fn dashboard_queries(townships: &[i64], trend_from: &str) -> Vec<LoadQuery> {
    use super::queries::{COVERAGE, DASHBOARD, TREND};
    use crate::graphql::ids::{encode, Kind};
    use serde_json::json;
    let body = |query: &str, vars: serde_json::Value| {
        json!({ "query": query, "variables": vars }).to_string()
    };
    let per_township = |query: &str, extra: serde_json::Value| -> Vec<String> {
        townships
            .iter()
            .map(|t| {
                let mut vars = extra.clone();
                vars["under"] = json!(encode(Kind::OrgUnit, *t).to_string());
                body(query, vars)
            })
            .collect()
    };
    vec![
        LoadQuery {
            name: "coverage of the whole region",
            bodies: vec![body(COVERAGE, json!({}))],
        },
        LoadQuery {
            name: "coverage of one township",
            bodies: per_township(COVERAGE, json!({})),
        },
        LoadQuery {
            name: "dashboard of the whole region",
            bodies: vec![body(DASHBOARD, json!({}))],
        },
        LoadQuery {
            name: "dashboard of one township",
            bodies: per_township(DASHBOARD, json!({})),
        },
        LoadQuery {
            name: "coverage trend, 24 months, one township",
            bodies: per_township(TREND, json!({ "from": trend_from })),
        },
    ]
}
