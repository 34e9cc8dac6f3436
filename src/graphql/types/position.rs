//! `Position`: a post (任职) a person holds in a unit, from a start date to
//! an optional end; ended posts stay as history.

use async_graphql::{Context, Object, Result, ID};

use super::org_unit::OrgUnit;
use super::person::Person;
use super::scalars::Date;
use crate::domain::people::{self, PositionRole};
use crate::graphql::context::{now, ContextExt};
use crate::graphql::ids::{encode, Kind};

/// A post held by a person in a unit.
pub struct Position(pub people::Position);

/// A post held by a person in a unit.
#[Object]
impl Position {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Position, self.0.id)
    }
    /// The post.
    async fn role(&self) -> PositionRole {
        self.0.role
    }
    /// Its Chinese label (书记, 网格长…).
    async fn role_label(&self) -> &'static str {
        self.0.role.label()
    }
    /// The first day it was held.
    async fn started_on(&self) -> Date {
        Date(self.0.started_on)
    }
    /// The day it ended; null while held.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// Held today.
    async fn active(&self) -> bool {
        self.0.active_on(now().date_naive())
    }
    /// 一肩挑: a village (community) secretary who is also the committee director.
    async fn also_village_director(&self) -> bool {
        self.0.also_village_director
    }
    /// The unit the post is in.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// Who holds it (their sensitive fields masked unless the viewer manages their unit).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(ctx
            .request()
            .people
            .load_one(self.0.person_id)
            .await?
            .map(Person))
    }
}
