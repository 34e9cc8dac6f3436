//! The `grassroots` command line: serve, migrate, schema, demo, bench.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, DatabaseArgs, LogFormat, ServerArgs};
use crate::{bench, demo, graphql, AppState};

#[derive(Parser, Debug)]
#[command(
    name = "grassroots",
    version,
    about = "GraphQL server for the five-level organization tree of grassroots governance"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,

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
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn config(db: &DatabaseArgs, cors_origins: Vec<String>) -> anyhow::Result<Config> {
    Ok(Config {
        database: db.target()?,
        pool: db.pool(),
        cors_origins,
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let config = config(&cli.database, Vec::new())?;
            let db = crate::db::Db::connect(&config.database, &config.pool)?;
            let n = db.migrate()?;
            println!("{}: {n} migration(s) applied", config.database);
            Ok(())
        }
        Command::Demo { scale } => {
            let config = config(&cli.database, Vec::new())?;
            let state = AppState::open(&config)?;
            let summary = demo::load(&state.db, scale)?;
            println!("{}: {summary}", config.database);
            Ok(())
        }
        Command::Serve { server, demo } => {
            let config = config(&cli.database, server.cors_origins.clone())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(serve(config, server, demo))
        }
        Command::Bench(args) => {
            let config = config(&cli.database, Vec::new())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(bench::run(config, args))
        }
    }
}

async fn serve(config: Config, server: ServerArgs, load_demo: bool) -> anyhow::Result<()> {
    let state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || AppState::open(&config)).await??
    };
    println!("database: {} ({})", config.database, state.db.backend());
    if load_demo {
        let db = state.db.clone();
        match tokio::task::spawn_blocking(move || demo::load(&db, 1)).await? {
            Ok(summary) => println!("loaded {summary}"),
            Err(crate::AppError::Conflict { .. }) => {
                println!("demo: the database already holds units; left as it is")
            }
            Err(e) => return Err(e.into()),
        }
    }
    let listener = tokio::net::TcpListener::bind(server.listen).await?;
    println!(
        "grassroots listening on http://{}/ (GraphiQL), GraphQL at /graphql",
        listener.local_addr()?
    );
    axum::serve(listener, crate::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    println!("grassroots stopped");
    Ok(())
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
