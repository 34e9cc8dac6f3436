//! `node(id:)`: any entity by its global id, under the same rules as its
//! own lookups. Whatever the kind, an id that is missing, or names
//! something the caller may not see, gets the same NOT_FOUND.

use async_graphql::{Context, Object, Result, ID};

use super::visible_person;
use crate::accounts::{grants, store as accounts};
use crate::audit;
use crate::auth::policy::{self, ActionKind, Decision, Sight};
use crate::auth::Visibility;
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode_any, Kind};
use crate::graphql::types::account::{Account, Grant};
use crate::graphql::types::audit_entry::AuditEntry;
use crate::graphql::types::node::Node;
use crate::graphql::types::org_unit::OrgUnit;
use crate::graphql::types::position::Position;
use crate::people::store as people;
use crate::tree::read;

#[derive(Default)]
pub struct NodeQuery;

fn missing() -> async_graphql::Error {
    AppError::not_found("no node found for id").into()
}

#[Object]
impl NodeQuery {
    /// Any entity by its global id (Relay): a unit, person, post, account,
    /// grant or audit line. NOT_FOUND, with one message for every kind,
    /// when there is none or the viewer may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, n) = decode_any(&id, "id")?;
        let viewer = ctx.viewer().clone();
        if kind != Kind::OrgUnit {
            viewer.require_signed_in()?;
        }
        let node = match kind {
            Kind::ServiceActivity | Kind::Problem | Kind::DutyLog | Kind::TrainingSession => {
                super::service_node(ctx, kind, n).await?
            }
            Kind::OrgUnit => {
                // Missing and unseen alike are `None`; an outage stays an error.
                let visibility = ctx.visibility();
                let unit = ctx
                    .db()
                    .read(move |c| read::find(c, &visibility, n))
                    .await?;
                unit.map(|u| Node::OrgUnit(OrgUnit(u)))
            }
            Kind::Person => visible_person(ctx, n).await?.map(Node::Person),
            Kind::Position => {
                let post = ctx.db().read(move |c| people::find_position(c, n)).await?;
                let unit = match &post {
                    Some(p) => ctx.request().units.load_one(p.unit_id).await?,
                    None => None,
                };
                let seen = unit.is_some_and(|u| ctx.visibility().sight(&u) == Sight::Full);
                post.filter(|_| seen).map(|p| Node::Position(Position(p)))
            }
            Kind::Account => {
                let own = viewer.account_id() == Some(n);
                let found = ctx
                    .db()
                    .read(move |c| {
                        let account = accounts::find(c, n)?;
                        let managed = grants::manages_account(c, &viewer, n)?;
                        Ok(account.filter(|_| own || managed))
                    })
                    .await?;
                found.map(|a| Node::Account(Account(a)))
            }
            Kind::Grant => {
                let found = ctx
                    .db()
                    .read(move |c| {
                        let Some(row) = grants::find_row(c, n)? else {
                            return Ok(None);
                        };
                        let resolved = grants::resolve(c, std::slice::from_ref(&row))?;
                        let own = viewer.account_id() == Some(row.account_id);
                        let managed = resolved.first().is_some_and(|g| {
                            policy::may_grant(&viewer.grants(), g.role, &g.scope) == Decision::Allow
                        });
                        Ok(Some(row).filter(|_| own || managed))
                    })
                    .await?;
                found.map(|g| Node::Grant(Grant(g)))
            }
            Kind::AuditEntry => {
                let found = ctx
                    .db()
                    .read(move |c| {
                        let Some(row) = audit::find(c, n)? else {
                            return Ok(None);
                        };
                        // Readable by whoever may read the audit log at the
                        // line's unit (the region's, for lines without one).
                        let unit = row
                            .unit_id
                            .map(|u| read::find(c, &Visibility::Everything, u))
                            .transpose()?
                            .flatten();
                        let allowed = viewer
                            .check(ActionKind::ReadAudit, unit.as_ref(), "id")
                            .is_ok();
                        Ok(Some(row).filter(|_| allowed))
                    })
                    .await?;
                found.map(|r| Node::AuditEntry(AuditEntry(r)))
            }
            Kind::Household
            | Kind::PointsList
            | Kind::PointsItem
            | Kind::PointRecord
            | Kind::Redemption => super::points::points_node(ctx, kind, n).await?,
        };
        node.map(Some).ok_or_else(missing)
    }
}
