//! `AuditEntry`: one line of the audit log.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use crate::audit::{self, AuditRow};
use crate::auth::policy::Sight;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};

/// An audit line's JSON as the reader may see it: the units it names are
/// loaded in one batch, and those not seen in full are left out.
async fn scoped(ctx: &Context<'_>, json: Option<&str>) -> Result<Option<String>> {
    let Some(json) = json else { return Ok(None) };
    let ids = audit::unit_ids_in(json);
    if ids.is_empty() {
        return Ok(Some(json.to_owned()));
    }
    let units = ctx.request().units.load_many(ids).await?;
    let visibility = ctx.request().visibility();
    let seen = |id: i64| {
        units
            .get(&id)
            .is_some_and(|u| visibility.sight(u) == Sight::Full)
    };
    Ok(Some(audit::redact(json, &seen)))
}

/// Who did what, when, to what, with the state before and after.
pub struct AuditEntry(pub AuditRow);

crate::graphql::connection::listed!(AuditEntry, AuditRow, "AuditEntry");

/// Who did what, when, to what, with the state before and after.
#[Object]
impl AuditEntry {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::AuditEntry, self.0.id)
    }

    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at.and_utc()
    }

    /// The acting account's username (`system` for the server itself; the
    /// name tried, for a failed sign-in).
    async fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }

    /// The acting account, if any.
    async fn account_id(&self) -> Option<ID> {
        self.0.account_id.map(|id| encode(Kind::Account, id))
    }

    /// What was done, e.g. `MOVE_UNIT`, `GRANT_ROLE`, `LOGIN_FAILED`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The global id (or description) of what it was done to.
    async fn target(&self) -> Option<&str> {
        self.0.target.as_deref()
    }

    /// The state before, as JSON; ids of units outside the reader's scope
    /// are left out.
    async fn before(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        scoped(ctx, self.0.before_json.as_deref()).await
    }

    /// The state after, as JSON; ids of units outside the reader's scope
    /// are left out.
    async fn after(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        scoped(ctx, self.0.after_json.as_deref()).await
    }

    /// The `x-request-id` of the request that did it.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
