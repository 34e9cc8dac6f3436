//! The `grants` table: a role at a scope, per account.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::store;
use crate::auth::policy::{self, Decision, Grant, Role, Scope, UnitRef};
use crate::auth::{Viewer, Visibility};
use crate::db::ancestry::{self, Beneath, GrantsWithScopes};
use crate::db::schema::grants::{self, dsl as g};
use crate::db::schema::org_units::{self, dsl as u};
use crate::db::{DbConnection, MultiBackend};
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

/// The scope a grant at `scope_unit` has (`None`: the region); a unit
/// that does not exist is NOT_FOUND on `scopeId`.
pub fn scope_of(conn: &mut DbConnection, scope_unit: Option<i64>) -> AppResult<Scope> {
    Ok(match scope_unit {
        None => Scope::Region,
        Some(id) => Scope::Unit(UnitRef::from(&read::get(
            conn,
            &Visibility::Everything,
            id,
            "scopeId",
        )?)),
    })
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
    let scope = scope_of(conn, scope_unit)?;
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

/// Which grants a list is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct GrantFilter {
    /// Grants whose scope is this unit or beneath it (never region grants).
    pub under: Option<i64>,
    /// The grants of this account.
    pub account: Option<i64>,
}

type Boxed<'a> = diesel::dsl::IntoBoxed<'a, GrantsWithScopesQuery, MultiBackend>;
type GrantsWithScopesQuery = diesel::dsl::LeftJoinOn<
    grants::table,
    org_units::table,
    diesel::dsl::Eq<diesel::dsl::Nullable<u::id>, g::scope_unit_id>,
>;

/// The grants a viewer manages that a filter keeps, decided once per
/// request and then written as SQL as often as needed.
struct Managed {
    /// Where the viewer manages grants (`None`: everywhere).
    scopes: Option<Vec<UnitRef>>,
    under: Option<UnitRef>,
    account: Option<i64>,
}

impl Managed {
    /// Refuses viewers who manage nothing there.
    fn of(conn: &mut DbConnection, viewer: &Viewer, filter: GrantFilter) -> AppResult<Managed> {
        viewer.require_signed_in()?;
        let mine = viewer.grants();
        let under = filter
            .under
            .map(|id| read::get(conn, &Visibility::Everything, id, "under"))
            .transpose()?;
        match &under {
            Some(u) => viewer.check(policy::ActionKind::ManageGrants, Some(u), "under")?,
            None if !mine.iter().any(|g| g.role == Role::Admin) => {
                return Err(AppError::Forbidden("this needs an ADMIN grant".to_owned()))
            }
            None => {}
        }
        Ok(Managed {
            scopes: policy::grant_scopes(&mine),
            under: under.as_ref().map(UnitRef::from),
            account: filter.account,
        })
    }

    fn query(&self) -> Boxed<'static> {
        type In = GrantsWithScopes;
        let mut q: Boxed<'static> = g::grants
            .left_join(org_units::table.on(u::id.nullable().eq(g::scope_unit_id)))
            .into_boxed();
        if let Some(scopes) = &self.scopes {
            let cond = scopes
                .iter()
                .map(|s| <org_units::table as Beneath<In>>::at_or_beneath(s.id, s.level))
                .reduce(|a, b| Box::new(a.or(b)))
                .unwrap_or_else(ancestry::never);
            q = q.filter(cond);
        }
        if let Some(unit) = &self.under {
            q = q.filter(<org_units::table as Beneath<In>>::at_or_beneath(
                unit.id, unit.level,
            ));
        }
        if let Some(account) = self.account {
            q = q.filter(g::account_id.eq(account));
        }
        q
    }
}

/// A page of the grants `viewer` manages, oldest first, after grant id
/// `after`, and how many there are in all.
pub fn managed_page(
    conn: &mut DbConnection,
    viewer: &Viewer,
    filter: GrantFilter,
    after: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<GrantRow>, i64)> {
    let managed = Managed::of(conn, viewer, filter)?;
    let total: i64 = managed.query().count().get_result(conn)?;
    let mut q = managed.query();
    if let Some(after) = after {
        q = q.filter(g::id.gt(after));
    }
    let rows = q
        .order(g::id)
        .limit(limit)
        .select(GrantRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A page of the accounts holding a grant `viewer` manages, by creation
/// order, after account id `after`, and how many there are in all.
pub fn managed_accounts_page(
    conn: &mut DbConnection,
    viewer: &Viewer,
    filter: GrantFilter,
    after: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<store::Account>, i64)> {
    let managed = Managed::of(conn, viewer, filter)?;
    let total: i64 = managed
        .query()
        .select(diesel::dsl::count(g::account_id).aggregate_distinct())
        .first(conn)?;
    let mut q = managed.query();
    if let Some(after) = after {
        q = q.filter(g::account_id.gt(after));
    }
    let ids: Vec<i64> = q
        .select(g::account_id)
        .distinct()
        .order(g::account_id)
        .limit(limit)
        .load(conn)?;
    Ok((store::find_many(conn, &ids)?, total))
}
