//! Who is asking: the caller behind `Authorization: Bearer …`, decided from
//! the headers alone, before any body is read.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use super::sessions::AuthService;
use crate::auth::Viewer;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The caller of an HTTP request, as an extractor: every route that needs
/// to know who is asking takes a `Caller` (or `Result<Caller, AppError>`
/// to answer a refusal its own way).
#[derive(Debug, Clone)]
pub struct Caller(pub Viewer);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Arc<AuthService>: FromRef<S>,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Arc::<AuthService>::from_ref(state);
        let db = Db::from_ref(state);
        viewer_of(&auth, &db, &parts.headers).await.map(Caller)
    }
}

/// Anonymous without the header; `UNAUTHENTICATED` for a bad, expired or
/// voided token, a token of an ended session, or a disabled account;
/// `SERVICE_UNAVAILABLE` when the database cannot say.
async fn viewer_of(auth: &Arc<AuthService>, db: &Db, headers: &HeaderMap) -> AppResult<Viewer> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Viewer::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthenticated)?;
    let (viewer, _) = viewer_of_token(auth, db, token.trim(), Freshness::Cached).await?;
    Ok(viewer)
}

/// Whether a check may use the sessions the server keeps in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Cached sessions answer (every request).
    Cached,
    /// Read from the database (a live socket re-checking after a change
    /// to its account, which may commit before the cache is dropped).
    Database,
}

/// The account an access token opens, and when the token expires (seconds
/// since the epoch); errors as for the `Authorization` header.
pub async fn viewer_of_token(
    auth: &Arc<AuthService>,
    db: &Db,
    token: &str,
    freshness: Freshness,
) -> AppResult<(Viewer, i64)> {
    let verified = auth.keys.verify(token)?;
    // A cached session costs no database round trip at all.
    let (cached, live) = match freshness {
        Freshness::Cached => (
            auth.sessions.get(&verified.account_id),
            verified
                .session
                .as_deref()
                .map(|family| auth.session_families.get(family)),
        ),
        Freshness::Database => (None, Some(None)),
    };
    let (session, live) = match (cached, live) {
        (Some(session), None) => (session, true),
        (Some(session), Some(Some(live))) => (session, live),
        _ => {
            let svc = auth.clone();
            let family = verified.session.clone();
            let account_id = verified.account_id;
            db.read(move |c| {
                let fresh = freshness == Freshness::Database;
                let session = if fresh {
                    svc.load_session(c, account_id)?
                } else {
                    svc.session(c, account_id)?
                };
                let live = match family {
                    Some(f) if fresh => svc.load_session_live(c, &f)?,
                    Some(f) => svc.session_live(c, &f)?,
                    None => true,
                };
                Ok((session, live))
            })
            .await?
        }
    };
    let session = session.ok_or(AppError::Unauthenticated)?;
    if !live || verified.issued_at_ms < session.tokens_valid_after_ms {
        return Err(AppError::Unauthenticated);
    }
    Ok((Viewer::Account(session), verified.expires_at))
}

/// The account a report link (`reportLink`) was issued to, as it stands
/// now: a disabled account, or one whose tokens were voided since (a
/// password change), opens nothing.
pub async fn viewer_of_link(
    auth: &Arc<AuthService>,
    db: &Db,
    link: &crate::auth::token::ReportLink,
) -> AppResult<Viewer> {
    let svc = auth.clone();
    let account_id = link.account_id;
    let session = db
        .read(move |c| svc.session(c, account_id))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if link.issued_at_ms < session.tokens_valid_after_ms {
        return Err(AppError::Unauthenticated);
    }
    Ok(Viewer::Account(session))
}
