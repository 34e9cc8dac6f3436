//! The one place errors get their `extensions.code` (docs/design.md §4).
//!
//! Resolvers raise [`AppError`] with `?`; async-graphql keeps it as the
//! error's source, and this extension reads it back to set `code` and
//! `field`, and to hide the detail of internal errors (logged instead).
//! Errors the engine raises itself (syntax, validation, limits, argument
//! coercion) are about the request, so they get `BAD_USER_INPUT`.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe,
};
use async_graphql::{Response, ServerError, Value};
use futures_util::stream::{BoxStream, StreamExt};

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

    /// Each message of a subscription gets its codes the same way.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                code_errors(&mut response.errors);
                response
            })
            .boxed()
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
                match app {
                    AppError::Internal(detail) => {
                        tracing::error!(error = %detail, path = ?err.path, "internal error");
                    }
                    AppError::Unavailable(detail) => {
                        tracing::warn!(error = %detail, path = ?err.path, "database unavailable");
                    }
                    _ => {}
                }
                err.message = app.public_message();
                (code, field)
            }
            None => ("BAD_USER_INPUT", offending_argument(&err.message)),
        };
        let problems = match err.source::<AppError>() {
            Some(AppError::Rejected { problems, .. }) => Some(problems.clone()),
            _ => None,
        };
        let budget = match err.source::<AppError>() {
            Some(AppError::OverBudget {
                limit_name,
                cost,
                limit,
                ..
            }) => Some((*limit_name, *cost, *limit)),
            _ => None,
        };
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", code);
        if let Some((name, cost, limit)) = budget {
            ext.set("limitName", name);
            ext.set("cost", cost as u64);
            ext.set("limit", limit as u64);
        }
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

/// Whether a response failed because the database is unreachable (HTTP 503).
pub fn unavailable(errors: &[ServerError]) -> bool {
    error_codes(errors).any(|c| c == "SERVICE_UNAVAILABLE")
}
