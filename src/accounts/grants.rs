//! The `grants` table: a role at a scope, per account.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::store;
use crate::auth::policy::{self, Decision, Grant, Role, Scope, UnitRef};
use crate::auth::{Viewer, Visibility};
use crate::db::schema::grants::{self, dsl as g};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::tree::read;

/// A stored grant.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = grants)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct GrantRow {
    pub id: i64,
    pub account_id: i64,
    pub role: String,
    pub scope_unit_id: Option<i64>,
    pub granted_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = grants)]
struct NewGrant {
    account_id: i64,
    role: String,
    scope_unit_id: Option<i64>,
    granted_by: Option<i64>,
    created_at: NaiveDateTime,
}

/// The policy's view of stored grants: scope units resolved to their
/// ancestry in one statement.
pub fn resolve(conn: &mut DbConnection, rows: &[GrantRow]) -> AppResult<Vec<Grant>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.scope_unit_id).collect();
    let units = read::find_many(conn, &Visibility::Everything, &ids)?;
    rows.iter()
        .map(|r| {
            let role = Role::parse(&r.role)
                .ok_or_else(|| AppError::internal(format!("grant {} has role {}", r.id, r.role)))?;
            let scope = match r.scope_unit_id {
                None => Scope::Region,
                Some(id) => Scope::Unit(
                    units
                        .iter()
                        .find(|u| u.id == id)
                        .map(UnitRef::from)
                        .ok_or_else(|| {
                            AppError::internal(format!("grant {} has no scope unit", r.id))
                        })?,
                ),
            };
            Ok(Grant {
                id: r.id,
                role,
                scope,
            })
        })
        .collect()
}

pub fn rows_of(conn: &mut DbConnection, account_id: i64) -> AppResult<Vec<GrantRow>> {
    Ok(g::grants
        .filter(g::account_id.eq(account_id))
        .order(g::id)
        .select(GrantRow::as_select())
        .load(conn)?)
}

/// What `account_id` holds, ready for the policy.
pub fn of_account(conn: &mut DbConnection, account_id: i64) -> AppResult<Vec<Grant>> {
    let rows = rows_of(conn, account_id)?;
    resolve(conn, &rows)
}

/// Every grant row (for listing, filtered by the caller).
pub fn all_rows(conn: &mut DbConnection) -> AppResult<Vec<GrantRow>> {
    Ok(g::grants
        .order(g::id)
        .select(GrantRow::as_select())
        .load(conn)?)
}

pub fn find_row(conn: &mut DbConnection, id: i64) -> AppResult<Option<GrantRow>> {
    Ok(g::grants
        .find(id)
        .select(GrantRow::as_select())
        .first(conn)
        .optional()?)
}

fn refuse(decision: Decision, what: &str) -> AppResult<()> {
    decision.answer(what, || AppError::unit_not_found("scopeId"))
}

/// Gives `account_id` `role` at `scope_unit` (`None`: the region), if the
/// granting viewer may: an ADMIN whose scope holds it, never for themselves.
/// Who receives a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grantee {
    /// An existing account: the granting ADMIN must already manage it (one
    /// of its grants lies within the ADMIN's scope, as in `accounts`); any
    /// other answers exactly as a missing account.
    Managed(i64),
    /// An account the ADMIN creates in the same transaction.
    Created(i64),
}

pub fn grant(
    conn: &mut DbConnection,
    viewer: &Viewer,
    grantee: Grantee,
    role: Role,
    scope_unit: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<GrantRow> {
    let account_id = match grantee {
        Grantee::Managed(id) | Grantee::Created(id) => id,
    };
    viewer.require_signed_in()?;
    if viewer.account_id() == Some(account_id) {
        return Err(AppError::Forbidden(
            "nobody edits their own grants".to_owned(),
        ));
    }
    let scope = match scope_unit {
        None => Scope::Region,
        Some(id) => Scope::Unit(UnitRef::from(&read::get(
            conn,
            &Visibility::Everything,
            id,
            "scopeId",
        )?)),
    };
    refuse(
        policy::may_grant(&viewer.grants(), role, &scope),
        "grant that role there",
    )?;
    if let Grantee::Managed(id) = grantee {
        // Both lookups run either way: a missing account and one out of
        // scope cost the same statements.
        let exists = store::find(conn, id)?.is_some();
        let managed = manages_account(conn, viewer, id)? && exists;
        if !managed {
            return Err(AppError::not_found("no account found for accountId"));
        }
    }
    let existing = rows_of(conn, account_id)?;
    if let Some(same) = existing
        .iter()
        .find(|r| r.role == role.as_str() && r.scope_unit_id == scope_unit)
    {
        return Ok(same.clone());
    }
    diesel::insert_into(grants::table)
        .values(&NewGrant {
            account_id,
            role: role.as_str().to_owned(),
            scope_unit_id: scope_unit,
            granted_by: viewer.account_id(),
            created_at: now.naive_utc(),
        })
        .execute(conn)?;
    rows_of(conn, account_id)?
        .into_iter()
        .rev()
        .find(|r| r.role == role.as_str() && r.scope_unit_id == scope_unit)
        .ok_or_else(|| AppError::internal("grant vanished after insert"))
}

/// Removes a grant, under the same rule as giving it.
pub fn revoke(conn: &mut DbConnection, viewer: &Viewer, grant_id: i64) -> AppResult<GrantRow> {
    viewer.require_signed_in()?;
    let row = find_row(conn, grant_id)?
        .ok_or_else(|| AppError::not_found("no grant found for grantId"))?;
    if viewer.account_id() == Some(row.account_id) {
        return Err(AppError::Forbidden(
            "nobody edits their own grants".to_owned(),
        ));
    }
    let resolved = resolve(conn, std::slice::from_ref(&row))?;
    let grant = resolved
        .first()
        .ok_or_else(|| AppError::internal("grant did not resolve"))?;
    policy::may_grant(&viewer.grants(), grant.role, &grant.scope)
        .answer("revoke that grant", || {
            AppError::not_found("no grant found for grantId")
        })?;
    diesel::delete(g::grants.find(grant_id)).execute(conn)?;
    Ok(row)
}

/// Whether `viewer` manages account `account_id`: it holds at least one
/// grant that the viewer could have given (the same rule as the `accounts`
/// list). An account that holds nothing is the region's.
pub fn manages_account(
    conn: &mut DbConnection,
    viewer: &Viewer,
    account_id: i64,
) -> AppResult<bool> {
    let mine = viewer.grants();
    let rows = rows_of(conn, account_id)?;
    if rows.is_empty() {
        return Ok(policy::may_grant(&mine, Role::Viewer, &Scope::Region) == Decision::Allow);
    }
    let held = resolve(conn, &rows)?;
    Ok(held
        .iter()
        .any(|g| policy::may_grant(&mine, g.role, &g.scope) == Decision::Allow))
}

/// The grants `viewer` manages (an ADMIN over each), at or beneath `under`
/// when given, of `account` when given. Refuses viewers who manage nothing
/// there.
pub fn managed_by(
    conn: &mut DbConnection,
    viewer: &Viewer,
    under: Option<i64>,
    account: Option<i64>,
) -> AppResult<Vec<GrantRow>> {
    viewer.require_signed_in()?;
    let mine = viewer.grants();
    let under_unit = under
        .map(|id| read::get(conn, &Visibility::Everything, id, "under"))
        .transpose()?;
    match &under_unit {
        Some(u) => viewer.check(policy::ActionKind::ManageGrants, Some(u), "under")?,
        None if !mine.iter().any(|g| g.role == Role::Admin) => {
            return Err(AppError::Forbidden("this needs an ADMIN grant".to_owned()))
        }
        None => {}
    }
    let rows = all_rows(conn)?;
    let resolved = resolve(conn, &rows)?;
    Ok(rows
        .into_iter()
        .zip(resolved)
        .filter(|(r, _)| account.is_none_or(|a| r.account_id == a))
        .filter(|(_, g)| policy::may_grant(&mine, g.role, &g.scope) == Decision::Allow)
        .filter(|(_, g)| match (&under_unit, &g.scope) {
            (None, _) => true,
            (Some(_), Scope::Region) => false,
            (Some(u), Scope::Unit(s)) => s.id == u.id || s.ancestry.contains(u.id),
        })
        .map(|(r, _)| r)
        .collect())
}
