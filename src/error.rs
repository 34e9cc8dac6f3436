//! The one error type of the server (DESIGN.md §4). Resolvers raise it with
//! `?`; `graphql::errors` turns it into `extensions.code` (and `field`) in
//! one place, and nothing else decides what a client sees of an error.

pub type AppResult<T> = Result<T, AppError>;

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
        problems: Vec<crate::import::Problem>,
    },
    /// Too many attempts (sign-in); try again later.
    #[error("{0}")]
    RateLimited(String),
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

    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        AppError::Internal(detail.to_string())
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
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Internal(format!("database pool: {e}"))
    }
}
