//! The mutation root: each mutation is one transaction, checked by the
//! access policy and the tree rules before anything is written.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, SubsecRound, Utc};

use super::context::ContextExt;
use super::ids::{decode, Kind};
use super::types::inputs::{CreateOrgUnitInput, UpdateOrgUnitInput};
use super::types::org_unit::OrgUnit;
use super::types::scalars::Date;
use crate::tree::write;

pub struct Mutation;

/// The time a write is stamped with, at the precision both backends keep.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[Object]
impl Mutation {
    /// Creates a unit under `parentId` (none for a township). The level
    /// follows from `unitType`; the parent must be one level up and active.
    async fn create_org_unit(
        &self,
        ctx: &Context<'_>,
        input: CreateOrgUnitInput,
    ) -> Result<OrgUnit> {
        let new = input.into_new_unit()?;
        let viewer = ctx.viewer().clone();
        Ok(ctx
            .db()
            .write(move |c| write::create(c, &viewer, new, now()))
            .await
            .map(OrgUnit)?)
    }

    /// Edits a unit's own fields. Its place in the tree changes only
    /// through `moveOrgUnit`.
    async fn update_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] id: ID,
        input: UpdateOrgUnitInput,
    ) -> Result<OrgUnit> {
        let id = decode(&id, Kind::OrgUnit, "id")?;
        let patch = input.into_patch()?;
        let viewer = ctx.viewer().clone();
        Ok(ctx
            .db()
            .write(move |c| write::update(c, &viewer, id, patch, now()))
            .await
            .map(OrgUnit)?)
    }

    /// Moves a unit, with everything beneath it, under a new parent one
    /// level up. Never under itself or its own descendant.
    async fn move_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit to move.")] id: ID,
        #[graphql(desc = "Its new parent, one level up.")] new_parent_id: ID,
    ) -> Result<OrgUnit> {
        let id = decode(&id, Kind::OrgUnit, "id")?;
        let new_parent = decode(&new_parent_id, Kind::OrgUnit, "newParentId")?;
        let viewer = ctx.viewer().clone();
        Ok(ctx
            .db()
            .write(move |c| write::move_unit(c, &viewer, id, new_parent, now()))
            .await
            .map(OrgUnit)?)
    }

    /// Dissolves a unit (撤销): kept with its history, left out of counts,
    /// no new children. Its active children must be moved or dissolved first.
    async fn dissolve_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit to dissolve.")] id: ID,
        #[graphql(desc = "The date it was dissolved (not in the future).")] on: Date,
        #[graphql(desc = "Why (required).")] reason: String,
    ) -> Result<OrgUnit> {
        let id = decode(&id, Kind::OrgUnit, "id")?;
        let viewer = ctx.viewer().clone();
        Ok(ctx
            .db()
            .write(move |c| write::dissolve(c, &viewer, id, on.0, &reason, now()))
            .await
            .map(OrgUnit)?)
    }

    /// Restores a dissolved unit, if its parent is active and its code free.
    async fn restore_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit to restore.")] id: ID,
    ) -> Result<OrgUnit> {
        let id = decode(&id, Kind::OrgUnit, "id")?;
        let viewer = ctx.viewer().clone();
        Ok(ctx
            .db()
            .write(move |c| write::restore(c, &viewer, id, now()))
            .await
            .map(OrgUnit)?)
    }
}
