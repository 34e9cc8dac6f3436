//! Mutations of the points system: households (under `ManagePeople` at
//! their group), points lists (`ManagePointsLists` at their village or
//! township), records and redemptions (`RecordPoints`: a MANAGER grant at
//! the household's village or below). Each is one transaction, audited.

use async_graphql::{Context, Object, Result, ID};

use crate::domain::points::RedemptionKind;
use crate::graphql::context::write as run;
use crate::graphql::ids::{id_of, PersonId, UnitId};
use crate::graphql::types::household::Household;
use crate::graphql::types::household_inputs::{CreateHouseholdInput, UpdateHouseholdInput};
use crate::graphql::types::point_record::{PointRecord, Redemption};
use crate::graphql::types::points_list::{MeetingInput, PointsItemInput, PointsList};
use crate::graphql::types::scalars::Date;
use crate::ids::{HouseholdId, PointRecordId, PointsItemId, PointsListId};
use crate::points::{households, lists, records, NewRecord, NewRedemption};

#[derive(Default)]
pub struct PointsMutation;

#[Object]
impl PointsMutation {
    /// Registers a household in a building or courtyard group.
    async fn create_household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] input: CreateHouseholdInput,
    ) -> Result<Household> {
        let input = input.into_input()?;
        Ok(
            run(ctx, move |c, a| households::create_household(c, a, input))
                .await
                .map(Household)?,
        )
    }

    /// Edits a household.
    async fn update_household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateHouseholdInput,
    ) -> Result<Household> {
        let id = id_of::<HouseholdId>(&id, "id")?;
        let input = input.into_input()?;
        Ok(run(ctx, move |c, a| {
            households::update_household(c, a, id, input)
        })
        .await
        .map(Household)?)
    }

    /// Moves an open household to another building or courtyard group
    /// (the viewer manages both), with its records and totals.
    async fn move_household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] id: ID,
        #[graphql(desc = "The group it moves to.")] unit_id: ID,
    ) -> Result<Household> {
        let id = id_of::<HouseholdId>(&id, "id")?;
        let to = id_of::<UnitId>(&unit_id, "unitId")?;
        Ok(
            run(ctx, move |c, a| households::move_household(c, a, id, to))
                .await
                .map(Household)?,
        )
    }

    /// Closes a household on a day after its last record; it stays with
    /// its records.
    async fn close_household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] id: ID,
        #[graphql(desc = "The day it closed (not in the future).")] on: Date,
        #[graphql(desc = "Why (moved away, merged…).")] reason: String,
    ) -> Result<Household> {
        let id = id_of::<HouseholdId>(&id, "id")?;
        Ok(run(ctx, move |c, a| {
            households::close_household(c, a, id, on.0, &reason)
        })
        .await
        .map(Household)?)
    }

    /// Makes a person a member of an open household of their village, or
    /// (`householdId: null`) of none. Returns the household.
    async fn set_person_household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person.")] person_id: ID,
        #[graphql(desc = "The household; null: none.")] household_id: Option<ID>,
    ) -> Result<Option<Household>> {
        let person = id_of::<PersonId>(&person_id, "personId")?;
        let household = household_id
            .map(|h| id_of::<HouseholdId>(&h, "householdId"))
            .transpose()?;
        Ok(run(ctx, move |c, a| {
            households::set_person_household(c, a, person, household)
        })
        .await?
        .map(Household))
    }

    /// Proposes a new version of a village's or township's points list.
    async fn propose_points_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The village or township.")] owner_id: ID,
        #[graphql(desc = "Its title.")] title: String,
        #[graphql(desc = "Its items (1 to 200).")] items: Vec<PointsItemInput>,
    ) -> Result<PointsList> {
        let owner = id_of::<UnitId>(&owner_id, "ownerId")?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(run(ctx, move |c, a| {
            lists::propose_list(c, a, owner, &title, items)
        })
        .await
        .map(PointsList)?)
    }

    /// Replaces the title and items of a proposed version.
    async fn revise_points_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version.")] id: ID,
        #[graphql(desc = "A new title.")] title: Option<String>,
        #[graphql(desc = "Its items (1 to 200).")] items: Vec<PointsItemInput>,
    ) -> Result<PointsList> {
        let id = id_of::<PointsListId>(&id, "id")?;
        let items = items.into_iter().map(Into::into).collect();
        Ok(run(ctx, move |c, a| {
            lists::revise_list(c, a, id, title.as_deref(), items)
        })
        .await
        .map(PointsList)?)
    }

    /// Adopts a proposed version by a meeting (more than half of those
    /// present for it), in force from `adoptedOn`: after the owner's last
    /// version, and after every record already made beneath the owner.
    async fn adopt_points_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version.")] id: ID,
        #[graphql(desc = "The day it is in force from (on or after the meeting).")]
        adopted_on: Date,
        #[graphql(desc = "The meeting that adopted it.")] meeting: MeetingInput,
    ) -> Result<PointsList> {
        let id = id_of::<PointsListId>(&id, "id")?;
        Ok(run(ctx, move |c, a| {
            lists::adopt_list(c, a, id, adopted_on.0, meeting.into())
        })
        .await
        .map(PointsList)?)
    }

    /// Withdraws a proposed version.
    async fn withdraw_points_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version.")] id: ID,
    ) -> Result<PointsList> {
        let id = id_of::<PointsListId>(&id, "id")?;
        Ok(run(ctx, move |c, a| lists::withdraw_list(c, a, id))
            .await
            .map(PointsList)?)
    }

    /// Records points for a household against an item of the list in force
    /// for its village on the day. Caps are enforced; a closed household
    /// takes no record from its closing day.
    async fn record_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] household_id: ID,
        #[graphql(desc = "The item.")] item_id: ID,
        #[graphql(desc = "The day (default: today; not in the future).")] recorded_on: Option<Date>,
        #[graphql(desc = "Points (default: the item's; same sign, no larger).")] points: Option<
            i32,
        >,
        #[graphql(desc = "The evidence (at most 200 characters).")] note: Option<String>,
    ) -> Result<PointRecord> {
        let new = NewRecord {
            household_id: id_of::<HouseholdId>(&household_id, "householdId")?,
            item_id: id_of::<PointsItemId>(&item_id, "itemId")?,
            recorded_on: recorded_on.map(|d| d.0),
            points,
            note,
        };
        Ok(run(ctx, move |c, a| records::record_points_for(c, a, new))
            .await
            .map(PointRecord)?)
    }

    /// Reverses a record (a correction). A record is reversed once; a
    /// reversal is not reversed.
    async fn reverse_point_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record.")] id: ID,
        #[graphql(desc = "Why.")] note: String,
        #[graphql(desc = "The day (default: today).")] recorded_on: Option<Date>,
    ) -> Result<PointRecord> {
        let id = id_of::<PointRecordId>(&id, "id")?;
        Ok(run(ctx, move |c, a| {
            records::reverse_record(c, a, id, recorded_on.map(|d| d.0), &note)
        })
        .await
        .map(PointRecord)?)
    }

    /// Records a reward or penalty (兑现) for a household's year, with its
    /// rank in the ranking within `rankedUnder` kept.
    #[allow(clippy::too_many_arguments)]
    async fn redeem_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household.")] household_id: ID,
        #[graphql(desc = "The year.")] year: i32,
        #[graphql(desc = "The unit the ranking was within (a township, say).")] ranked_under: ID,
        #[graphql(desc = "Reward or penalty.")] kind: RedemptionKind,
        #[graphql(desc = "What was given.")] description: String,
        #[graphql(desc = "An amount in yuan (e.g. 分红).")] amount: Option<f64>,
        #[graphql(desc = "The day (default: today).")] given_on: Option<Date>,
    ) -> Result<Redemption> {
        let household_id = id_of::<HouseholdId>(&household_id, "householdId")?;
        let under = id_of::<UnitId>(&ranked_under, "rankedUnder")?;
        let amount_fen = match amount {
            Some(a) if a.is_finite() => Some((a * 100.0).round() as i64),
            Some(_) => {
                return Err(crate::error::AppError::bad_input("amount", "not a number").into())
            }
            None => None,
        };
        Ok(run(ctx, move |c, a| {
            let unit = crate::tree::read::get(c, &a.viewer.visibility(), under.0, "rankedUnder")?;
            records::redeem(
                c,
                a,
                NewRedemption {
                    household_id,
                    year,
                    ranked_under: Some(unit),
                    kind,
                    description,
                    amount_fen,
                    given_on: given_on.map(|d| d.0),
                },
            )
        })
        .await
        .map(Redemption)?)
    }
}
