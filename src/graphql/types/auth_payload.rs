//! `AuthPayload`: what signing in returns.

use async_graphql::Object;
use chrono::{DateTime, Utc};

use super::account::Account;
use crate::accounts::sessions::Tokens;

/// Tokens of a new session: send `accessToken` as `Authorization: Bearer …`;
/// trade `refreshToken` for new tokens before `accessExpiresAt`.
pub struct AuthPayload(pub Tokens);

/// Tokens of a new session: send `accessToken` as `Authorization: Bearer …`;
/// trade `refreshToken` for new tokens before `accessExpiresAt`.
#[Object]
impl AuthPayload {
    /// A short-lived JWT.
    async fn access_token(&self) -> &str {
        &self.0.access_token
    }

    /// When the access token expires (UTC).
    async fn access_expires_at(&self) -> DateTime<Utc> {
        self.0.access_expires_at
    }

    /// An opaque token for `refreshToken`; it works once.
    async fn refresh_token(&self) -> &str {
        &self.0.refresh_token
    }

    /// When the refresh token expires (UTC).
    async fn refresh_expires_at(&self) -> DateTime<Utc> {
        self.0.refresh_expires_at
    }

    /// The signed-in account.
    async fn account(&self) -> Account {
        Account(self.0.account.clone())
    }
}
