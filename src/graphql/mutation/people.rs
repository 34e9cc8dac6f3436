//! Mutations of people and posts: each one transaction, allowed where the
//! viewer may manage people (a grid manager manages the people of its grid),
//! and audited.

use async_graphql::{Context, Object, Result, ID};

use crate::graphql::context::write as run;
use crate::graphql::ids::{id_of, PersonId, PositionId};
use crate::graphql::types::person::Person;
use crate::graphql::types::person_inputs::{
    CreatePersonInput, StartPositionInput, UpdatePersonInput,
};
use crate::graphql::types::position::Position;
use crate::graphql::types::scalars::Date;
use crate::people::write;

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Adds a person to a unit.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person and the unit they belong to.")] input: CreatePersonInput,
    ) -> Result<Person> {
        let input = input.into_input()?;
        Ok(
            run(ctx, move |c, actor| write::create_person(c, actor, input))
                .await
                .map(Person)?,
        )
    }

    /// Edits a person.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person.")] id: ID,
        #[graphql(desc = "The fields to change; absent ones stay as they are.")]
        input: UpdatePersonInput,
    ) -> Result<Person> {
        let id = id_of::<PersonId>(&id, "id")?;
        let input = input.into_input()?;
        Ok(run(ctx, move |c, actor| {
            write::update_person(c, actor, id, input)
        })
        .await
        .map(Person)?)
    }

    /// Removes a person with their ended posts; refused (`CONFLICT`) while
    /// they still hold a post. The audit log keeps what was removed.
    async fn remove_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person.")] id: ID,
    ) -> Result<Person> {
        let id = id_of::<PersonId>(&id, "id")?;
        Ok(run(ctx, move |c, actor| write::remove_person(c, actor, id))
            .await
            .map(Person)?)
    }

    /// Starts a post. The post must fit the unit's level; a unit has one
    /// secretary, grid head and team leader at a time; a person holds a
    /// post in a unit once at a time.
    async fn start_position(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who takes which post where, from when.")] input: StartPositionInput,
    ) -> Result<Position> {
        let new = input.into_new()?;
        Ok(
            run(ctx, move |c, actor| write::start_position(c, actor, new))
                .await
                .map(Position)?,
        )
    }

    /// Ends a post; it stays as history.
    async fn end_position(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post.")] id: ID,
        #[graphql(desc = "Its last day (default: today; not in the future).")] ended_on: Option<
            Date,
        >,
    ) -> Result<Position> {
        let id = id_of::<PositionId>(&id, "id")?;
        let on = ended_on.map(|d| d.0);
        Ok(
            run(ctx, move |c, actor| write::end_position(c, actor, id, on))
                .await
                .map(Position)?,
        )
    }
}
