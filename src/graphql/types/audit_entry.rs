//! `AuditEntry`: one line of the audit log.

use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use crate::audit::AuditRow;
use crate::graphql::ids::{encode, Kind};

/// Who did what, when, to what, with the state before and after.
pub struct AuditEntry(pub AuditRow);

#[Object]
impl AuditEntry {
    /// Opaque global id.
    async fn id(&self) -> ID {
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

    /// The state before, as JSON.
    async fn before(&self) -> Option<&str> {
        self.0.before_json.as_deref()
    }

    /// The state after, as JSON.
    async fn after(&self) -> Option<&str> {
        self.0.after_json.as_deref()
    }

    /// The `x-request-id` of the request that did it.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
