//! Typed configuration, from environment variables and matching flags.
//! Every variable is listed in the README.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

use crate::db::{DatabaseTarget, PoolOptions};

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
}

impl DatabaseArgs {
    pub fn target(&self) -> anyhow::Result<DatabaseTarget> {
        DatabaseTarget::parse(&self.database_url).map_err(anyhow::Error::msg)
    }

    pub fn pool(&self) -> PoolOptions {
        PoolOptions {
            max_connections: self.db_pool_size.max(1),
            ..PoolOptions::default()
        }
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
        }
    }
}
