//! The `grassroots` command line: serve, migrate, schema, demo, bench.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::config::{AuthArgs, Config, DatabaseArgs, LogFormat, ServerArgs};
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

    #[command(flatten)]
    auth: AuthArgs,

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
    /// Import units or people from a .csv or .xlsx file (all rows or none;
    /// layouts in templates/ and the README).
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
}

#[derive(Subcommand, Debug)]
enum AccountCommand {
    /// Create an account with one grant; the password is read from a prompt,
    /// or from the first line of standard input when it is not a terminal.
    Create {
        #[arg(long)]
        username: String,
        /// Shown to others (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// VIEWER, MANAGER or ADMIN.
        #[arg(long)]
        role: String,
        /// `region`, or a unit's code or numeric id.
        #[arg(long)]
        scope: String,
    },
    /// List accounts with their grants.
    List,
    /// Disable an account (its tokens stop working).
    Disable {
        #[arg(long)]
        username: String,
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
    cors_origins: Vec<String>,
) -> anyhow::Result<Config> {
    Ok(Config {
        database: database.target()?,
        pool: database.pool(),
        cors_origins,
        auth: auth.clone(),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let config = config(&cli.database, &cli.auth, Vec::new())?;
            let db = crate::db::Db::connect(&config.database, &config.pool)?;
            let n = crate::migrate(&db)?;
            println!("{}: {n} migration(s) applied", config.database);
            Ok(())
        }
        Command::Demo { scale } => {
            let config = config(&cli.database, &cli.auth, Vec::new())?;
            let state = AppState::open(&config)?;
            let summary = demo::load(&state.db, scale)?;
            println!("{}: {summary}", config.database);
            Ok(())
        }
        Command::Serve { server, demo } => {
            let config = config(&cli.database, &cli.auth, server.cors_origins.clone())?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(serve(config, server, demo))
        }
        Command::Account(command) => {
            let config = config(&cli.database, &cli.auth, Vec::new())?;
            let state = AppState::open(&config)?;
            account_command(&state, command)
        }
        Command::Report(ReportCommand::Coverage { under, format, out }) => {
            let config = config(&cli.database, &cli.auth, Vec::new())?;
            let state = AppState::open(&config)?;
            let unit = under
                .as_deref()
                .map(|key| unit_by_key(&state, key))
                .transpose()?;
            let bytes = state.db.read_blocking(|c| {
                crate::report::CoverageReport::gather(
                    c,
                    &crate::auth::Visibility::Everything,
                    unit.as_ref(),
                    chrono::Utc::now(),
                )?
                .render(format)
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
            let config = config(&cli.database, &cli.auth, Vec::new())?;
            let state = AppState::open(&config)?;
            let name = file.display().to_string();
            let bytes = std::fs::read(&file)?;
            let viewer = crate::auth::Viewer::System;
            match crate::import::import_bytes(&state.db, &viewer, kind, &name, &bytes, dry_run) {
                Ok(report) => {
                    println!("{name}: {report}");
                    Ok(())
                }
                Err(crate::AppError::Rejected { message, problems }) => {
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
            let config = config(&cli.database, &cli.auth, Vec::new())?;
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
        "grassroots listening on http://{}/ (GraphiQL), GraphQL at /graphql",
        listener.local_addr()?
    );
    let app = crate::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    println!("grassroots stopped");
    Ok(())
}

/// The unit with this numeric id or code.
fn unit_by_key(state: &AppState, key: &str) -> anyhow::Result<crate::domain::OrgUnit> {
    let visibility = crate::auth::Visibility::Everything;
    let unit = state.db.read_blocking(|c| match key.parse::<i64>() {
        Ok(id) => crate::tree::read::find(c, &visibility, id),
        Err(_) => crate::tree::read::find_by_code(c, &visibility, key),
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

fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn account_command(state: &AppState, command: AccountCommand) -> anyhow::Result<()> {
    use crate::accounts::{bootstrap, grants, store};
    use crate::auth::policy::Role;
    match command {
        AccountCommand::Create {
            username,
            display_name,
            role,
            scope,
        } => {
            let role = Role::parse(&role.to_uppercase())
                .ok_or_else(|| anyhow::anyhow!("role must be VIEWER, MANAGER or ADMIN"))?;
            let scope_id = if scope == "region" {
                None
            } else {
                Some(unit_by_key(state, &scope)?.id)
            };
            let password = read_password()?;
            let display = display_name.unwrap_or_else(|| username.clone());
            let account = bootstrap::create_with_grant(
                &state.db, &username, &display, &password, role, scope_id,
            )?;
            println!(
                "created {} ({}) as {} of {}",
                account.username,
                account.id,
                role.as_str(),
                scope
            );
            Ok(())
        }
        AccountCommand::List => {
            let rows = state.db.read_blocking(|c| {
                let accounts = store::list_all(c)?;
                let mut out = Vec::new();
                for a in accounts {
                    let g = grants::rows_of(c, a.id)?;
                    out.push((a, g));
                }
                Ok(out)
            })?;
            for (a, g) in rows {
                let grants: Vec<String> = g
                    .iter()
                    .map(|g| {
                        format!(
                            "{}@{}",
                            g.role,
                            g.scope_unit_id
                                .map_or("region".to_owned(), |id| id.to_string())
                        )
                    })
                    .collect();
                println!(
                    "{:<20} {:<6} {}",
                    a.username,
                    if a.disabled { "off" } else { "on" },
                    grants.join(", ")
                );
            }
            Ok(())
        }
        AccountCommand::Disable { username } => {
            let account = state
                .db
                .read_blocking(|c| store::find_by_username(c, &username))?
                .ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
            state.db.write_blocking(|c| {
                store::set_disabled(c, account.id, true)?;
                state.auth.void_all(c, account.id, chrono::Utc::now())
            })?;
            println!("disabled {username}");
            Ok(())
        }
    }
}
