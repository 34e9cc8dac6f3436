//! `ServiceActivity`: a volunteer service activity (志愿服务活动) held by a
//! team, or by a grid or group for a joint event.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::org_unit::OrgUnit;
use super::person::Person;
use super::scalars::Date;
use crate::domain::TeamCategory;
use crate::graphql::connection::ConnectionOf;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::service::rows::ActivityRow;
use crate::service::store;

/// A volunteer service activity.
pub struct ServiceActivity(pub ActivityRow);

crate::graphql::connection::listed!(ServiceActivity, ActivityRow, "ServiceActivity");

/// A page of activities.
pub type ServiceActivityConnection = ConnectionOf<ServiceActivity, ActivityListTotals>;

crate::graphql::connection::within_totals!(
    ActivityListTotals,
    activities,
    "The list-wide fields of a `ServiceActivityConnection`.",
    "How many activities the list holds across all its pages (cancelled ones included)."
);

/// One participant of an activity and the hours they gave.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ServiceParticipant {
    #[graphql(skip)]
    pub person_id: i64,
    /// Hours given (to a tenth).
    pub hours: f64,
}

#[async_graphql::ComplexObject]
impl ServiceParticipant {
    /// The person, if the viewer may see them.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        crate::graphql::query::visible_person(ctx, self.person_id).await
    }
}

/// A volunteer service activity (志愿服务活动): held on a day and at a
/// place by a volunteer team, or by a grid or group for a joint event, with
/// its participants and their hours. Seen by whoever fully sees its unit.
#[Object]
impl ServiceActivity {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::ServiceActivity, self.0.id)
    }
    /// The team, grid or group that held it.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The day it was held.
    async fn held_on(&self) -> Date {
        Date(self.0.held_on)
    }
    /// Its category (the team categories, OTHER included).
    async fn category(&self) -> Option<TeamCategory> {
        self.0.category.parse().ok()
    }
    /// The category's Chinese label.
    async fn category_label(&self) -> Option<&'static str> {
        self.0
            .category
            .parse::<TeamCategory>()
            .ok()
            .map(TeamCategory::label)
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What was done.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Where.
    async fn place(&self) -> &str {
        &self.0.place
    }
    /// Residents served.
    async fn residents_served(&self) -> i32 {
        self.0.residents_served
    }
    /// How many took part.
    async fn participant_count(&self) -> i32 {
        self.0.participants
    }
    /// Volunteer hours given, all participants together.
    async fn hours(&self) -> f64 {
        self.0.hours_tenths as f64 / 10.0
    }
    /// Who took part (people the viewer cannot see come back with a null
    /// `person`).
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<ServiceParticipant>> {
        let id = self.0.id;
        let rows = ctx.db().read(move |c| store::participants(c, id)).await?;
        Ok(rows
            .into_iter()
            .map(|p| ServiceParticipant {
                person_id: p.person_id,
                hours: f64::from(p.hours_tenths) / 10.0,
            })
            .collect())
    }
    /// When it was cancelled (recorded by mistake); it then counts nowhere.
    async fn cancelled_on(&self) -> Option<Date> {
        self.0.cancelled_on.map(Date)
    }
    /// Why it was cancelled.
    async fn cancelled_reason(&self) -> Option<&str> {
        self.0.cancelled_reason.as_deref()
    }
    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}
