//! The one place errors get their `extensions.code` (DESIGN.md §4).
//!
//! Resolvers raise [`AppError`] with `?`; async-graphql keeps it as the
//! error's source, and this extension reads it back to set `code` and
//! `field`, and to hide the detail of internal errors (logged instead).
//! Errors the engine raises itself (syntax, validation, limits, argument
//! coercion) are about the request, so they get `BAD_USER_INPUT`.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::{Response, ServerError, Value};

use crate::error::AppError;

/// Registers [`ErrorCodesExtension`] on the schema.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        code_errors(&mut response.errors);
        response
    }
}

/// Sets `code` (and `field`) on every error that lacks one.
pub fn code_errors(errors: &mut [ServerError]) {
    for err in errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let (code, field) = match err.source::<AppError>() {
            Some(app) => {
                let field = app.field().map(str::to_owned);
                let code = app.code();
                if let AppError::Internal(detail) = app {
                    tracing::error!(error = %detail, path = ?err.path, "internal error");
                    err.message = "internal server error".to_owned();
                }
                (code, field)
            }
            None => ("BAD_USER_INPUT", offending_argument(&err.message)),
        };
        let problems = match err.source::<AppError>() {
            Some(AppError::Rejected { problems, .. }) => Some(problems.clone()),
            _ => None,
        };
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", code);
        if let Some(field) = field {
            ext.set("field", field);
        }
        if let Some(problems) = problems {
            // Every bad row of a rejected import: row, column, value, message.
            ext.set(
                "problems",
                Value::from_json(serde_json::json!(problems)).unwrap_or(Value::Null),
            );
        }
    }
}

/// `Invalid value for argument "input.foundedOn", …` → `foundedOn`.
fn offending_argument(message: &str) -> Option<String> {
    let start = message.find("argument \"")? + "argument \"".len();
    let rest = &message[start..];
    let name = &rest[..rest.find('"')?];
    Some(name.rsplit('.').next().unwrap_or(name).to_owned())
}

/// The codes of a response's errors, for metrics.
pub fn error_codes(errors: &[ServerError]) -> impl Iterator<Item = String> + '_ {
    errors.iter().map(
        |e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
            Some(Value::String(s)) => s.clone(),
            _ => "INTERNAL_SERVER_ERROR".to_owned(),
        },
    )
}

/// An error of a plain HTTP endpoint (reports): the same body shape and
/// codes as a GraphQL error, with the matching HTTP status.
pub fn http_error(err: AppError) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let status = match &err {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadInput { .. } | AppError::Rejected { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = match &err {
        AppError::Internal(detail) => {
            tracing::error!(error = %detail, "internal error");
            "internal server error".to_owned()
        }
        other => other.to_string(),
    };
    let mut extensions = serde_json::json!({ "code": err.code() });
    if let Some(field) = err.field() {
        extensions["field"] = field.into();
    }
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": extensions }] });
    (status, axum::Json(body)).into_response()
}
