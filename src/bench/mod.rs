//! `grassroots bench`: server time of the typical reads and writes on a
//! generated tree, printed as median and p99 (not a timed test); then the
//! dashboard queries through HTTP under concurrent load ([`http`]).

mod http;
mod import;
mod queries;

use queries::*;

use std::time::Instant;

use async_graphql::{Request, Variables};
use diesel::dsl::count_star;
use diesel::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use std::sync::Arc;

use crate::auth::policy::{Grant, Role, Scope};
use crate::auth::{Session, Viewer, Visibility};
use crate::config::Config;
use crate::db::schema::org_units::dsl as u;
use crate::db::Db;
use crate::graphql::ids::{encode, Kind};
use crate::graphql::RequestContext;
use crate::{demo, AppState};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Demo scale to generate when the database is empty (25 ≈ 1.1 M units).
    #[arg(long, default_value_t = 25)]
    pub scale: u32,
    /// Timed runs per scenario (after 10 % as many warm-up runs).
    #[arg(long, default_value_t = 300)]
    pub iterations: usize,
    /// Seconds of HTTP load per query (0: skip the load test).
    #[arg(long, default_value_t = 5.0)]
    pub http_seconds: f64,
    /// Concurrent keep-alive connections of the load test.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Run only the scenarios whose name contains one of these words
    /// (comma-separated, e.g. `--only move,create`); default: all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Timed runs of the 100,000-row import (each a dry run).
    #[arg(long, default_value_t = 3)]
    pub import_runs: usize,
}

fn sample_ids(db: &Db, level: i32, n: usize, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<i64>> {
    let (lo, hi): (Option<i64>, Option<i64>) = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(level))
            .select((diesel::dsl::min(u::id), diesel::dsl::max(u::id)))
            .first(c)?)
    })?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        anyhow::bail!("no units at level {level}");
    };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let from = rng.random_range(lo..=hi);
        let id: i64 = db.read_blocking(|c| {
            Ok(u::org_units
                .filter(u::level.eq(level).and(u::id.ge(from)))
                .filter(u::dissolved_on.is_null())
                .select(u::id)
                .order(u::id)
                .first(c)?)
        })?;
        out.push(id);
    }
    Ok(out)
}

/// One request of a scenario: who asks, what, with which variables.
type Run = (Viewer, &'static str, serde_json::Value);

async fn time_runs(
    state: &AppState,
    only: &[String],
    name: &'static str,
    iterations: usize,
    mut next: impl FnMut(usize) -> Run,
) -> anyhow::Result<Option<Figures>> {
    if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
        return Ok(None);
    }
    let warmup = iterations / 10;
    let mut times = Vec::with_capacity(iterations);
    for i in 0..warmup + iterations {
        let (viewer, query, vars) = next(i);
        let request = Request::new(query)
            .variables(Variables::from_json(vars))
            .data(RequestContext::new(state.db.clone(), viewer));
        let started = Instant::now();
        let resp = state.schema.execute(request).await;
        let elapsed = started.elapsed();
        if !resp.errors.is_empty() {
            anyhow::bail!("{name}: {:?}", resp.errors);
        }
        if i >= warmup {
            times.push(elapsed);
        }
    }
    Ok(Some(figures(name, times)))
}

/// A signed-in ADMIN of one township, as the server sees them once the
/// token is resolved (grants cached).
fn township_admin(db: &Db, township: i64) -> anyhow::Result<Viewer> {
    let unit = db
        .read_blocking(|c| crate::tree::read::find(c, &Visibility::Everything, township))?
        .ok_or_else(|| anyhow::anyhow!("township {township} vanished"))?;
    Ok(Viewer::Account(Arc::new(Session {
        account_id: 0,
        username: "bench-admin".to_owned(),
        grants: vec![Grant {
            id: 0,
            role: Role::Admin,
            scope: Scope::Unit((&unit).into()),
        }],
        tokens_valid_after_ms: 0,
    })))
}

/// Loads the tree if needed, runs every scenario, prints the figures.
pub async fn run(config: Config, args: BenchArgs) -> anyhow::Result<()> {
    let state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || AppState::open(&config)).await??
    };
    let db = state.db.clone();
    let units: i64 = db.read_blocking(|c| Ok(u::org_units.select(count_star()).first(c)?))?;
    if units == 0 {
        let db = db.clone();
        let scale = args.scale;
        let summary = tokio::task::spawn_blocking(move || demo::load(&db, scale)).await??;
        println!("{summary}");
    } else {
        println!("using the {units} units already in {}", config.database);
    }
    let units: i64 = db.read_blocking(|c| Ok(u::org_units.select(count_star()).first(c)?))?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = args.iterations.max(10);
    let townships = sample_ids(&db, 1, 64, &mut rng)?;
    let villages = sample_ids(&db, 2, 256, &mut rng)?;
    let teams = sample_ids(&db, 5, 256, &mut rng)?;
    let admins: Vec<Viewer> = townships
        .iter()
        .map(|t| township_admin(&db, *t))
        .collect::<anyhow::Result<_>>()?;
    let id = |n: i64| json!(encode(Kind::OrgUnit, n).to_string());
    let region = || Viewer::System;

    let mut results = Vec::new();
    results.extend(
        time_runs(
            &state,
            &args.only,
            "page of 50 under a township, with totalCount",
            n,
            |i| {
                (
                    region(),
                    PAGE_UNDER,
                    json!({ "under": id(townships[i % townships.len()]) }),
                )
            },
        )
        .await?,
    );
    // The same pages, each asked by that township's own ADMIN: the scope
    // becomes part of the SQL.
    results.extend(
        time_runs(
            &state,
            &args.only,
            "the same, as that township's ADMIN",
            n,
            |i| {
                let k = i % townships.len();
                (
                    admins[k].clone(),
                    PAGE_UNDER,
                    json!({ "under": id(townships[k]) }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "page of 50 under a village, with totalCount",
            n,
            |i| {
                (
                    region(),
                    PAGE_UNDER,
                    json!({ "under": id(villages[i % villages.len()]) }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "ancestors of a volunteer team",
            n,
            |i| {
                (
                    region(),
                    ANCESTORS,
                    json!({ "id": id(teams[i % teams.len()]) }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "coverage of the whole region",
            n,
            |_| (region(), COVERAGE, json!({})),
        )
        .await?,
    );
    results.extend(
        time_runs(&state, &args.only, "coverage of one township", n, |i| {
            (
                region(),
                COVERAGE,
                json!({ "under": id(townships[i % townships.len()]) }),
            )
        })
        .await?,
    );
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Months::new(12);
    let trend_from = (today - chrono::Months::new(23)).to_string();
    results.extend(
        time_runs(
            &state,
            &args.only,
            "coverage of the region, a year ago (asOf)",
            n,
            |_| {
                (
                    region(),
                    COVERAGE_AS_OF,
                    json!({ "asOf": year_ago.to_string() }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "coverage of one township, a year ago",
            n,
            |i| {
                let under = id(townships[i % townships.len()]);
                (
                    region(),
                    COVERAGE_AS_OF,
                    json!({ "under": under, "asOf": year_ago.to_string() }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "dashboard of the whole region",
            n,
            |_| (region(), DASHBOARD, json!({})),
        )
        .await?,
    );
    results.extend(
        time_runs(&state, &args.only, "dashboard of one township", n, |i| {
            (
                region(),
                DASHBOARD,
                json!({ "under": id(townships[i % townships.len()]) }),
            )
        })
        .await?,
    );
    for (name, query) in [
        ("staffing summary of the whole region", STAFFING),
        ("secretary statistics of the whole region", SECRETARIES),
    ] {
        results.extend(
            time_runs(&state, &args.only, name, n, |_| {
                (region(), query, json!({}))
            })
            .await?,
        );
    }
    for (name, query) in [
        ("staffing summary of one township", STAFFING),
        ("secretary statistics of one township", SECRETARIES),
    ] {
        results.extend(
            time_runs(&state, &args.only, name, n, |i| {
                (
                    region(),
                    query,
                    json!({ "under": id(townships[i % townships.len()]) }),
                )
            })
            .await?,
        );
    }
    results.extend(
        time_runs(
            &state,
            &args.only,
            "coverage trend, 24 months, whole region",
            n,
            |_| (region(), TREND, json!({ "from": trend_from })),
        )
        .await?,
    );
    results.extend(
        time_runs(
            &state,
            &args.only,
            "coverage trend, 24 months, one township",
            n,
            |i| {
                let under = id(townships[i % townships.len()]);
                (
                    region(),
                    TREND,
                    json!({ "under": under, "from": trend_from }),
                )
            },
        )
        .await?,
    );
    results.extend(
        time_runs(&state, &args.only, "create a grid", n, |i| {
            let parent = id(villages[i % villages.len()]);
            (
                region(),
                CREATE,
                json!({ "parent": parent, "name": format!("压测网格{i}") }),
            )
        })
        .await?,
    );
    let grids = sample_ids(&db, 3, 256, &mut rng)?;
    results.extend(
        time_runs(
            &state,
            &args.only,
            "change a grid's organization form",
            n,
            |i| {
                // Each grid flips between two forms, never to or from AFFILIATED.
                let form = if (i / grids.len()) % 2 == 0 {
                    "BRANCH"
                } else {
                    "PARTY_GROUP"
                };
                (
                    region(),
                    FORM,
                    json!({ "id": id(grids[i % grids.len()]), "form": form }),
                )
            },
        )
        .await?,
    );
    // Villages of other townships, each moved back and forth between two
    // townships (never to where it already is).
    let (a, b) = (townships[1], townships[2]);
    let movers: Vec<i64> = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(2))
            .filter(u::township_id.ne(a).and(u::township_id.ne(b)))
            .filter(u::dissolved_on.is_null())
            .select(u::id)
            .order(u::id)
            .limit(64)
            .load::<i64>(c)?)
    })?;
    results.extend(
        time_runs(
            &state,
            &args.only,
            "move a village to another township",
            n,
            |i| {
                let village = movers[i % movers.len()];
                let to = if (i / movers.len()) % 2 == 0 { a } else { b };
                (region(), MOVE, json!({ "id": id(village), "to": id(to) }))
            },
        )
        .await?,
    );
    let import_name = "import 100,000 people from CSV (dry run)";
    if args.only.iter().any(|w| import_name.contains(w.as_str())) || args.only.is_empty() {
        results.push(import::time_import(&db, args.import_runs).await?);
    }
    println!(
        "\nbackend {} · {units} units · {n} runs per scenario (import: {}) · server time (schema execution)",
        db.backend(),
        args.import_runs
    );
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "scenario", "median", "p99", "mean"
    );
    for f in &results {
        println!(
            "{:<48} {:>8.3}ms {:>8.3}ms {:>8.3}ms",
            f.name,
            f.median.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.mean.as_secs_f64() * 1e3
        );
    }
    let median_of = |name: &str| {
        results
            .iter()
            .find(|f| f.name.starts_with(name))
            .map(|f| f.median)
    };
    if let (Some(region), Some(scoped)) = (
        median_of("page of 50 under a township"),
        median_of("the same, as that township's ADMIN"),
    ) {
        let overhead = scoped.as_secs_f64() / region.as_secs_f64() - 1.0;
        println!(
            "access-check overhead, scoped ADMIN vs region (medians): {:+.1} %",
            overhead * 100.0
        );
    }
    if args.http_seconds > 0.0 {
        let body = |query: &str, vars: serde_json::Value| {
            json!({ "query": query, "variables": vars }).to_string()
        };
        let per_township = |query: &str, extra: serde_json::Value| -> Vec<String> {
            townships
                .iter()
                .map(|t| {
                    let mut vars = extra.clone();
                    vars["under"] = id(*t);
                    body(query, vars)
                })
                .collect()
        };
        let queries = vec![
            http::LoadQuery {
                name: "coverage of the whole region",
                bodies: vec![body(COVERAGE, json!({}))],
            },
            http::LoadQuery {
                name: "coverage of one township",
                bodies: per_township(COVERAGE, json!({})),
            },
            http::LoadQuery {
                name: "dashboard of the whole region",
                bodies: vec![body(DASHBOARD, json!({}))],
            },
            http::LoadQuery {
                name: "dashboard of one township",
                bodies: per_township(DASHBOARD, json!({})),
            },
            http::LoadQuery {
                name: "coverage trend, 24 months, one township",
                bodies: per_township(TREND, json!({ "from": trend_from })),
            },
        ];
        let figures =
            http::run(state.clone(), queries, args.connections, args.http_seconds).await?;
        http::print(
            &db.backend().to_string(),
            args.connections,
            args.http_seconds,
            &figures,
        );
    }
    Ok(())
}
