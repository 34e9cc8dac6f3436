//! What every handler shares (`AppState`: no globals, all here), and how
//! it is opened. It stands above `graphql/` (it holds the schema) and
//! below `http/` (whose handlers take it).

use std::sync::Arc;

use crate::accounts::sessions::AuthService;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;
use crate::graphql::AppSchema;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::{accounts, graphql, limits, tree};

/// Runs pending migrations, then gives units from before history was kept
/// the history their rows tell, and rebuilds the stored staffing gaps when
/// the rule set changed. Returns how many migrations ran.
pub fn migrate(db: &Db) -> AppResult<usize> {
    let applied = db.migrate()?;
    db.write_blocking(|conn| tree::history::backfill_recorded(conn, chrono::Utc::now()))?;
    db.write_blocking(tree::staffing::ensure_current)?;
    Ok(applied)
}

/// What every handler shares: no globals, all here.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
    pub auth: Arc<AuthService>,
    pub metrics: Arc<Metrics>,
    pub cors_origins: Arc<Vec<String>>,
    /// What a request may cost (bodies, uploads, budgets).
    pub limits: limits::Limits,
    /// Bearer token `/metrics` asks for, when set.
    pub metrics_token: Option<Arc<str>>,
    /// Permits for anonymous executions (`Limits::anonymous_concurrency`).
    pub anonymous_slots: Arc<tokio::sync::Semaphore>,
    /// The county's time zone, for reports.
    pub time_zone: chrono_tz::Tz,
    /// The region's name, for reports of the whole region.
    pub region_name: Option<Arc<str>>,
    /// Live updates of this instance (subscriptions).
    pub live: Arc<Live>,
    /// Permits for open subscription sockets (`Limits::sockets`).
    pub sockets: Arc<tokio::sync::Semaphore>,
    /// Permits for uploaded imports (`Limits::imports_at_once`).
    pub import_slots: graphql::ImportSlots,
}

impl axum::extract::FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

impl axum::extract::FromRef<AppState> for Arc<AuthService> {
    fn from_ref(state: &AppState) -> Arc<AuthService> {
        state.auth.clone()
    }
}

impl AppState {
    /// Opens the database, runs pending migrations and builds the schema.
    pub fn open(config: &Config) -> AppResult<AppState> {
        let db = Db::connect(&config.database, &config.pool)?;
        migrate(&db)?;
        AppState::with_db(db, config)
    }

    /// The state around an already migrated database.
    pub fn with_db(db: Db, config: &Config) -> AppResult<AppState> {
        let auth = Arc::new(accounts::keys::auth_service(&db, &config.auth)?);
        accounts::revocations::watch(&db, &auth);
        let live = Arc::new(Live::new(db.clone()));
        let import_slots = graphql::ImportSlots::new(config.limits.imports_at_once);
        Ok(AppState {
            import_slots: import_slots.clone(),
            live: live.clone(),
            sockets: Arc::new(tokio::sync::Semaphore::new(config.limits.sockets.max(1))),
            schema: graphql::build_schema(
                db.clone(),
                auth.clone(),
                live.clone(),
                config.auth.anonymous_introspection,
                (config.limits, import_slots),
            ),
            limits: config.limits,
            time_zone: config.time_zone,
            region_name: config.region_name.as_deref().map(Arc::from),
            anonymous_slots: Arc::new(tokio::sync::Semaphore::new(
                config.limits.anonymous_concurrency.max(1),
            )),
            metrics_token: config.metrics_token.clone().map(Arc::from),
            metrics: Arc::new(Metrics::new(db.clone())),
            cors_origins: Arc::new(config.cors_origins.clone()),
            auth,
            db,
        })
    }
}
