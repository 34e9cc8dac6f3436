//! The HTTP router: every route of the server, in one place.

use std::time::Instant;

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::{code_errors, error_codes, RequestContext};
use crate::AppState;

const REQUEST_ID: &str = "x-request-id";

/// Largest request body: room for a province's roster as an upload
/// (100,000 people are about 8 MB of CSV), refused with 413 above.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The app: GraphiQL at `/`, GraphQL at `/graphql`, probes and metrics.
pub fn router(state: AppState) -> Router {
    let cors = cors_layer(&state.cors_origins);
    Router::new()
        .route("/", get(graphiql))
        .route("/graphql", get(graphql).post(graphql))
        .route("/reports/{file}", get(crate::report::http::report))
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
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("grassroots")
            .finish(),
    )
}

/// Executes one GraphQL request (GET: queries only; POST: anything),
/// recording latency and error codes per operation.
async fn graphql(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    req: GraphQLRequest,
) -> Response {
    let mut request = req.into_inner();
    let (kind, name) = describe(&request.query, request.operation_name.as_deref());
    let operation = name.unwrap_or_else(|| "anonymous".to_owned());
    if method == Method::GET && kind == Some(OperationType::Mutation) {
        let mut resp = async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
            "mutations must be sent with POST",
            None,
        )]);
        code_errors(&mut resp.errors);
        return (StatusCode::METHOD_NOT_ALLOWED, GraphQLResponse::from(resp)).into_response();
    }
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let viewer = match viewer_of(&state, &headers).await {
        Ok(v) => v,
        Err(e) => {
            let mut resp =
                async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                    e.to_string(),
                    None,
                )]);
            resp.errors[0].extensions = Some({
                let mut x = async_graphql::ErrorExtensionValues::default();
                x.set("code", e.code());
                x
            });
            state.metrics.observe(
                &operation,
                std::time::Duration::ZERO,
                error_codes(&resp.errors),
            );
            return (StatusCode::UNAUTHORIZED, GraphQLResponse::from(resp)).into_response();
        }
    };
    let client = peer.map_or_else(|| "unknown".to_owned(), |p| p.0 .0.ip().to_string());
    request = request.data(
        RequestContext::new(state.db.clone(), viewer).with_origin(request_id.clone(), client),
    );
    let started = Instant::now();
    let resp = state.schema.execute(request).await;
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(&operation, elapsed, error_codes(&resp.errors));
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info!(
        request_id,
        operation = %operation,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        errors = resp.errors.len(),
        "graphql"
    );
    GraphQLResponse::from(resp).into_response()
}

/// The type and name of the operation a request runs (the named one, or
/// the only one); `None`s when the document does not parse (the engine then
/// reports the syntax error).
fn describe(query: &str, operation: Option<&str>) -> (Option<OperationType>, Option<String>) {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return (None, operation.map(str::to_owned));
    };
    match &doc.operations {
        DocumentOperations::Single(op) => (Some(op.node.ty), operation.map(str::to_owned)),
        DocumentOperations::Multiple(ops) => {
            let chosen = match operation {
                Some(name) => ops.iter().find(|(n, _)| n.as_str() == name),
                None if ops.len() == 1 => ops.iter().next(),
                None => None,
            };
            match chosen {
                Some((name, op)) => (Some(op.node.ty), Some(name.to_string())),
                None => (None, operation.map(str::to_owned)),
            }
        }
    }
}

/// The caller behind `Authorization: Bearer …`: anonymous without the
/// header; `UNAUTHENTICATED` for a bad, expired or voided token or a
/// disabled account.
pub(crate) async fn viewer_of(state: &AppState, headers: &HeaderMap) -> AppResult<Viewer> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthenticated)?;
    let verified = state.auth.keys.verify(token.trim())?;
    // A cached session costs no database round trip at all.
    let session = match state.auth.sessions.get(verified.account_id) {
        Some(cached) => cached,
        None => {
            let auth = state.auth.clone();
            state
                .db
                .read(move |c| auth.session(c, verified.account_id))
                .await?
        }
    }
    .ok_or(AppError::Unauthenticated)?;
    if verified.issued_at_ms < session.tokens_valid_after_ms {
        return Err(AppError::Unauthenticated);
    }
    Ok(Viewer::Account(session))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
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
