//! Coverage queries: the aggregate, and the list of gaps.

use async_graphql::{Context, Object, Result, ID};

use super::tree::load_unit;
use crate::auth::policy::{Sight, UnitRef};
use crate::auth::Visibility;
use crate::domain::coverage::{Coverage as Tally, CoverageKey, GapReason};
use crate::domain::{Level, UnitType};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::connection::{unit_connection, OrgUnitConnection, PageArgs};
use crate::graphql::types::coverage::Coverage;
use crate::graphql::types::org_unit::page_cost;
use crate::tree::{coverage, read, UnitFilter};

#[derive(Default)]
pub struct CoverageQuery;

/// The fully visible unit `under` names, or NOT_FOUND.
async fn scope_unit(ctx: &Context<'_>, under: Option<ID>) -> Result<Option<UnitRef>> {
    let Some(id) = under else { return Ok(None) };
    let unit = load_unit(ctx, decode(&id, Kind::OrgUnit, "under")?, "under").await?;
    if ctx.visibility().sight(&unit.0) != Sight::Full {
        return Err(read::unit_not_found("under").into());
    }
    Ok(Some(UnitRef::from(&unit.0)))
}

#[Object]
impl CoverageQuery {
    /// Organizational coverage of the management units (levels 1–4) beneath
    /// `under`, or of everything the viewer may see: totals, covered units,
    /// gaps and rate, per level and per unit type, with counts per form.
    /// Counted by units, from counters kept up to date by every write.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
    ) -> Result<Coverage> {
        ctx.viewer().require_signed_in()?;
        let scope = scope_unit(ctx, under).await?;
        let visibility = ctx.visibility();
        let tally = ctx
            .db()
            .read(move |c| {
                let mut counts: Vec<(CoverageKey, i64)> = Vec::new();
                match (scope, &visibility) {
                    (Some(unit), _) => counts.extend(coverage::counts(c, unit.id)?),
                    (None, Visibility::Everything) => {
                        counts.extend(coverage::counts(c, coverage::REGION)?)
                    }
                    (None, Visibility::Nothing) => {}
                    (None, Visibility::Units(scopes)) => {
                        // Each outermost scope unit: itself and what lies beneath it.
                        let outermost: Vec<UnitRef> = scopes
                            .iter()
                            .filter(|s| !scopes.iter().any(|o| s.ancestry.contains(o.id)))
                            .copied()
                            .collect();
                        let ids: Vec<i64> = outermost.iter().map(|s| s.id).collect();
                        let units = read::find_many(c, &Visibility::Everything, &ids)?;
                        for unit in &units {
                            counts.extend(coverage::counts(c, unit.id)?);
                            let host = match unit.host_unit_id {
                                Some(h) => read::find(c, &Visibility::Everything, h)?,
                                None => None,
                            };
                            let children = read::active_children(c, unit.id)?;
                            if let Some(key) = CoverageKey::of(unit, host.as_ref(), children) {
                                counts.push((key, 1));
                            }
                        }
                    }
                }
                Ok(Tally::from_counts(counts))
            })
            .await?;
        Ok(tally.into())
    }

    /// The units that are coverage gaps (each with `gapReason`, and
    /// `ancestors` for display), in creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn coverage_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Only units of this type.")] unit_type: Option<UnitType>,
        #[graphql(desc = "Only gaps for this reason.")] reason: Option<GapReason>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = UnitFilter {
            under: scope_unit(ctx, under).await?,
            level,
            unit_type,
            gaps: Some(reason),
            ..UnitFilter::default()
        };
        unit_connection(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }

    /// Active management units (levels 1–4) with no active child: where the
    /// five-level chain (五级联动) is broken. In creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn chain_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = UnitFilter {
            under: scope_unit(ctx, under).await?,
            level,
            childless: true,
            ..UnitFilter::default()
        };
        unit_connection(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}
