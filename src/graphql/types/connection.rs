//! `OrgUnitConnection`: a Relay connection over units, with `totalCount`
//! computed only when asked for.

use async_graphql::{Context, Object, Result};

use super::order::OrgUnitOrder;
use super::org_unit::OrgUnit;
use crate::domain;
pub use crate::graphql::connection::PageArgs;
use crate::graphql::connection::{connection, sorted_connection, ConnectionOf};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{prefetch_posts, Holder};
use crate::tree::{read, UnitFilter};

/// A page of units.
pub type OrgUnitConnection = ConnectionOf<OrgUnit, UnitListTotals>;

/// The list-wide fields of an `OrgUnitConnection`.
pub struct UnitListTotals {
    filter: UnitFilter,
}

#[Object]
impl UnitListTotals {
    /// How many units the list holds across all its pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let filter = self.filter.clone();
        let visibility = ctx.visibility();
        Ok(ctx
            .db()
            .read(move |c| read::count(c, &visibility, &filter))
            .await?)
    }
}

/// Loads one page of `filter`, in creation order, as a connection.
pub async fn unit_connection(
    ctx: &Context<'_>,
    filter: UnitFilter,
    args: PageArgs,
) -> Result<OrgUnitConnection> {
    sorted_unit_connection(ctx, filter, args, None).await
}

/// Loads one page of `filter` in `order` (`None`: creation order).
pub async fn sorted_unit_connection(
    ctx: &Context<'_>,
    filter: UnitFilter,
    args: PageArgs,
    order: Option<OrgUnitOrder>,
) -> Result<OrgUnitConnection> {
    let order = order.map(domain::Order::from);
    let (page, sorted) = args.sorted_page::<OrgUnit>(order)?;
    let visibility = ctx.visibility();
    let query_filter = filter.clone();
    let by_rate = order.is_some_and(|o| o.field == domain::SortField::CoverageRate);
    let (result, rates) = ctx
        .db()
        .read(move |c| {
            let result = read::list(c, &visibility, &query_filter, page, sorted.as_ref())?;
            // A rate is kept by the counters: read the page's keys with it.
            let rates = if by_rate {
                let ids: Vec<i64> = result.items.iter().map(|u| u.id).collect();
                read::rate_keys(c, &ids)?
            } else {
                Default::default()
            };
            Ok((result, rates))
        })
        .await?;
    prefetch(ctx, &result.items).await?;
    let totals = UnitListTotals { filter };
    Ok(match order {
        None => connection(result, totals),
        Some(o) => sorted_connection(result, totals, |u: &domain::OrgUnit| {
            let key = match rates.get(&u.id) {
                Some(rate) => rate.clone(),
                None => o.key_of(u),
            };
            Some((o.tag(), key))
        }),
    })
}

/// Loads, in one batch each, the related units and subtree counts the
/// query asks of the page's units, so that resolving them per unit hits the
/// request's cache. The cost of a page then does not depend on its size or
/// on how the executor interleaves the per-unit resolvers.
async fn prefetch(ctx: &Context<'_>, units: &[domain::OrgUnit]) -> Result<()> {
    if units.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let selections = [look.field("nodes"), look.field("edges").field("node")];
    let wants = |field: &str| selections.iter().any(|s| s.field(field).exists());
    let mut related: Vec<i64> = Vec::new();
    if wants("parent") {
        related.extend(units.iter().filter_map(|u| u.parent_id));
    }
    if wants("hostUnit") || wants("gapReason") || wants("covered") {
        related.extend(units.iter().filter_map(|u| u.host_unit_id));
    }
    if wants("ancestors") {
        related.extend(units.iter().flat_map(|u| u.ancestry.ids()));
    }
    if !related.is_empty() {
        related.sort_unstable();
        related.dedup();
        ctx.request().units.load_many(related).await?;
    }
    let holders: Vec<Holder> = units.iter().map(|u| Holder::Unit(u.id)).collect();
    prefetch_posts(ctx, &holders).await?;
    if wants("subtreeCounts") {
        let keys: Vec<_> = units.iter().map(|u| (u.id, u.level())).collect();
        ctx.request().subtree_counts.load_many(keys).await?;
    }
    Ok(())
}
