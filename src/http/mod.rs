//! The HTTP layer: every route of the server in one router (here), the
//! `/graphql` endpoint (`graphql.rs`) and the report downloads
//! (`reports.rs`). It stands above `graphql/`; nothing below imports it.

mod assets;
mod graphql;
mod live;
mod reports;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use self::graphql::graphql;
use crate::state::AppState;

const REQUEST_ID: &str = "x-request-id";

/// How long browsers may cache a CORS preflight, in seconds.
pub const CORS_MAX_AGE_SECS: u64 = 600;

/// Largest request body of any route, whoever sends it (a backstop: each
/// caller's own limit is smaller; see `Limits`).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The app: GraphiQL at `/`, the example dashboard at `/dashboard`,
/// GraphQL at `/graphql` (subscriptions at `/graphql/ws`), reports,
/// probes and metrics.
pub fn router(state: AppState) -> Router {
    let cors = cors_layer(&state.cors_origins);
    Router::new()
        .route("/", get(assets::graphiql))
        .route("/graphiql/{file}", get(assets::graphiql_asset))
        .route("/dashboard", get(assets::dashboard))
        .route("/dashboard/{file}", get(assets::dashboard_asset))
        .route("/graphql", get(graphql).post(graphql))
        .route("/graphql/ws", get(live::socket))
        .route("/reports/{file}", get(reports::report))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(cors)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let request_id = header::HeaderName::from_static(REQUEST_ID);
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            request_id.clone(),
        ])
        // What a dashboard reads of a response: the request id to quote in
        // a support ticket, and a report's file name.
        .expose_headers([request_id, header::CONTENT_DISPOSITION])
        // Browsers may keep a preflight this long (they cap it themselves).
        .max_age(std::time::Duration::from_secs(CORS_MAX_AGE_SECS))
}

async fn healthz() -> &'static str {
    "ok"
}

/// `ready` when the primary answers; with read replicas, a JSON document
/// that adds each standby's lag (a standby down or behind only sends reads
/// to the primary, so it never makes the instance unready).
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => match state.db.replica_status().await {
            Ok(None) => (StatusCode::OK, "ready").into_response(),
            Ok(Some(replicas)) => (
                StatusCode::OK,
                axum::Json(serde_json::json!({ "status": "ready", "replicas": replicas })),
            )
                .into_response(),
            Err(e) => {
                tracing::warn!(error = %e, "primary WAL position unknown");
                (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let matches = given.is_some_and(|g| {
            use sha2::Digest;
            // Compare digests: the time taken says nothing about the token.
            sha2::Sha256::digest(g.as_bytes()) == sha2::Sha256::digest(expected.as_bytes())
        });
        if !matches {
            return crate::error::AppError::Unauthenticated.into_response();
        }
    }
    match state.metrics.render() {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
