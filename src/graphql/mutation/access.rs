//! Accounts and grants, managed by ADMINs inside their own scope; the
//! rules and the audit live in `accounts::write`.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, Result, ID};

use crate::accounts::grants::Grantee;
use crate::accounts::sessions::AuthService;
use crate::accounts::write::{self, NewAccount};
use crate::auth::policy::Role;
use crate::error::AppResult;
use crate::graphql::context::write as run;
use crate::graphql::ids::{decode, id_of, AccountId, GrantId, Id, Kind};
use crate::graphql::types::account::{Account, Grant};

#[derive(Default)]
pub struct AccessMutation;

/// A new account and its first grant.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// 3–64 letters, digits, `.`, `_` or `-`; unique.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// At least 10 characters.
    pub password: String,
    /// The role of its first grant.
    pub role: Role,
    /// The scope of its first grant; omit for the whole region.
    pub scope_id: Option<ID>,
}

fn scope_id(id: Option<&ID>) -> AppResult<Option<i64>> {
    id.map(|id| decode(id, Kind::OrgUnit, "scopeId"))
        .transpose()
}

fn service(ctx: &Context<'_>) -> Arc<AuthService> {
    ctx.data_unchecked::<Arc<AuthService>>().clone()
}

#[Object]
impl AccessMutation {
    /// Creates an account with its first grant (an ADMIN, inside their scope).
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and its first grant.")] input: CreateAccountInput,
    ) -> Result<Account> {
        let new = NewAccount {
            scope_unit: scope_id(input.scope_id.as_ref())?,
            username: input.username,
            display_name: input.display_name,
            password: input.password,
            role: input.role,
        };
        let account = run(ctx, move |c, actor| write::create_account(c, actor, new)).await?;
        Ok(Account(account))
    }

    /// Renames an account.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] id: ID,
        #[graphql(desc = "Its new display name.")] display_name: String,
    ) -> Result<Account> {
        let account_id = id_of::<AccountId>(&id, "id")?;
        let account = run(ctx, move |c, actor| {
            write::rename_account(c, actor, account_id, &display_name)
        })
        .await?;
        Ok(Account(account))
    }

    /// Disables (or, with `disabled: false`, re-enables) an account. A
    /// disabled account's tokens stop working at once.
    async fn disable_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] id: ID,
        #[graphql(
            default = true,
            desc = "True to disable (the default), false to enable again."
        )]
        disabled: bool,
    ) -> Result<Account> {
        let account_id = id_of::<AccountId>(&id, "id")?;
        let svc = service(ctx);
        let account = run(ctx, move |c, actor| {
            write::disable_account(c, actor, &svc, account_id, disabled)
        })
        .await?;
        service(ctx).sessions.invalidate(&account_id.get());
        Ok(Account(account))
    }

    /// Gives an account a role at a scope (omit `scopeId` for the region):
    /// only inside the granting ADMIN's scope, never to oneself.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account that receives it (one the ADMIN manages).")] account_id: ID,
        #[graphql(desc = "The role (never above the ADMIN's own).")] role: Role,
        #[graphql(desc = "The scope unit; omit for the whole region.")] scope_id: Option<ID>,
    ) -> Result<Grant> {
        let account = decode(&account_id, Kind::Account, "accountId")?;
        let scope = self::scope_id(scope_id.as_ref())?;
        let svc = service(ctx);
        let row = run(ctx, move |c, actor| {
            write::grant_role(c, actor, Grantee::Managed(account), role, scope)
        })
        .await?;
        svc.sessions.invalidate(&account);
        Ok(Grant(row))
    }

    /// Takes a grant away, under the same rule as giving it.
    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant.")] grant_id: ID,
    ) -> Result<Grant> {
        let id = id_of::<GrantId>(&grant_id, "grantId")?;
        let svc = service(ctx);
        let row = run(ctx, move |c, actor| write::revoke_role(c, actor, id)).await?;
        svc.sessions.invalidate(&row.account_id);
        Ok(Grant(row))
    }
}
