//! Queries of the tree.

use async_graphql::{Context, Object, Result, ID};

use crate::auth::policy::Sight;
use crate::domain::{Level, OrgForm, UnitType};
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::connection::{sorted_unit_connection, OrgUnitConnection, PageArgs};
use crate::graphql::types::order::OrgUnitOrder;
use crate::graphql::types::org_unit::page_cost;
use crate::graphql::types::org_unit::OrgUnit;
use crate::tree::{read, UnitFilter};

#[derive(Default)]
pub struct TreeQuery;

#[Object]
impl TreeQuery {
    /// One unit, by global id or by code (give exactly one). A code held by
    /// an active unit finds that unit; otherwise the most recently dissolved
    /// unit that held it.
    async fn org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit's global id.")] id: Option<ID>,
        #[graphql(desc = "The unit's code.")] code: Option<String>,
    ) -> Result<Option<OrgUnit>> {
        match (id, code) {
            (Some(id), None) => Ok(Some(
                load_unit(ctx, decode(&id, Kind::OrgUnit, "id")?, "id").await?,
            )),
            (None, Some(code)) => {
                let visibility = ctx.visibility();
                let found = ctx
                    .db()
                    .read(move |c| read::find_by_code(c, &visibility, &code))
                    .await?;
                Ok(Some(OrgUnit(
                    found.ok_or_else(|| AppError::unit_not_found("code"))?,
                )))
            }
            _ => Err(AppError::bad_input("id", "give exactly one of id and code").into()),
        }
    }

    /// Units of the tree, filtered, in creation order or `orderBy`. Without
    /// `under`, the whole visible region.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn org_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit (at any depth).")] under: Option<ID>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Only units of this type.")] unit_type: Option<UnitType>,
        #[graphql(desc = "Only units with this organization form.")] org_form: Option<OrgForm>,
        #[graphql(desc = "Part of the name or of the code.")] search: Option<String>,
        #[graphql(desc = "Include dissolved units (default false).")] include_dissolved: Option<
            bool,
        >,
        #[graphql(desc = "Sort order (default: creation order).")] order_by: Option<OrgUnitOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        let under = match under {
            Some(id) => {
                let unit = load_unit(ctx, decode(&id, Kind::OrgUnit, "under")?, "under").await?;
                // A breadcrumb (an ancestor of the viewer's scope) has no
                // visible subtree of its own to list.
                if ctx.visibility().sight(&unit.0) != Sight::Full {
                    return Err(AppError::unit_not_found("under").into());
                }
                Some((&unit.0).into())
            }
            None => None,
        };
        let filter = UnitFilter {
            under,
            level,
            unit_type,
            org_form,
            search: crate::domain::text::search(search)?,
            include_dissolved: include_dissolved.unwrap_or(false),
            ..UnitFilter::default()
        };
        sorted_unit_connection(
            ctx,
            filter,
            PageArgs::new(first, after, last, before),
            order_by,
        )
        .await
    }
}

/// A visible unit by id, or `NOT_FOUND` naming `field`. Read at once (a
/// root field has nothing to batch with) and left in the request's cache.
pub async fn load_unit(ctx: &Context<'_>, id: i64, field: &str) -> Result<OrgUnit> {
    let visibility = ctx.visibility();
    let unit = ctx
        .db()
        .read(move |c| read::find(c, &visibility, id))
        .await?
        .ok_or_else(|| AppError::unit_not_found(field))?;
    ctx.request().units.feed_one(unit.id, unit.clone()).await;
    Ok(OrgUnit(unit))
}
