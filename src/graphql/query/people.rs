//! People queries: one person, and lists narrowed by the viewer's scope.

use async_graphql::{Context, Object, Result, ID};

use super::coverage::scope_unit;
use crate::auth::policy::Sight;
use crate::domain::people::{PoliticalStatus, PositionRole};
use crate::domain::Order;
use crate::error::AppError;
use crate::graphql::connection::{connection, sorted_connection, PageArgs};
use crate::graphql::context::{now, ContextExt};
use crate::graphql::ids::{decode, Kind};
use crate::graphql::loaders::{prefetch_posts, Holder};
use crate::graphql::types::order::PersonOrder;
use crate::graphql::types::person::{Person, PersonConnection, PersonListTotals};
use crate::graphql::types::scalars::Date;
use crate::people::store::PostsOf;
use crate::people::{store, PersonFilter};

#[derive(Default)]
pub struct PeopleQuery;

/// One page of `filter`, as a connection.
pub async fn person_connection(
    ctx: &Context<'_>,
    filter: PersonFilter,
    args: PageArgs,
    order: Option<PersonOrder>,
) -> Result<PersonConnection> {
    let order = order.map(Order::from);
    let (page, sorted) = args.sorted_page::<Person>(order)?;
    let visibility = ctx.visibility();
    let today = now().date_naive();
    let f = filter.clone();
    let result = ctx
        .db()
        .read(move |c| store::list(c, &visibility, &f, page, sorted.as_ref(), today))
        .await?;
    let holders: Vec<Holder> = result.items.iter().map(|p| Holder::Person(p.id)).collect();
    prefetch_posts(ctx, &holders).await?;
    let totals = PersonListTotals { filter };
    Ok(match order {
        None => connection(result, totals),
        Some(o) => sorted_connection(result, totals, |p| Some((o.tag(), o.key_of(p)))),
    })
}

/// Person `id`, if the viewer sees them: where their own unit is in full
/// sight, or (masked) through a current post in a unit that is. `None`
/// alike for someone missing and someone out of sight, after the same
/// lookups.
pub async fn visible_person(ctx: &Context<'_>, id: i64) -> Result<Option<Person>> {
    let Some(person) = ctx.db().read(move |c| store::find(c, id)).await? else {
        return Ok(None);
    };
    let visibility = ctx.visibility();
    let unit = ctx.request().units.load_one(person.unit_id).await?;
    if unit.is_some_and(|u| visibility.sight(&u) == Sight::Full) {
        return Ok(Some(Person(person)));
    }
    // Someone who belongs elsewhere but holds a post in scope (a linked
    // leader, an instructor) is seen through that post (masked, as for
    // anyone whose unit the viewer may not manage). The same two lookups
    // are made whether or not such a post exists.
    let pid = person.id;
    let posts = ctx
        .db()
        .read(move |c| store::positions_of(c, PostsOf::Persons(&[pid]), None, None))
        .await?;
    let units = ctx
        .request()
        .units
        .load_many(
            posts
                .iter()
                .filter(|p| p.ended_on.is_none())
                .map(|p| p.unit_id),
        )
        .await?;
    Ok(units
        .values()
        .any(|u| visibility.sight(u) == Sight::Full)
        .then_some(Person(person)))
}

#[Object]
impl PeopleQuery {
    /// One person, if the viewer sees their unit.
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id.")] id: ID,
    ) -> Result<Person> {
        ctx.viewer().require_signed_in()?;
        let id = decode(&id, Kind::Person, "id")?;
        visible_person(ctx, id)
            .await?
            .ok_or_else(|| AppError::not_found("no such person").into())
    }

    /// The people of `under` and the units beneath it (or of everything
    /// the viewer sees), in creation order.
    #[allow(clippy::too_many_arguments)]
    async fn persons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only people of this unit and beneath it.")] under: Option<ID>,
        #[graphql(desc = "Only people of this political status.")] political_status: Option<
            PoliticalStatus,
        >,
        #[graphql(desc = "Only people holding this post (on `activeOn`, default today).")]
        role: Option<PositionRole>,
        #[graphql(desc = "Part of the name.")] search: Option<String>,
        #[graphql(desc = "With `role`: the day the post is held.")] active_on: Option<Date>,
        #[graphql(desc = "Sort order (default: creation order).")] order_by: Option<PersonOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<PersonConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = PersonFilter {
            under: scope_unit(ctx, under).await?,
            political_status,
            role,
            search: crate::domain::text::search(search)?,
            active_on: active_on.map(|d| d.0),
            unit: None,
        };
        let args = PageArgs::new(first, after, last, before);
        person_connection(ctx, filter, args, order_by).await
    }
}
