//! Signing in and out.

use async_graphql::{Context, Object, Result};

use crate::accounts::sessions::{AuthService, Tokens};
use crate::auth::Viewer;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::types::auth_payload::AuthPayload;

#[derive(Default)]
pub struct SessionMutation;

fn auth<'a>(ctx: &Context<'a>) -> &'a std::sync::Arc<AuthService> {
    ctx.data_unchecked::<std::sync::Arc<AuthService>>()
}

/// The payload of a new session, whose `account` (grants and their scopes
/// included) the rest of the request resolves as that session sees it.
async fn signed_in(ctx: &Context<'_>, tokens: Tokens) -> Result<AuthPayload> {
    let service = auth(ctx).clone();
    let id = tokens.account.id;
    if let Some(session) = ctx.db().read(move |c| service.session(c, id)).await? {
        ctx.request().sign_in(Viewer::Account(session));
    }
    Ok(AuthPayload(tokens))
}

#[Object]
impl SessionMutation {
    /// Signs in. An unknown username and a wrong password give the same
    /// `UNAUTHENTICATED`; too many attempts give `RATE_LIMITED`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's username.")] username: String,
        #[graphql(desc = "Its password.")] password: String,
    ) -> Result<AuthPayload> {
        let service = auth(ctx).clone();
        let client = ctx.request().client.clone();
        let request_id = ctx.request().request_id.clone();
        service.limiter.attempt(&username, &client)?;
        // The same limits, counted across every instance (PostgreSQL; a
        // SQLite database is one instance's, counted in memory above).
        if ctx.db().backend() == crate::db::Backend::Postgres {
            let (shared, name, address) = (service.clone(), username.clone(), client.clone());
            ctx.db()
                .write_rows(move |c| {
                    crate::accounts::shared_limits::attempt(c, &shared.limiter, &name, &address)
                })
                .await?;
        }
        let checker = service.clone();
        let name = username.clone();
        let checked = ctx
            .db()
            .read(move |c| checker.check_password(c, &name, &password))
            .await?;
        let outcome = ctx
            .db()
            .write_rows(move |c| {
                service.record_login(c, checked, &username, &client, request_id.as_deref(), now())
            })
            .await?;
        signed_in(ctx, outcome?).await
    }

    /// Trades a refresh token for new tokens. The old one stops working;
    /// presenting it again revokes the whole session (theft detection).
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the session (it works once).")] token: String,
    ) -> Result<AuthPayload> {
        let service = auth(ctx).clone();
        let request_id = ctx.request().request_id.clone();
        let outcome = ctx
            .db()
            .write_rows(move |c| service.refresh(c, &token, request_id.as_deref(), now()))
            .await?;
        signed_in(ctx, outcome?).await
    }

    /// Ends the signed-in account's session that a refresh token belongs
    /// to. True if there was one.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the session to end.")] refresh_token: String,
    ) -> Result<bool> {
        let Some(account_id) = ctx.viewer().account_id() else {
            return Err(crate::error::AppError::Unauthenticated.into());
        };
        let service = auth(ctx).clone();
        let request_id = ctx.request().request_id.clone();
        Ok(ctx
            .db()
            .write_rows(move |c| {
                service.logout(c, account_id, &refresh_token, request_id.as_deref(), now())
            })
            .await?)
    }

    /// Changes the signed-in account's password (at least 10 characters)
    /// and voids every token it holds: sign in again afterwards.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password now.")] current_password: String,
        #[graphql(desc = "The new one (at least 10 characters).")] new_password: String,
    ) -> Result<bool> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let Some(account_id) = viewer.account_id() else {
            return Err(crate::error::AppError::Forbidden(
                "only accounts have passwords".to_owned(),
            )
            .into());
        };
        let service = auth(ctx).clone();
        let request_id = ctx.request().request_id.clone();
        ctx.db()
            .write_rows(move |c| {
                service.change_password(
                    c,
                    account_id,
                    &current_password,
                    &new_password,
                    request_id.as_deref(),
                    now(),
                )
            })
            .await?;
        Ok(true)
    }
}
