//! `POST /graphql` and `GET /graphql`: who is asking is decided from the
//! headers before a byte of the body is read, and the body is then read
//! within that caller's limit. Anonymous callers get a small body; only an
//! account that may import (a MANAGER or ADMIN somewhere) may send a
//! multipart upload at all.

use std::net::SocketAddr;
use std::time::Instant;

use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLResponse;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::accounts::bearer::Caller;
use crate::auth::policy::Role;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::errors::{error_codes, unavailable};
use crate::graphql::RequestContext;
use crate::metrics::Sender;
use crate::state::AppState;

const REQUEST_ID: &str = "x-request-id";

/// Executes a GraphQL request, or a JSON batch of them (GET: queries only;
/// POST: anything), recording latency and error codes per operation.
pub async fn graphql(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    caller: Result<Caller, AppError>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let viewer = match caller {
        Ok(Caller(v)) => v,
        Err(e) => return refused(&state, e),
    };
    let batch = match intake(
        &state,
        &viewer,
        &parts.method,
        &parts.headers,
        parts.uri.query(),
        body,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return refused(&state, e),
    };
    let sender = match viewer {
        Viewer::Anonymous => Sender::Anonymous,
        _ => Sender::SignedIn,
    };
    let (requests, single) = match batch {
        BatchRequest::Single(r) => (vec![r], true),
        BatchRequest::Batch(list) => (list, false),
    };
    // A batch is as many requests: a caller without a token sends one.
    let most = match sender {
        Sender::Anonymous => 1,
        Sender::SignedIn => state.limits.batch_operations,
    };
    if requests.is_empty() || requests.len() > most {
        return refused(
            &state,
            AppError::bad_input(
                "body",
                format!(
                    "a batch holds 1 to {most} operations for this caller, not {}",
                    requests.len()
                ),
            ),
        );
    }
    let request_id = parts
        .headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let client = peer.map_or_else(|| "unknown".to_owned(), |p| p.0 .0.ip().to_string());
    if sender == Sender::Anonymous {
        if let Err(e) = state.auth.limiter.anonymous_request(&client) {
            return refused(&state, e);
        }
    }
    // Anonymous work (sign-ins hash passwords, introspection builds the
    // whole schema) runs a few at a time, so it never takes every core from
    // signed-in callers; waiting costs no CPU.
    let _slot = match sender {
        Sender::SignedIn => None,
        Sender::Anonymous => {
            let wait = std::time::Duration::from_millis(state.limits.anonymous_wait_ms);
            match tokio::time::timeout(wait, state.anonymous_slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => Some(permit),
                _ => {
                    return refused(
                        &state,
                        AppError::RateLimited(
                            "too many requests without a token at once; try again shortly"
                                .to_owned(),
                        ),
                    )
                }
            }
        }
    };
    let mut responses = Vec::with_capacity(requests.len());
    for request in requests {
        let origin = (request_id.clone(), client.clone());
        responses.push(run_one(&state, &viewer, sender, &parts.method, request, origin).await);
    }
    let status = if responses.iter().any(|(_, r)| unavailable(&r.errors)) {
        StatusCode::SERVICE_UNAVAILABLE
    } else if single {
        responses.first().map_or(StatusCode::OK, |(s, _)| *s)
    } else {
        StatusCode::OK
    };
    let body = if single {
        BatchResponse::Single(
            responses
                .into_iter()
                .map(|(_, r)| r)
                .next()
                .unwrap_or_default(),
        )
    } else {
        BatchResponse::Batch(responses.into_iter().map(|(_, r)| r).collect())
    };
    (status, GraphQLResponse::from(body)).into_response()
}

/// One operation of a request (or of a batch): checked, executed as
/// `viewer`, timed and counted.
async fn run_one(
    state: &AppState,
    viewer: &Viewer,
    sender: Sender,
    method: &Method,
    mut request: async_graphql::Request,
    (request_id, client): (Option<String>, String),
) -> (StatusCode, async_graphql::Response) {
    if request.extensions.contains_key("persistedQuery") {
        // Automatic persisted queries are not kept: Apollo's client reads
        // this answer and sends the whole query from then on.
        let mut error = async_graphql::ServerError::new("PersistedQueryNotSupported", None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "PERSISTED_QUERY_NOT_SUPPORTED");
        return (
            StatusCode::OK,
            async_graphql::Response::from_errors(vec![error]),
        );
    }
    let (kind, name) = describe(&mut request);
    let operation = state.metrics.label(sender, name.as_deref());
    if *method == Method::GET && kind == Some(OperationType::Mutation) {
        let mut resp = async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
            "mutations must be sent with POST",
            None,
        )]);
        crate::graphql::code_errors(&mut resp.errors);
        return (StatusCode::METHOD_NOT_ALLOWED, resp);
    }
    // Reads may go to a standby; this session's own writes are read back
    // from wherever has them.
    let db = state.db.for_session(viewer.account_id());
    let request = request
        .data(db.clone())
        .data(RequestContext::new(db, viewer.clone()).with_origin(request_id.clone(), client));
    let started = Instant::now();
    let resp = state.schema.execute(request).await;
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(&operation, elapsed, error_codes(&resp.errors));
    tracing::info!(
        request_id = request_id.as_deref().unwrap_or("-"),
        operation = %operation,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        errors = resp.errors.len(),
        "graphql"
    );
    (StatusCode::OK, resp)
}

/// A request refused before execution, counted in the metrics.
fn refused(state: &AppState, err: AppError) -> Response {
    state.metrics.observe(
        "refused",
        std::time::Duration::ZERO,
        std::iter::once(err.code().to_owned()),
    );
    err.into_response()
}

/// Whether the viewer may send an upload: imports need a MANAGER or ADMIN
/// grant somewhere (the rows are then checked one by one).
fn may_upload(viewer: &Viewer) -> AppResult<()> {
    match viewer {
        Viewer::Anonymous => Err(AppError::Unauthenticated),
        Viewer::System => Ok(()),
        Viewer::Account(_) => {
            if viewer.grants().iter().any(|g| g.role >= Role::Manager) {
                Ok(())
            } else {
                Err(AppError::Forbidden(
                    "uploads are for accounts that may import (MANAGER or ADMIN)".to_owned(),
                ))
            }
        }
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::bad_input(
        "body",
        format!("the request body is over the limit of {limit} bytes for this caller"),
    )
}

/// Reads the GraphQL request within the caller's limits.
async fn intake(
    state: &AppState,
    viewer: &Viewer,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
) -> AppResult<BatchRequest> {
    let limits = &state.limits;
    let anonymous = matches!(viewer, Viewer::Anonymous);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let multipart = content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/"));
    let limit = if multipart {
        may_upload(viewer)?;
        limits.upload_bytes
    } else if anonymous {
        limits.anonymous_body_bytes
    } else {
        limits.body_bytes
    };
    let bad = |e: &dyn std::fmt::Display| {
        AppError::bad_input("body", format!("not a GraphQL request: {e}"))
    };
    if *method == Method::GET {
        let query = query.unwrap_or_default();
        if query.len() > limit {
            return Err(too_large(limit));
        }
        return async_graphql::http::parse_query_string(query)
            .map(BatchRequest::Single)
            .map_err(|e| bad(&e));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))?;
    let options = MultipartOptions::default()
        .max_file_size(limit)
        .max_num_files(1);
    async_graphql::http::receive_batch_body(
        content_type,
        futures_util::io::Cursor::new(bytes),
        options,
    )
    .await
    .map_err(|e| bad(&e))
}

/// The type and name of the operation a request runs (the named one, or
/// the only one); `None`s when the document does not parse (the engine then
/// reports the syntax error). The parse is kept on the request, so the
/// engine does not parse it again.
fn describe(request: &mut async_graphql::Request) -> (Option<OperationType>, Option<String>) {
    let operation = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return (None, operation);
    };
    match &doc.operations {
        DocumentOperations::Single(op) => (Some(op.node.ty), operation),
        DocumentOperations::Multiple(ops) => {
            let chosen = match operation.as_deref() {
                Some(name) => ops.iter().find(|(n, _)| n.as_str() == name),
                None if ops.len() == 1 => ops.iter().next(),
                None => None,
            };
            match chosen {
                Some((name, op)) => (Some(op.node.ty), Some(name.to_string())),
                None => (None, operation),
            }
        }
    }
}
