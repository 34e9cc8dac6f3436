//! Typed configuration, from environment variables and matching flags.
//! Every variable is listed in the README.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::db::{DatabaseTarget, PoolOptions};
use crate::limits::Limits;

/// Where the data lives (shared by every subcommand).
#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://PATH`, a bare path, `sqlite::memory:`, or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://grassroots.db",
        global = true
    )]
    pub database_url: String,

    /// Most connections the pool opens.
    #[arg(
        long,
        env = "GRASSROOTS_DB_POOL_SIZE",
        default_value_t = 16,
        global = true
    )]
    pub db_pool_size: u32,

    /// Log every SQL statement slower than this many milliseconds (its
    /// text only, never the bound values); unset or 0 logs none.
    #[arg(long, env = "GRASSROOTS_SLOW_STATEMENT_MS", global = true)]
    pub slow_statement_ms: Option<f64>,

    /// PostgreSQL standbys (streaming replicas of `DATABASE_URL`) for the
    /// API's reads, comma-separated; writes and a session's reads just
    /// after its writes stay on the primary.
    #[arg(
        long,
        env = "GRASSROOTS_READ_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true,
        global = true
    )]
    pub read_replica_urls: Vec<String>,
}

impl DatabaseArgs {
    pub fn target(&self) -> anyhow::Result<DatabaseTarget> {
        DatabaseTarget::parse(&self.database_url).map_err(anyhow::Error::msg)
    }

    pub fn pool(&self) -> anyhow::Result<PoolOptions> {
        let read_replicas = self
            .read_replica_urls
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
            .map(|u| match DatabaseTarget::parse(u) {
                Ok(t @ DatabaseTarget::Postgres(_)) => Ok(t),
                Ok(t) => Err(anyhow::anyhow!(
                    "GRASSROOTS_READ_REPLICA_URLS: {t} is not a PostgreSQL standby"
                )),
                Err(e) => Err(anyhow::anyhow!("GRASSROOTS_READ_REPLICA_URLS: {e}")),
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(PoolOptions {
            read_replicas,
            max_connections: self.db_pool_size.max(1),
            slow_statement: self
                .slow_statement_ms
                .filter(|ms| *ms > 0.0)
                .map(|ms| Duration::from_secs_f64(ms / 1e3)),
            ..PoolOptions::default()
        })
    }
}

/// How the HTTP server runs.
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Address and port to listen on. The API has no sign-in yet, so the
    /// default is loopback only.
    #[arg(long, env = "GRASSROOTS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Origins (comma-separated) whose browser pages may call the API,
    /// e.g. `https://dashboard.example.gov.cn`. Empty: no cross-origin calls.
    #[arg(
        long,
        env = "GRASSROOTS_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_origins: Vec<String>,
}

/// Sign-in and tokens.
#[derive(Args, Clone)]
pub struct AuthArgs {
    /// HS256 signing secret (at least 32 bytes). Without it (and without key
    /// files) a secret is generated once and kept in the database.
    #[arg(long, env = "GRASSROOTS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// `EdDSA` or `RS256`, with the two key files, for deployments that
    /// verify tokens elsewhere.
    #[arg(long, env = "GRASSROOTS_JWT_ALGORITHM")]
    pub jwt_algorithm: Option<String>,

    /// PEM private key for `--jwt-algorithm`.
    #[arg(long, env = "GRASSROOTS_JWT_PRIVATE_KEY_FILE")]
    pub jwt_private_key_file: Option<std::path::PathBuf>,

    /// PEM public key for `--jwt-algorithm`.
    #[arg(long, env = "GRASSROOTS_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<std::path::PathBuf>,

    /// Access token lifetime, seconds.
    #[arg(long, env = "GRASSROOTS_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u64,

    /// Refresh token lifetime, seconds.
    #[arg(long, env = "GRASSROOTS_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: u64,

    /// Sign-in attempts allowed per (username, client address) in a window;
    /// ten times this per client address over all usernames.
    #[arg(long, env = "GRASSROOTS_LOGIN_LIMIT", default_value_t = 10)]
    pub login_limit: u32,

    /// Sign-in attempts per second over all callers (the global ceiling).
    #[arg(long, env = "GRASSROOTS_LOGIN_GLOBAL_PER_SECOND", default_value_t = 20)]
    pub login_global_per_second: u32,

    /// Requests without a token per client address per minute (sign-ins,
    /// introspection), in bursts of up to as many.
    #[arg(long, env = "GRASSROOTS_ANONYMOUS_PER_MINUTE", default_value_t = 120)]
    pub anonymous_per_minute: u32,

    /// The window of `--login-limit`, seconds.
    #[arg(long, env = "GRASSROOTS_LOGIN_WINDOW", default_value_t = 300)]
    pub login_window: u64,

    /// How long an account's grants are cached, seconds (a revoked grant or a
    /// disabled account stops working within this on other instances).
    #[arg(long, env = "GRASSROOTS_GRANTS_CACHE", default_value_t = 5)]
    pub grants_cache: u64,

    /// Whether callers without a token may introspect the schema.
    #[arg(long, env = "GRASSROOTS_ANONYMOUS_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub anonymous_introspection: bool,
}

impl std::fmt::Debug for AuthArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthArgs")
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("jwt_algorithm", &self.jwt_algorithm)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .finish_non_exhaustive()
    }
}

impl Default for AuthArgs {
    fn default() -> Self {
        AuthArgs {
            jwt_secret: None,
            jwt_algorithm: None,
            jwt_private_key_file: None,
            jwt_public_key_file: None,
            access_token_ttl: 900,
            refresh_token_ttl: 30 * 24 * 3600,
            login_limit: 10,
            login_global_per_second: 20,
            anonymous_per_minute: 120,
            login_window: 300,
            grants_cache: 5,
            anonymous_introspection: true,
        }
    }
}

/// Limits an operator may want to move (the rest are fixed; README, Limits).
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Largest upload an import accepts, bytes.
    #[arg(long, env = "GRASSROOTS_MAX_UPLOAD_BYTES", default_value_t = Limits::default().upload_bytes)]
    pub max_upload_bytes: usize,

    /// Most data rows one imported file may hold.
    #[arg(long, env = "GRASSROOTS_MAX_IMPORT_ROWS", default_value_t = Limits::default().read.max_rows)]
    pub max_import_rows: usize,

    /// Bearer token that `GET /metrics` asks for; unset: `/metrics` is open
    /// (bind it to an internal address then).
    #[arg(long, env = "GRASSROOTS_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        let defaults = Limits::default();
        Limits {
            upload_bytes: self.max_upload_bytes.max(1024),
            read: crate::limits::ReadLimits {
                max_rows: self.max_import_rows.max(1),
                ..defaults.read
            },
            ..defaults
        }
    }
}

/// Log line format.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the app needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseTarget,
    pub pool: PoolOptions,
    pub cors_origins: Vec<String>,
    pub auth: AuthArgs,
    pub limits: Limits,
    /// Bearer token `/metrics` asks for, when set.
    pub metrics_token: Option<String>,
    /// The county's time zone (`GRASSROOTS_TIME_ZONE`): report times and
    /// the day in report file names.
    pub time_zone: chrono_tz::Tz,
    /// The region's name (`GRASSROOTS_REGION_NAME`, e.g. 新化县): the title
    /// and file name of a report of the whole region; `None`: 全部.
    pub region_name: Option<String>,
}

impl Config {
    /// An in-memory SQLite app with defaults, for tests and examples.
    pub fn in_memory() -> Config {
        Config::for_database(DatabaseTarget::SqliteMemory)
    }

    pub fn for_database(database: DatabaseTarget) -> Config {
        Config {
            database,
            pool: PoolOptions::default(),
            cors_origins: Vec::new(),
            auth: AuthArgs::default(),
            limits: Limits::default(),
            metrics_token: None,
            time_zone: chrono_tz::Asia::Shanghai,
            region_name: None,
        }
    }
}
