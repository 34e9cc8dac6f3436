//! Queries about accounts, grants and the audit log.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::accounts::grants::{self, GrantFilter};
use crate::accounts::store;
use crate::audit::{self, AuditFilter};
use crate::auth::policy::ActionKind;
use crate::auth::Visibility;
use crate::domain::{Page, PageOf};
use crate::error::AppError;
use crate::graphql::connection::{connection, cursor_id, ConnectionOf, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::account::{Account, Grant};
use crate::graphql::types::audit_entry::AuditEntry;
use crate::tree::read;

#[derive(Default)]
pub struct AccessQuery;

/// Totals of a list.
#[derive(SimpleObject)]
pub struct ListTotals {
    /// How many items the list holds across all its pages.
    pub total_count: i64,
}

/// A page of accounts.
pub type AccountConnection = ConnectionOf<Account, ListTotals>;
/// A page of grants.
pub type GrantConnection = ConnectionOf<Grant, ListTotals>;
/// A page of audit log lines, newest first.
pub type AuditEntryConnection = ConnectionOf<AuditEntry, ListTotals>;

#[Object]
impl AccessQuery {
    /// The signed-in account, with its grants.
    async fn me(&self, ctx: &Context<'_>) -> Result<Account> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let id = viewer
            .account_id()
            .ok_or_else(|| AppError::Forbidden("the server itself has no account".to_owned()))?;
        let account = ctx.db().read(move |c| store::find(c, id)).await?;
        Ok(Account(account.ok_or(AppError::Unauthenticated)?))
    }

    /// Accounts an ADMIN manages: those holding a grant inside the ADMIN's
    /// scope (and inside `under`, when given), by creation order.
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only accounts with a grant at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> Result<AccountConnection> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let under = under
            .map(|id| decode(&id, Kind::OrgUnit, "under"))
            .transpose()?;
        let page = PageArgs::forward(first, after).page::<Account>()?;
        let filter = GrantFilter {
            under,
            account: None,
        };
        let (items, total) = ctx
            .db()
            .read(move |c| {
                let (rows, total) = grants::managed_accounts_page(
                    c,
                    &viewer,
                    filter,
                    page.after,
                    page.fetch_limit(),
                )?;
                Ok((page.finish(rows), total))
            })
            .await?;
        Ok(connection(items, ListTotals { total_count: total }))
    }

    /// Grants an ADMIN manages: those at or beneath the ADMIN's scope (and
    /// `under`, when given), optionally of one account, oldest first.
    async fn grants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only grants at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only the grants of this account.")] account: Option<ID>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> Result<GrantConnection> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let under = under
            .map(|id| decode(&id, Kind::OrgUnit, "under"))
            .transpose()?;
        let account = account
            .map(|id| decode(&id, Kind::Account, "account"))
            .transpose()?;
        let page = PageArgs::forward(first, after).page::<Grant>()?;
        let filter = GrantFilter { under, account };
        let (items, total) = ctx
            .db()
            .read(move |c| {
                let (rows, total) =
                    grants::managed_page(c, &viewer, filter, page.after, page.fetch_limit())?;
                Ok((page.finish(rows), total))
            })
            .await?;
        Ok(connection(items, ListTotals { total_count: total }))
    }

    /// The audit log of a scope, newest first (ADMINs of that scope).
    /// Without `under`, the whole region (region ADMINs).
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Lines about this unit or anything beneath it.")] under: Option<ID>,
        #[graphql(desc = "Only what this account did.")] account: Option<ID>,
        #[graphql(desc = "Only this action, e.g. MOVE_UNIT.")] action: Option<String>,
        #[graphql(desc = "From this time on (inclusive).")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Before this time.")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after (towards older lines).")] after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let viewer = ctx.viewer().clone();
        let under = under
            .map(|id| decode(&id, Kind::OrgUnit, "under"))
            .transpose()?;
        let account = account
            .map(|id| decode(&id, Kind::Account, "account"))
            .transpose()?;
        // Newest first: `after` walks towards older lines, as `before` would.
        let before = cursor_id::<AuditEntry>(after.as_deref(), "after")?;
        let page = Page::new(first, None, None, before)?;
        let (rows, total) = ctx
            .db()
            .read(move |c| {
                let unit = under
                    .map(|id| read::get(c, &Visibility::Everything, id, "under"))
                    .transpose()?;
                viewer.check(ActionKind::ReadAudit, unit.as_ref(), "under")?;
                let filter = AuditFilter {
                    under: unit.as_ref().map(|u| (u.id, u.level())),
                    account_id: account,
                    action,
                    from: from.map(|t| t.naive_utc()),
                    to: to.map(|t| t.naive_utc()),
                };
                let rows = audit::list(c, &filter, page.before, page.fetch_limit())?;
                let more = rows.len() > page.limit;
                let total = audit::count(c, &filter)?;
                let mut rows = rows;
                rows.truncate(page.limit);
                Ok((
                    PageOf {
                        items: rows,
                        has_previous_page: page.before.is_some(),
                        has_next_page: more,
                    },
                    total,
                ))
            })
            .await?;
        Ok(connection(rows, ListTotals { total_count: total }))
    }
}
