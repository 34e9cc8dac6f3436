//! `Account` and `Grant`: who may sign in, and what each may do where.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::org_unit::OrgUnit;
use crate::accounts::grants::GrantRow;
use crate::accounts::{self, Account as AccountRow};
use crate::auth::policy::Role;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::graphql::query::load_unit;

/// An account that signs in with a username and password.
pub struct Account(pub AccountRow);

crate::graphql::connection::listed!(Account, AccountRow, "Account");

/// An account that signs in with a username and password.
#[Object]
impl Account {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Account, self.0.id)
    }

    /// The name used to sign in.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// The name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// A disabled account cannot sign in, and its tokens stop working.
    async fn disabled(&self) -> bool {
        self.0.disabled
    }

    /// When the account was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }

    /// When it last signed in (UTC).
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at.map(|t| t.and_utc())
    }

    /// Its grants (those whose scope the viewer may see).
    async fn grants(&self, ctx: &Context<'_>) -> Result<Vec<Grant>> {
        let id = self.0.id;
        let visibility = ctx.visibility();
        let rows = ctx
            .db()
            .read(move |c| {
                let rows = accounts::grants::rows_of(c, id)?;
                let resolved = accounts::grants::resolve(c, &rows)?;
                Ok(rows
                    .into_iter()
                    .zip(resolved)
                    .filter(|(_, g)| visibility.sees_scope(&g.scope))
                    .map(|(r, _)| r)
                    .collect::<Vec<_>>())
            })
            .await?;
        Ok(rows.into_iter().map(Grant).collect())
    }
}

/// A role at a scope: one unit and its subtree, or (no scope unit) the region.
pub struct Grant(pub GrantRow);

crate::graphql::connection::listed!(Grant, GrantRow, "Grant");

/// A role at a scope: one unit and its subtree, or (no scope unit) the region.
#[Object]
impl Grant {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Grant, self.0.id)
    }

    /// What the grant lets its holder do.
    async fn role(&self) -> Result<Role> {
        Role::parse(&self.0.role).ok_or_else(|| "unknown role".into())
    }

    /// The role's Chinese label.
    async fn role_label(&self) -> &'static str {
        Role::parse(&self.0.role).map_or("", Role::label)
    }

    /// The scope unit; null for the whole region.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        match self.0.scope_unit_id {
            Some(id) => Ok(Some(load_unit(ctx, id, "scope").await?)),
            None => Ok(None),
        }
    }

    /// True for a grant over the whole region (县委组织部).
    async fn region_wide(&self) -> bool {
        self.0.scope_unit_id.is_none()
    }

    /// When it was granted (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}
