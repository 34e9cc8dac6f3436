//! Accounts and grants, managed by ADMINs inside their own scope.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, Result, ID};
use serde_json::json;

use crate::accounts::grants::{self, GrantRow};
use crate::accounts::sessions::AuthService;
use crate::accounts::store;
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::{self, Decision, Role, Scope, UnitRef};
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::graphql::context::write as run;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::account::{Account, Grant};
use crate::tree::read;

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

/// The scope a stored grant sits under, for the audit log.
fn scope_unit(
    conn: &mut DbConnection,
    row: &GrantRow,
) -> AppResult<Option<crate::domain::OrgUnit>> {
    row.scope_unit_id
        .map(|id| read::get(conn, &Visibility::Everything, id, "scopeId"))
        .transpose()
}

fn audit_grant(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    row: &GrantRow,
) -> AppResult<()> {
    let unit = scope_unit(conn, row)?;
    let what = json!({ "account": row.account_id, "role": row.role, "scope": row.scope_unit_id });
    let target = crate::graphql::ids::encode(Kind::Grant, row.id).to_string();
    let (before, after) = if action == "REVOKE_ROLE" {
        (Some(&what), None)
    } else {
        (None, Some(&what))
    };
    audit::record(
        conn,
        &AuditEntry::new(actor, action, target, unit.as_ref(), before, after),
    )
}

/// The viewer may manage `account_id`: an ADMIN over every grant it holds
/// (an account without grants: a region ADMIN), and not themselves.
fn may_manage(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    account_id: i64,
    field: &str,
) -> AppResult<()> {
    let missing = || AppError::not_found(format!("no account found for {field}"));
    if actor.viewer.account_id() == Some(account_id) {
        return Err(AppError::Forbidden(
            "nobody manages their own account here; use changePassword".to_owned(),
        ));
    }
    // Both lookups run whether or not the account exists, so a missing
    // account and one out of scope cost the same statements.
    let found = store::find(conn, account_id)?;
    let held = grants::of_account(conn, account_id)?;
    found.ok_or_else(missing)?;
    let mine = actor.viewer.grants();
    // An account without grants belongs to the region.
    let decisions: Vec<Decision> = if held.is_empty() {
        vec![policy::may_grant(&mine, Role::Viewer, &Scope::Region)]
    } else {
        held.iter()
            .map(|g| policy::may_grant(&mine, g.role, &g.scope))
            .collect()
    };
    if decisions.iter().all(|d| *d == Decision::Allow) {
        Ok(())
    } else if decisions.iter().all(|d| *d == Decision::Hidden) {
        Err(missing())
    } else {
        Err(AppError::Forbidden(
            "that account holds grants outside your scope".to_owned(),
        ))
    }
}

fn service<'a>(ctx: &Context<'a>) -> Arc<AuthService> {
    ctx.data_unchecked::<Arc<AuthService>>().clone()
}

#[Object]
impl AccessMutation {
    /// Creates an account with its first grant (an ADMIN, inside their scope).
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> Result<Account> {
        let scope = scope_id(input.scope_id.as_ref())?;
        let account = run(ctx, move |c, actor| {
            let scope_ref = match scope {
                None => Scope::Region,
                Some(id) => Scope::Unit(UnitRef::from(&read::get(
                    c,
                    &Visibility::Everything,
                    id,
                    "scopeId",
                )?)),
            };
            policy::may_grant(&actor.viewer.grants(), input.role, &scope_ref)
                .answer("create that account", || {
                    AppError::unit_not_found("scopeId")
                })?;
            let account = store::create(
                c,
                &input.username,
                &input.display_name,
                &input.password,
                actor.now,
            )?;
            let target = crate::graphql::ids::encode(Kind::Account, account.id).to_string();
            let after =
                json!({ "username": account.username, "displayName": account.display_name });
            audit::record(
                c,
                &AuditEntry::new(actor, "CREATE_ACCOUNT", target, None, None, Some(&after)),
            )?;
            let row = grants::grant(
                c,
                actor.viewer,
                grants::Grantee::Created(account.id),
                input.role,
                scope,
                actor.now,
            )?;
            audit_grant(c, actor, "GRANT_ROLE", &row)?;
            Ok(account)
        })
        .await?;
        Ok(Account(account))
    }

    /// Renames an account.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        display_name: String,
    ) -> Result<Account> {
        let account_id = decode(&id, Kind::Account, "id")?;
        let account = run(ctx, move |c, actor| {
            may_manage(c, actor, account_id, "id")?;
            let before =
                store::find(c, account_id)?.map(|a| json!({ "displayName": a.display_name }));
            store::set_display_name(c, account_id, &display_name)?;
            let target = crate::graphql::ids::encode(Kind::Account, account_id).to_string();
            audit::record(
                c,
                &AuditEntry::new(
                    actor,
                    "UPDATE_ACCOUNT",
                    target,
                    None,
                    before.as_ref(),
                    Some(&json!({ "displayName": display_name.trim() })),
                ),
            )?;
            store::find(c, account_id)?
                .ok_or_else(|| AppError::not_found("no account found for id"))
        })
        .await?;
        Ok(Account(account))
    }

    /// Disables (or, with `disabled: false`, re-enables) an account. A
    /// disabled account's tokens stop working at once.
    async fn disable_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] disabled: bool,
    ) -> Result<Account> {
        let account_id = decode(&id, Kind::Account, "id")?;
        let svc = service(ctx);
        let account = run(ctx, move |c, actor| {
            may_manage(c, actor, account_id, "id")?;
            store::set_disabled(c, account_id, disabled)?;
            if disabled {
                svc.void_all(c, account_id, actor.now)?;
            }
            svc.sessions.invalidate(&account_id);
            let target = crate::graphql::ids::encode(Kind::Account, account_id).to_string();
            audit::record(
                c,
                &AuditEntry::new(
                    actor,
                    "DISABLE_ACCOUNT",
                    target,
                    None,
                    None,
                    Some(&json!({ "disabled": disabled })),
                ),
            )?;
            store::find(c, account_id)?
                .ok_or_else(|| AppError::not_found("no account found for id"))
        })
        .await?;
        Ok(Account(account))
    }

    /// Gives an account a role at a scope (omit `scopeId` for the region):
    /// only inside the granting ADMIN's scope, never to oneself.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        role: Role,
        scope_id: Option<ID>,
    ) -> Result<Grant> {
        let account = decode(&account_id, Kind::Account, "accountId")?;
        let scope = self::scope_id(scope_id.as_ref())?;
        let svc = service(ctx);
        let row = run(ctx, move |c, actor| {
            let row = grants::grant(
                c,
                actor.viewer,
                grants::Grantee::Managed(account),
                role,
                scope,
                actor.now,
            )?;
            audit_grant(c, actor, "GRANT_ROLE", &row)?;
            svc.sessions.invalidate(&account);
            Ok(row)
        })
        .await?;
        Ok(Grant(row))
    }

    /// Takes a grant away, under the same rule as giving it.
    async fn revoke_role(&self, ctx: &Context<'_>, grant_id: ID) -> Result<Grant> {
        let id = decode(&grant_id, Kind::Grant, "grantId")?;
        let svc = service(ctx);
        let row = run(ctx, move |c, actor| {
            let row = grants::revoke(c, actor.viewer, id)?;
            audit_grant(c, actor, "REVOKE_ROLE", &row)?;
            svc.sessions.invalidate(&row.account_id);
            Ok(row)
        })
        .await?;
        Ok(Grant(row))
    }
}
