//! Writing accounts and grants, in the shape of `tree::write`: each function
//! runs inside the caller's transaction, loads the facts it needs, asks the
//! access policy, writes, and records the audit line. Resolvers only decode
//! ids and call these.

use serde_json::json;

use super::grants::{self, GrantRow, Grantee};
use super::sessions::AuthService;
use super::store::{self, Account};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::{self, Decision, Role, Scope};
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::domain::OrgUnit;
use crate::error::{AppError, AppResult};
use crate::ids::{encode, AccountId, GrantId, Id, Kind};
use crate::tree::read;

/// What `createAccount` takes.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// The role of its first grant, at `scope_unit` (`None`: the region).
    pub role: Role,
    pub scope_unit: Option<i64>,
}

/// Creates an account with its first grant: an ADMIN, inside their scope.
pub fn create_account(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    input: NewAccount,
) -> AppResult<Account> {
    let scope = grants::scope_of(conn, input.scope_unit)?;
    policy::may_grant(&actor.viewer.grants(), input.role, &scope)
        .answer("create that account", || {
            AppError::unit_not_found("scopeId")
        })?;
    let account = store::create(
        conn,
        &input.username,
        &input.display_name,
        &input.password,
        actor.now,
    )?;
    let after = json!({ "username": account.username, "displayName": account.display_name });
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            "CREATE_ACCOUNT",
            encode(Kind::Account, account.id),
            None,
            None,
            Some(&after),
        ),
    )?;
    grant_role(
        conn,
        actor,
        Grantee::Created(account.id),
        input.role,
        input.scope_unit,
    )?;
    Ok(account)
}

/// Renames an account the viewer manages.
pub fn rename_account(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    account_id: AccountId,
    display_name: &str,
) -> AppResult<Account> {
    let account_id = account_id.get();
    let before = may_manage(conn, actor, account_id, "id")?;
    store::set_display_name(conn, account_id, display_name)?;
    let after = found(conn, account_id)?;
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            "UPDATE_ACCOUNT",
            encode(Kind::Account, account_id),
            None,
            Some(&json!({ "displayName": before.display_name })),
            Some(&json!({ "displayName": after.display_name })),
        ),
    )?;
    Ok(after)
}

/// Disables (or re-enables) an account the viewer manages; disabling ends
/// its sessions at once (the caller drops its cached session after the
/// commit, as after every grant change).
pub fn disable_account(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    auth: &AuthService,
    account_id: AccountId,
    disabled: bool,
) -> AppResult<Account> {
    let account_id = account_id.get();
    may_manage(conn, actor, account_id, "id")?;
    store::set_disabled(conn, account_id, disabled)?;
    if disabled {
        auth.void_all(conn, account_id, actor.now)?;
    }
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            "DISABLE_ACCOUNT",
            encode(Kind::Account, account_id),
            None,
            None,
            Some(&json!({ "disabled": disabled })),
        ),
    )?;
    found(conn, account_id)
}

/// Gives `grantee` `role` at `scope_unit` (`None`: the region), under the
/// rules of [`grants::grant`], and records it.
pub fn grant_role(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    grantee: Grantee,
    role: Role,
    scope_unit: Option<i64>,
) -> AppResult<GrantRow> {
    let row = grants::grant(conn, actor.viewer, grantee, role, scope_unit, actor.now)?;
    audit_grant(conn, actor, "GRANT_ROLE", &row)?;
    Ok(row)
}

/// Takes a grant away, under the same rule as giving it, and records it.
pub fn revoke_role(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    grant_id: GrantId,
) -> AppResult<GrantRow> {
    let row = grants::revoke(conn, actor.viewer, grant_id.get())?;
    audit_grant(conn, actor, "REVOKE_ROLE", &row)?;
    Ok(row)
}

fn found(conn: &mut DbConnection, account_id: i64) -> AppResult<Account> {
    store::find(conn, account_id)?.ok_or_else(|| AppError::not_found("no account found for id"))
}

/// The account, if the viewer may manage it: an ADMIN over every grant it
/// holds (an account without grants: a region ADMIN), and not themselves.
/// Out of scope answers as missing; partly in scope is FORBIDDEN.
fn may_manage(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    account_id: i64,
    field: &str,
) -> AppResult<Account> {
    let missing = || AppError::not_found(format!("no account found for {field}"));
    if actor.viewer.account_id() == Some(account_id) {
        return Err(AppError::Forbidden(
            "nobody manages their own account here; use changePassword".to_owned(),
        ));
    }
    // Both lookups run whether or not the account exists, so a missing
    // account and one out of scope cost the same statements.
    let account = store::find(conn, account_id)?;
    let held = grants::of_account(conn, account_id)?;
    let account = account.ok_or_else(missing)?;
    let mine = actor.viewer.grants();
    let decisions: Vec<Decision> = if held.is_empty() {
        vec![policy::may_grant(&mine, Role::Viewer, &Scope::Region)]
    } else {
        held.iter()
            .map(|g| policy::may_grant(&mine, g.role, &g.scope))
            .collect()
    };
    let decision = if decisions.iter().all(|d| *d == Decision::Allow) {
        Decision::Allow
    } else if decisions.iter().all(|d| *d == Decision::Hidden) {
        Decision::Hidden
    } else {
        Decision::Forbidden
    };
    decision.answer(
        "manage an account that holds grants outside your scope",
        missing,
    )?;
    Ok(account)
}

/// The audit line of a grant given or taken, filed under its scope unit.
fn audit_grant(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    row: &GrantRow,
) -> AppResult<()> {
    let unit: Option<OrgUnit> = row
        .scope_unit_id
        .map(|id| read::get(conn, &Visibility::Everything, id, "scopeId"))
        .transpose()?;
    let what = json!({ "account": row.account_id, "role": row.role, "scope": row.scope_unit_id });
    let (before, after) = if action == "REVOKE_ROLE" {
        (Some(&what), None)
    } else {
        (None, Some(&what))
    };
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            action,
            encode(Kind::Grant, row.id),
            unit.as_ref(),
            before,
            after,
        ),
    )
}
