//! The `grassroots` command line: serve, migrate, schema, demo, bench,
//! report, import (accounts in `account.rs`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{AuthArgs, Config, DatabaseArgs, LimitArgs, LogFormat, ServerArgs};
use crate::{bench, demo, graphql, AppState};

mod account;

use account::{account_command, AccountCommand};

#[derive(Parser, Debug)]
#[command(
    name = "grassroots",
    version,
    about = "GraphQL server for the five-level organization tree of grassroots governance"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,

    #[command(flatten)]
    auth: AuthArgs,

    #[command(flatten)]
    limits: LimitArgs,

    /// The county's time zone (IANA name): report times and the day in
    /// report file names.
    #[arg(
        long,
        env = "GRASSROOTS_TIME_ZONE",
        default_value = "Asia/Shanghai",
        global = true
    )]
    time_zone: chrono_tz::Tz,

    /// The region's name (e.g. 新化县), in the title and file name of
    /// reports of the whole region (`serve --demo`: the demo county's).
    #[arg(long, env = "GRASSROOTS_REGION_NAME", global = true)]
    region_name: Option<String>,

    /// Log format.
    #[arg(
        long,
        env = "GRASSROOTS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server (migrating the database first).
    Serve {
        #[command(flatten)]
        server: ServerArgs,
        /// Load the demo county first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Load the demo county into the (empty) configured database.
    Demo {
        /// Copies of the county to generate (25 gives over a million units).
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Measure server time of the typical reads and a move on a generated tree.
    Bench(bench::BenchArgs),
    /// Manage accounts (bootstrap the first ADMIN).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Write a report as a file.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Import units, people, households, point records or village incomes from a .csv or
    /// .xlsx file (all rows or none; layouts in templates/ and the README).
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: crate::import::ImportKind,
        /// The file (.csv in UTF-8 or GBK, or .xlsx: its first sheet).
        file: std::path::PathBuf,
        /// Check every row and report what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// The coverage report (党组织覆盖情况统计表): a sheet or section per
    /// level with per-type rows and the gap list.
    Coverage {
        /// Report beneath this unit (its code or numeric id); default: the region.
        #[arg(long)]
        under: Option<String>,
        /// File format.
        #[arg(long, value_enum, default_value = "xlsx")]
        format: crate::report::Format,
        /// Where to write it.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The people export (人员名册): one row per post held, in the import's
    /// columns.
    People {
        /// People of this unit and beneath it (its code or numeric id); default: all.
        #[arg(long)]
        under: Option<String>,
        /// File format.
        #[arg(long, value_enum, default_value = "xlsx")]
        format: crate::report::Format,
        /// Where to write it.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // A benchmark logs warnings only (unless RUST_LOG says otherwise): a
    // line per request would be measured along with the requests.
    let default_filter = match cli.command {
        Command::Bench(_) => "warn",
        _ => "info,tower_http=info",
    };
    init_tracing(cli.log_format, default_filter);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn config(
    database: &DatabaseArgs,
    auth: &AuthArgs,
    limits: &LimitArgs,
    (time_zone, region_name): (chrono_tz::Tz, Option<String>),
    cors_origins: Vec<String>,
) -> anyhow::Result<Config> {
    Ok(Config {
        time_zone,
        region_name: region_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        database: database.target()?,
        pool: database.pool()?,
        cors_origins,
        auth: auth.clone(),
        limits: limits.limits(),
        metrics_token: limits.metrics_token.clone().filter(|t| !t.is_empty()),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = |cors_origins: Vec<String>| {
        config(
            &cli.database,
            &cli.auth,
            &cli.limits,
            (cli.time_zone, cli.region_name.clone()),
            cors_origins,
        )
    };
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let config = settings(Vec::new())?;
            let db = crate::db::Db::connect(&config.database, &config.pool)?;
            let n = crate::state::migrate(&db)?;
            println!("{}: {n} migration(s) applied", config.database);
            Ok(())
        }
        Command::Demo { scale } => {
            let config = settings(Vec::new())?;
            let state = AppState::open(&config)?;
            let summary = demo::load(&state.db, scale)?;
            println!("{}: {summary}", config.database);
            Ok(())
        }
        Command::Serve { server, demo } => {
            let config = settings(server.cors_origins.clone())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(serve(config, server, demo))
        }
        Command::Account(command) => {
            let config = settings(Vec::new())?;
            let state = AppState::open(&config)?;
            account_command(&state, command)
        }
        Command::Report(command) => {
            let config = settings(Vec::new())?;
            let state = AppState::open(&config)?;
            let (ReportCommand::Coverage { under, format, out }
            | ReportCommand::People { under, format, out }) = &command;
            let unit = under
                .as_deref()
                .map(|key| unit_by_key(&state, key))
                .transpose()?;
            let (unit, format, out) = (unit.as_ref(), *format, out.clone());
            let now = chrono::Utc::now();
            let region = config.region_name.as_deref();
            let bytes = state.db.read_blocking(|c| match command {
                ReportCommand::Coverage { .. } => {
                    let everything = crate::auth::Visibility::Everything;
                    let scope = crate::report::scope_name(c, &everything, unit, region)?;
                    crate::report::CoverageReport::gather(c, &everything, unit, scope, now)?
                        .in_zone(config.time_zone)
                        .render(format)
                }
                ReportCommand::People { .. } => crate::report::people::PeopleExport::gather(
                    c,
                    &crate::auth::Viewer::System,
                    unit,
                    now.date_naive(),
                )?
                .render(format),
            })?;
            std::fs::write(&out, &bytes)?;
            println!("{}: {} bytes", out.display(), bytes.len());
            Ok(())
        }
        Command::Import {
            kind,
            file,
            dry_run,
        } => {
            let config = settings(Vec::new())?;
            let state = AppState::open(&config)?;
            let name = file.display().to_string();
            let bytes = std::fs::read(&file)?;
            let viewer = crate::auth::Viewer::System;
            match crate::import::import_bytes(&state.db, &viewer, kind, &name, &bytes, dry_run) {
                Ok(report) => {
                    println!("{name}: {report}");
                    Ok(())
                }
                Err(crate::error::AppError::Rejected { message, problems }) => {
                    eprintln!("{name}: {message}");
                    for p in problems {
                        eprintln!(
                            "  row {:>6}  {:<22} {:<24} {}",
                            p.row,
                            p.column,
                            format!("{:?}", p.value),
                            p.message
                        );
                    }
                    anyhow::bail!("import rejected")
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Bench(args) => {
            let config = settings(Vec::new())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(bench::run(config, args))
        }
    }
}

async fn serve(config: Config, server: ServerArgs, load_demo: bool) -> anyhow::Result<()> {
    let mut state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || AppState::open(&config)).await??
    };
    if load_demo && state.region_name.is_none() {
        // The demo is a county: its reports say which.
        state.region_name = Some(std::sync::Arc::from(demo::names::COUNTY_NAME));
    }
    println!("database: {} ({})", config.database, state.db.backend());
    if load_demo {
        let db = state.db.clone();
        match tokio::task::spawn_blocking(move || demo::load(&db, 1)).await? {
            Ok(summary) => println!("loaded {summary}"),
            Err(crate::error::AppError::Conflict { .. }) => {
                println!("demo: the database already holds units; left as it is")
            }
            Err(e) => return Err(e.into()),
        }
        let (password, generated) = match std::env::var("GRASSROOTS_DEMO_PASSWORD") {
            Ok(p) if !p.is_empty() => (p, false),
            _ => (crate::auth::token::random_token()[..16].to_owned(), true),
        };
        let db = state.db.clone();
        let pw = password.clone();
        match tokio::task::spawn_blocking(move || {
            crate::accounts::bootstrap::demo_accounts(&db, &pw)
        })
        .await?
        {
            Ok(accounts) => {
                println!(
                    "demo accounts (password {}):",
                    if generated {
                        password.as_str()
                    } else {
                        "from GRASSROOTS_DEMO_PASSWORD"
                    }
                );
                for (username, role, scope) in accounts {
                    println!("  {username:<14} {:<8} {scope}", role.as_str());
                }
                if generated {
                    println!("  (accounts that existed before keep their old password)");
                }
            }
            Err(e) => println!("demo accounts not created: {e}"),
        }
    }
    let listener = tokio::net::TcpListener::bind(server.listen).await?;
    println!(
        "grassroots listening on http://{}/ (GraphiQL), GraphQL at /graphql, dashboard at /dashboard",
        listener.local_addr()?
    );
    let app =
        crate::http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    println!("grassroots stopped");
    Ok(())
}

/// The unit with this numeric id or code.
fn unit_by_key(state: &AppState, key: &str) -> anyhow::Result<crate::domain::OrgUnit> {
    let visibility = crate::auth::Visibility::Everything;
    // Codes are usually all digits (431322004201): a code first, then an id.
    let unit = state.db.read_blocking(|c| {
        match crate::tree::read::find_by_code(c, &visibility, key)? {
            Some(unit) => Ok(Some(unit)),
            None => match key.parse::<i64>() {
                Ok(id) => crate::tree::read::find(c, &visibility, id),
                Err(_) => Ok(None),
            },
        }
    })?;
    unit.ok_or_else(|| anyhow::anyhow!("no unit with id or code {key}"))
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
