//! `OrgUnit`: one unit of the five-level tree.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::connection::{unit_connection, OrgUnitConnection, PageArgs};
use super::person::PersonConnection;
use super::position::Position;
use super::scalars::Date;
use super::subtree_counts::SubtreeCounts;
use crate::auth::policy::Sight;
use crate::domain::coverage::{gap_reason, GapReason};
use crate::domain::people::PositionRole;
use crate::domain::{self, Level, OrgForm, TeamCategory, UnitStatus, UnitType};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::graphql::loaders::{Holder, PostsKey};
use crate::people;
use crate::tree::UnitFilter;

/// A unit of the organization tree (组织单元): a township or sub-district,
/// a village or community, a grid, a building or courtyard group, or a
/// party-member-led volunteer team.
#[derive(Debug, Clone)]
pub struct OrgUnit(pub domain::OrgUnit);

crate::graphql::connection::listed!(OrgUnit, domain::OrgUnit, "OrgUnit");

/// A unit of the organization tree (组织单元): a township or sub-district,
/// a village or community, a grid, a building or courtyard group, or a
/// party-member-led volunteer team.
#[Object]
impl OrgUnit {
    /// Opaque global id (Relay `Node`).
    pub async fn id(&self) -> ID {
        encode(Kind::OrgUnit, self.0.id)
    }

    /// Level in the tree, 1 (township) to 5 (volunteer team).
    async fn level(&self) -> Level {
        self.0.level()
    }

    /// The level's Chinese label, e.g. 网格.
    async fn level_label(&self) -> &'static str {
        self.0.level().label()
    }

    /// What kind of unit this is; it fixes the level.
    async fn unit_type(&self) -> UnitType {
        self.0.unit_type
    }

    /// The unit type's Chinese label, e.g. 易地扶贫搬迁安置点.
    async fn unit_type_label(&self) -> &'static str {
        self.0.unit_type.label()
    }

    /// Name, e.g. 油溪桥村.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Code, unique among active units: a 12-digit statistical division
    /// code, a grid code extending one, or the region's own scheme.
    async fn code(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.guard(ctx)?;
        Ok(self.0.code.as_deref())
    }

    /// The unit's party organization (levels 1–4); null for volunteer teams.
    async fn org_form(&self, ctx: &Context<'_>) -> Result<Option<OrgForm>> {
        self.guard(ctx)?;
        Ok(self.0.org_form)
    }

    /// The organization form's Chinese label, e.g. 党支部.
    async fn org_form_label(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        self.guard(ctx)?;
        Ok(self.0.org_form.map(OrgForm::label))
    }

    /// For an `AFFILIATED` unit: the ancestor whose organization covers it.
    async fn host_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        self.guard(ctx)?;
        match self.0.host_unit_id {
            Some(id) => Ok(ctx.request().units.load_one(id).await?.map(OrgUnit)),
            None => Ok(None),
        }
    }

    /// Why this unit is a coverage gap (`NO_ORGANIZATION`, or `HOST_LOST`
    /// for an affiliated unit whose host lost its organization); null when
    /// covered, and for dissolved units and volunteer teams.
    async fn gap_reason(&self, ctx: &Context<'_>) -> Result<Option<GapReason>> {
        self.guard(ctx)?;
        Ok(self.coverage_status(ctx).await?.flatten())
    }

    /// Whether this management unit has a party organization (of its own,
    /// or through its host); null for dissolved units and volunteer teams.
    async fn covered(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        self.guard(ctx)?;
        Ok(self.coverage_status(ctx).await?.map(|gap| gap.is_none()))
    }

    /// A volunteer team's service category; null for other units.
    async fn team_category(&self, ctx: &Context<'_>) -> Result<Option<TeamCategory>> {
        self.guard(ctx)?;
        Ok(self.0.team_category)
    }

    /// The team category's Chinese label, e.g. 纠纷调解.
    async fn team_category_label(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        self.guard(ctx)?;
        Ok(self.0.team_category.map(TeamCategory::label))
    }

    /// The unit one level up; null for townships.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        match self.0.parent_id {
            Some(id) => Ok(ctx.request().units.load_one(id).await?.map(OrgUnit)),
            None => Ok(None),
        }
    }

    /// Every unit above this one, township first (for breadcrumbs).
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<OrgUnit>> {
        let ids = self.0.ancestry.ids();
        let mut found = ctx.request().units.load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(OrgUnit)
            .collect())
    }

    /// The posts in this unit, earliest first: with `activeOn`, those held
    /// that day; with `role`, of that post only.
    async fn positions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only posts held on this day.")] active_on: Option<Date>,
        #[graphql(desc = "Only this post.")] role: Option<PositionRole>,
    ) -> Result<Vec<Position>> {
        self.guard(ctx)?;
        let key = PostsKey {
            holder: Holder::Unit(self.0.id),
            role,
            active_on: active_on.map(|d| d.0),
        };
        let posts = ctx.request().posts.load_one(key).await?;
        Ok(posts
            .unwrap_or_default()
            .into_iter()
            .map(Position)
            .collect())
    }

    /// The people who live in or belong to this unit, in creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<PersonConnection> {
        self.guard(ctx)?;
        let filter = people::PersonFilter {
            unit: Some(self.0.id),
            ..Default::default()
        };
        crate::graphql::query::person_connection(
            ctx,
            filter,
            PageArgs::new(first, after, last, before),
            None,
        )
        .await
    }

    /// The units directly below, in creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include dissolved units (default false).")] include_dissolved: Option<
            bool,
        >,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        self.guard(ctx)?;
        let filter = UnitFilter {
            parent: Some(self.0.id),
            include_dissolved: include_dissolved.unwrap_or(false),
            ..UnitFilter::default()
        };
        unit_connection(ctx, filter, PageArgs::new(first, after, last, before)).await
    }

    /// Every unit beneath this one (at any depth), in creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn descendants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Only units of this type.")] unit_type: Option<UnitType>,
        #[graphql(desc = "Only units with this organization form.")] org_form: Option<OrgForm>,
        #[graphql(desc = "Part of the name or of the code.")] search: Option<String>,
        #[graphql(desc = "Include dissolved units (default false).")] include_dissolved: Option<
            bool,
        >,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        self.guard(ctx)?;
        let filter = UnitFilter {
            under: Some((&self.0).into()),
            level,
            unit_type,
            org_form,
            search: crate::domain::text::search(search)?,
            include_dissolved: include_dissolved.unwrap_or(false),
            ..UnitFilter::default()
        };
        unit_connection(ctx, filter, PageArgs::new(first, after, last, before)).await
    }

    /// Active units beneath this one, per level.
    async fn subtree_counts(&self, ctx: &Context<'_>) -> Result<SubtreeCounts> {
        self.guard(ctx)?;
        let counts = ctx
            .request()
            .subtree_counts
            .load_one((self.0.id, self.0.level()))
            .await?
            .unwrap_or_default();
        Ok(SubtreeCounts::from_counts(self.0.level(), counts))
    }

    /// `ACTIVE`, or `DISSOLVED` (kept for history, left out of counts).
    async fn status(&self, ctx: &Context<'_>) -> Result<UnitStatus> {
        self.guard(ctx)?;
        Ok(self.0.status())
    }

    /// The status's Chinese label.
    async fn status_label(&self, ctx: &Context<'_>) -> Result<&'static str> {
        self.guard(ctx)?;
        Ok(self.0.status().label())
    }

    /// When the unit (or its organization) was founded.
    async fn founded_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.guard(ctx)?;
        Ok(self.0.founded_on.map(Date))
    }

    /// When the unit was dissolved; null while active.
    async fn dissolved_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.guard(ctx)?;
        Ok(self.0.dissolved_on.map(Date))
    }

    /// Why the unit was dissolved; null while active.
    async fn dissolved_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.guard(ctx)?;
        Ok(self.0.dissolved_reason.as_deref())
    }

    /// Address of its party–mass service station (党群服务站), if it has one.
    async fn service_station(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.guard(ctx)?;
        Ok(self.0.service_station.as_deref())
    }

    /// Name of its grid WeChat group (网格微信群), if it has one.
    async fn wechat_group(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.guard(ctx)?;
        Ok(self.0.wechat_group.as_deref())
    }

    /// Free-text notes.
    async fn notes(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.guard(ctx)?;
        Ok(self.0.notes.as_deref())
    }

    /// When the unit was recorded (UTC).
    async fn created_at(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        self.guard(ctx)?;
        Ok(self.0.created_at)
    }

    /// When the unit was last changed (UTC).
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        self.guard(ctx)?;
        Ok(self.0.updated_at)
    }
}

impl OrgUnit {
    /// Whether the unit counts for coverage and why it is a gap (its host
    /// through the request's loader).
    async fn coverage_status(&self, ctx: &Context<'_>) -> Result<Option<Option<GapReason>>> {
        let host = match self.0.host_unit_id {
            Some(id) => ctx.request().units.load_one(id).await?,
            None => None,
        };
        Ok(gap_reason(&self.0, host.as_ref()))
    }

    /// Fields beyond a unit's identity are for viewers who see it fully;
    /// to a viewer who sees it as a breadcrumb (an ancestor of their scope)
    /// they answer as if it did not exist.
    fn guard(&self, ctx: &Context<'_>) -> Result<()> {
        match ctx.visibility().sight(&self.0) {
            Sight::Full => Ok(()),
            _ => Err(crate::error::AppError::unit_not_found("id").into()),
        }
    }
}

/// Query cost of a page: its size times the cost of one item.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .map_or(crate::domain::DEFAULT_PAGE_SIZE, |n| {
            n.clamp(0, 100) as usize
        });
    size.max(1) * child_complexity + 1
}
