//! `grassroots bench`: server time of the typical reads and writes on a
//! generated tree, printed as median and p99 (not a timed test); then the
//! dashboard queries through HTTP under concurrent load ([`http`]). Writes
//! are in [`writes`], the import in [`import`].

mod attack;
mod harness;
mod http;
mod import;
mod live;
mod points;
pub mod queries;
mod work;
mod writes;

use harness::{sample_ids, time_runs, township_admin};

use queries::*;

use diesel::dsl::count_star;
use diesel::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::auth::Viewer;
use crate::config::Config;
use crate::db::schema::org_units::dsl as u;
use crate::graphql::ids::{encode, Kind};
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
    /// Open subscriptions of the live scenario (one socket each).
    #[arg(long, default_value_t = 1000)]
    pub subscriptions: usize,
    /// Writes of the live scenario, one a second (0: skip it).
    #[arg(long, default_value_t = 20)]
    pub live_writes: usize,
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
    for (name, query) in queries::REGION_READS {
        results.extend(
            time_runs(&state, &args.only, name, n, |_| {
                (region(), query, json!({}))
            })
            .await?,
        );
    }
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
    results.extend(writes::run(&state, &args.only, n, (&townships, &villages), &mut rng).await?);
    results.extend(points::run(&state, &args.only, n).await?);
    results.extend(work::run(&state, &args.only, n).await?);
    let import_wanted = import::NAMES
        .iter()
        .any(|name| args.only.iter().any(|w| name.contains(w.as_str())));
    if import_wanted || args.only.is_empty() {
        results.extend(import::time_import(&db, args.import_runs).await?);
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
    let live_wanted = args.only.is_empty() || args.only.iter().any(|w| "live".contains(w.as_str()));
    if args.live_writes > 0 && live_wanted {
        let township = *townships
            .first()
            .ok_or_else(|| anyhow::anyhow!("no township"))?;
        let figures = live::run(
            state.clone(),
            township,
            args.subscriptions,
            args.live_writes,
        )
        .await?;
        live::print(&db.backend().to_string(), &figures);
    }
    if args.http_seconds > 0.0 {
        let queries = http::dashboard_queries(&townships, &trend_from);
        let figures =
            http::run(state.clone(), queries, args.connections, args.http_seconds).await?;
        http::print(
            &db.backend().to_string(),
            args.connections,
            args.http_seconds,
            &figures,
        );
        if let Some((primary, standbys)) = state.db.replica_reads() {
            println!(
                "\nread replicas: the primary served {primary} routed reads, the standbys {standbys:?}"
            );
        }
        {
            let reads = http::dashboard_queries(&townships, &trend_from)
                .into_iter()
                .find(|q| q.name == "dashboard of one township")
                .ok_or_else(|| anyhow::anyhow!("no dashboard query"))?;
            let figures =
                attack::run(state.clone(), reads, args.connections, args.http_seconds).await?;
            attack::print(
                &db.backend().to_string(),
                args.connections,
                args.http_seconds,
                &figures,
            );
        }
    }
    Ok(())
}
