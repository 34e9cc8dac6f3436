//! Mutations of the tree: each is one transaction, checked by the access
//! policy and the tree rules before anything is written, and audited.

use async_graphql::{Context, Object, Result, ID};

use crate::graphql::context::write as run;
use crate::graphql::ids::{id_of, UnitId};
use crate::graphql::types::inputs::{CreateOrgUnitInput, UpdateOrgUnitInput};
use crate::graphql::types::org_unit::OrgUnit;
use crate::graphql::types::scalars::Date;
use crate::tree::write;

#[derive(Default)]
pub struct TreeMutation;

#[Object]
impl TreeMutation {
    /// Creates a unit under `parentId` (none for a township). The level
    /// follows from `unitType`; the parent must be one level up and active.
    async fn create_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new unit; its level follows from its type.")]
        input: CreateOrgUnitInput,
    ) -> Result<OrgUnit> {
        let new = input.into_new_unit()?;
        Ok(run(ctx, move |c, actor| write::create(c, actor, new))
            .await
            .map(OrgUnit)?)
    }

    /// Edits a unit's own fields. Its place in the tree changes only
    /// through `moveOrgUnit`.
    async fn update_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] id: ID,
        #[graphql(desc = "The fields to change; absent ones stay as they are.")]
        input: UpdateOrgUnitInput,
    ) -> Result<OrgUnit> {
        let id = id_of::<UnitId>(&id, "id")?;
        let patch = input.into_patch()?;
        Ok(run(ctx, move |c, actor| write::update(c, actor, id, patch))
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
        #[graphql(
            desc = "The day the move took effect (default: today; not in the future, nor before a change already recorded in either township)."
        )]
        effective_on: Option<Date>,
    ) -> Result<OrgUnit> {
        let id = id_of::<UnitId>(&id, "id")?;
        let new_parent = id_of::<UnitId>(&new_parent_id, "newParentId")?;
        let on = effective_on.map(|d| d.0);
        Ok(run(ctx, move |c, actor| {
            write::move_unit(c, actor, id, new_parent, on)
        })
        .await
        .map(OrgUnit)?)
    }

    /// Dissolves a unit (撤销): kept with its history, left out of counts,
    /// no new children. Its active children must be moved or dissolved first.
    async fn dissolve_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit to dissolve.")] id: ID,
        #[graphql(
            desc = "The date it was dissolved (not in the future, nor before a change already recorded in its township)."
        )]
        on: Date,
        #[graphql(desc = "Why (required).")] reason: String,
    ) -> Result<OrgUnit> {
        let id = id_of::<UnitId>(&id, "id")?;
        Ok(run(ctx, move |c, actor| {
            write::dissolve(c, actor, id, on.0, &reason)
        })
        .await
        .map(OrgUnit)?)
    }

    /// Restores a dissolved unit, if its parent is active and its code free.
    async fn restore_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit to restore.")] id: ID,
        #[graphql(
            desc = "The day it was restored (default: today; not in the future, nor before a change already recorded in its township)."
        )]
        effective_on: Option<Date>,
    ) -> Result<OrgUnit> {
        let id = id_of::<UnitId>(&id, "id")?;
        let on = effective_on.map(|d| d.0);
        Ok(run(ctx, move |c, actor| write::restore(c, actor, id, on))
            .await
            .map(OrgUnit)?)
    }
}
