//! What the fuzz targets (`fuzz/`) run, kept in the library so that the
//! test suite replays every saved corpus input through the very same code
//! (`tests/fuzz_corpus.rs`), and CI does so on every run.
//!
//! - [`read_file`]: the CSV and xlsx readers, with the default limits;
//! - [`GraphqlHarness`]: a whole GraphQL request through the real router,
//!   anonymous or signed in, against an in-memory database holding a
//!   small tree.

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::auth::policy::Role;
use crate::import::{read, Format};
use crate::limits::ReadLimits;
use crate::{AppResult, AppState, Config};

/// Reads `data` as a CSV or an xlsx file (whatever it holds), as an upload
/// would be read. Errors are answers; only a panic, a hang or an
/// allocation past the cap is a finding.
pub fn read_file(data: &[u8], format: Format) {
    let _ = read(data, format, &ReadLimits::default());
}

/// A server with a small tree, and tokens of a region ADMIN and of a
/// village VIEWER.
pub struct GraphqlHarness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    tokens: [String; 2],
}

impl GraphqlHarness {
    pub fn new() -> AppResult<GraphqlHarness> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(crate::error::AppError::internal)?;
        let mut config = Config::in_memory();
        // Every input comes from one address: no per-address limit here.
        config.auth.anonymous_per_minute = 1_000_000;
        config.auth.login_global_per_second = 100_000;
        let state = AppState::open(&config)?;
        let db = state.db.clone();
        let admin = crate::accounts::bootstrap::create_with_grant(
            &db,
            "fuzz-admin",
            "fuzz",
            "fuzz-password-0",
            Role::Admin,
            None,
        )?;
        let units = runtime.block_on(crate::demo::small_tree(&db))?;
        let viewer = crate::accounts::bootstrap::create_with_grant(
            &db,
            "fuzz-viewer",
            "fuzz",
            "fuzz-password-0",
            Role::Viewer,
            units.first().copied(),
        )?;
        let now = chrono::Utc::now();
        let tokens = [
            state.auth.keys.issue(admin.id, now)?.0,
            state.auth.keys.issue(viewer.id, now)?.0,
        ];
        Ok(GraphqlHarness {
            runtime,
            router: crate::http::router(state),
            tokens,
        })
    }

    /// Sends `data` as a GraphQL request. The first byte picks the caller
    /// (anonymous, the VIEWER, the ADMIN) and the body kind (JSON, or a
    /// multipart upload); the rest is the body.
    pub fn run(&self, data: &[u8]) {
        let Some((&selector, body)) = data.split_first() else {
            return;
        };
        let token = match selector % 3 {
            0 => None,
            1 => Some(&self.tokens[1]),
            _ => Some(&self.tokens[0]),
        };
        let content_type = if selector & 0x80 != 0 {
            "multipart/form-data; boundary=fuzz"
        } else {
            "application/json"
        };
        let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, content_type);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let Ok(req) = req.body(Body::from(body.to_vec())) else {
            return;
        };
        self.runtime.block_on(async {
            let resp = match self.router.clone().oneshot(req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            };
            let _ = resp.into_body().collect().await;
        });
    }
}
