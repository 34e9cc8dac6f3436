//! Links to report downloads, for browsers that cannot send a header.

use async_graphql::{Context, Object, Result, ID};

use crate::accounts::sessions::AuthService;
use crate::error::AppError;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::query::scope_unit;
use crate::graphql::types::report_link::{ReportFormat, ReportKind, ReportLink};
use crate::limits::REPORT_LINK_SECONDS;

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// A link that downloads a report without an `Authorization` header,
    /// valid for a minute: for `<a href>` and `window.open`. The viewer's
    /// access rules apply as for `GET /reports/…`; `under` must be a unit
    /// the viewer sees in full.
    async fn report_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which report.")] report: ReportKind,
        #[graphql(desc = "Excel or CSV.")] format: ReportFormat,
        #[graphql(desc = "The unit to report beneath (default: the viewer's whole scope).")]
        under: Option<ID>,
    ) -> Result<ReportLink> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let account_id = viewer
            .account_id()
            .ok_or_else(|| AppError::Forbidden("the server itself has no account".to_owned()))?;
        scope_unit(ctx, under.clone()).await?;
        let file = report.file(format);
        let under = under.map(|id| id.0);
        let keys = &ctx.data_unchecked::<std::sync::Arc<AuthService>>().keys;
        let ttl = chrono::Duration::seconds(REPORT_LINK_SECONDS);
        let (token, expires_at) =
            keys.issue_report_link(account_id, &file, under.as_deref(), now(), ttl)?;
        let url = match under {
            Some(u) => format!("/reports/{file}?under={u}&link={token}"),
            None => format!("/reports/{file}?link={token}"),
        };
        Ok(ReportLink { url, expires_at })
    }
}
