//! The one error type of the server (docs/design.md §4). Resolvers raise it with
//! `?`; `graphql::errors` turns it into `extensions.code` (and `field`) in
//! one place, and nothing else decides what a client sees of an error.

pub type AppResult<T> = Result<T, AppError>;

/// One thing wrong with an imported file (`AppError::Rejected` lists them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Row number in the file (the header is row 1).
    pub row: usize,
    /// The column key (as in the template).
    pub column: String,
    /// The cell's value.
    pub value: String,
    pub message: String,
}

impl Problem {
    pub fn new(
        row: usize,
        column: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            row,
            column: column.into(),
            value: value.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller is not signed in (or the token is invalid).
    #[error("authentication required")]
    Unauthenticated,
    /// Signed in, but the action is outside the caller's grants.
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or not visible to the caller (the two look the same).
    #[error("{0}")]
    NotFound(String),
    /// An input the rules reject; `field` names the input field.
    #[error("{message}")]
    BadInput { field: String, message: String },
    /// The input is well-formed but clashes with the current state.
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// A file import found problems; `problems` lists every one, and
    /// nothing was written.
    #[error("{message}")]
    Rejected {
        message: String,
        problems: Vec<Problem>,
    },
    /// Too many attempts (sign-in); try again later.
    #[error("{0}")]
    RateLimited(String),
    /// The request is over its budget (depth, complexity, aliases, root
    /// fields): `cost` and `limit` go to `extensions`.
    #[error("{message}")]
    OverBudget {
        message: String,
        limit_name: &'static str,
        cost: usize,
        limit: usize,
    },
    /// The database cannot be reached: HTTP 503, a generic message, the
    /// detail only in the log.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else: logged in full, shown to the client only as a code.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: None,
            message: message.into(),
        }
    }

    pub fn conflict_on(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound(what.into())
    }

    /// A unit that does not exist, or that the caller cannot see: the two
    /// answer alike, word for word.
    pub fn unit_not_found(field: &str) -> AppError {
        AppError::NotFound(format!("no unit found for {field}"))
    }

    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        AppError::Internal(detail.to_string())
    }

    /// The message a client may see: internal and outage details stay in
    /// the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "internal server error".to_owned(),
            AppError::Unavailable(_) => {
                "the service is unavailable for a moment; try again shortly".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The HTTP status of a request that failed with this error as a whole
    /// (before GraphQL execution, or on a plain endpoint).
    pub fn http_status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadInput { .. } | AppError::Rejected { .. } => StatusCode::BAD_REQUEST,
            AppError::OverBudget { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `extensions.code` clients see.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } | AppError::Rejected { .. } => "BAD_USER_INPUT",
            AppError::Conflict { .. } => "CONFLICT",
            AppError::RateLimited(_) => "RATE_LIMITED",
            AppError::OverBudget { .. } => "BAD_USER_INPUT",
            AppError::Unavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The input field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadInput { field, .. } => Some(field),
            AppError::Conflict { field, .. } => field.as_deref(),
            AppError::Rejected { .. } => Some("file"),
            _ => None,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let field = info.constraint_name().unwrap_or_default().contains("code")
                    || info.message().contains("code");
                AppError::Conflict {
                    field: field.then(|| "code".to_owned()),
                    message: if field {
                        "code is already used by another active unit".to_owned()
                    } else {
                        format!("conflicts with existing data: {}", info.message())
                    },
                }
            }
            // The connection died under the statement: the database went
            // away, which is an outage, not a bug.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                AppError::Unavailable(info.message().to_owned())
            }
            Error::BrokenTransactionManager => {
                AppError::Unavailable("broken transaction manager".to_owned())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    /// No connection could be had in time: the database is down or
    /// overwhelmed.
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

/// An error of a request as a whole (a plain HTTP endpoint, or a GraphQL
/// request refused before execution): the same body shape and codes as a
/// GraphQL error, with the matching HTTP status.
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        match &self {
            AppError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            AppError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable")
            }
            _ => {}
        }
        let mut extensions = serde_json::json!({ "code": self.code() });
        if let Some(field) = self.field() {
            extensions["field"] = field.into();
        }
        if let AppError::OverBudget {
            limit_name,
            cost,
            limit,
            ..
        } = &self
        {
            extensions["limitName"] = (*limit_name).into();
            extensions["cost"] = (*cost).into();
            extensions["limit"] = (*limit).into();
        }
        let body = serde_json::json!({ "errors": [{ "message": self.public_message(), "extensions": extensions }] });
        (self.http_status(), axum::Json(body)).into_response()
    }
}
