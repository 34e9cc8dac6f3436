//! `DutyLog`: a cadre's duty (联点包片, 坐班接访, 结对帮扶, 走访慰问), and
//! `TrainingSession`: a training session (培训).

use async_graphql::{Context, Object, Result, ID};

use super::household::Household;
use super::org_unit::OrgUnit;
use super::person::Person;
use super::scalars::Date;
use crate::domain::service::DutyKind;
use crate::graphql::connection::ConnectionOf;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::service::rows::{DutyRow, TrainingRow};

/// A cadre's duty log.
pub struct DutyLog(pub DutyRow);

crate::graphql::connection::listed!(DutyLog, DutyRow, "DutyLog");

/// A page of duty logs.
pub type DutyLogConnection = ConnectionOf<DutyLog, DutyListTotals>;

crate::graphql::connection::within_totals!(
    DutyListTotals,
    duties,
    "The list-wide fields of a `DutyLogConnection`.",
    "How many duty logs the list holds across all its pages."
);

/// A cadre's duty (联点包片, 坐班接访, 结对帮扶, 走访慰问) at a unit or
/// household. Seen by whoever fully sees the unit concerned.
#[Object]
impl DutyLog {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::DutyLog, self.0.id)
    }
    /// The cadre, if visible (through their post, masked, when they belong elsewhere).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        crate::graphql::query::visible_person(ctx, self.0.person_id).await
    }
    /// The kind of duty.
    async fn kind(&self) -> Option<DutyKind> {
        self.0.kind.parse().ok()
    }
    /// Its Chinese label.
    async fn kind_label(&self) -> Option<&'static str> {
        self.0.kind.parse::<DutyKind>().ok().map(DutyKind::label)
    }
    /// The day.
    async fn done_on(&self) -> Date {
        Date(self.0.done_on)
    }
    /// The unit concerned (for a household: its group).
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The household concerned, if any (and visible).
    async fn household(&self, ctx: &Context<'_>) -> Result<Option<Household>> {
        match self.0.household_id {
            Some(h) => crate::graphql::query::visible_household(ctx, h).await,
            None => Ok(None),
        }
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// A training session.
pub struct TrainingSession(pub TrainingRow);

crate::graphql::connection::listed!(TrainingSession, TrainingRow, "TrainingSession");

/// A page of training sessions.
pub type TrainingConnection = ConnectionOf<TrainingSession, TrainingListTotals>;

crate::graphql::connection::within_totals!(
    TrainingListTotals,
    trainings,
    "The list-wide fields of a `TrainingConnection`.",
    "How many sessions the list holds across all its pages."
);

/// A training session (培训) held by a unit: its topic and trainees
/// (person-times, 人次).
#[Object]
impl TrainingSession {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::TrainingSession, self.0.id)
    }
    /// The unit that held it.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The day.
    async fn held_on(&self) -> Date {
        Date(self.0.held_on)
    }
    /// The topic.
    async fn topic(&self) -> &str {
        &self.0.topic
    }
    /// How many took part (person-times, 人次).
    async fn trainees(&self) -> i32 {
        self.0.trainees
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// A row of `cadreDuties`.
pub struct CadreDutyCount(pub crate::service::ranking::CadreDuties);

/// A cadre and the duties they logged within a scope and period: a row of
/// the ranking of linked leaders, instructors and grid liaisons.
#[Object]
impl CadreDutyCount {
    /// The cadre, if visible (through their post, masked, when they
    /// belong elsewhere; null when their posts all lie out of sight).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        crate::graphql::query::visible_person(ctx, self.0.person_id).await
    }
    /// Duties logged in the scope and period.
    async fn duties(&self) -> i64 {
        self.0.duties
    }
}
