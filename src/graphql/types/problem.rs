//! `Problem`: a resident's problem (民情诉求) reported in a grid, with its
//! status flow.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::household::Household;
use super::org_unit::OrgUnit;
use super::person::Person;
use super::scalars::Date;
use crate::auth::policy::ActionKind;
use crate::domain::people::mask_phone;
use crate::domain::service::{HandlingLevel, ProblemCategory, ProblemChannel, ProblemStatus};
use crate::graphql::connection::ConnectionOf;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::service::rows::ProblemRow;
use crate::service::store;

/// A resident's problem.
pub struct Problem(pub ProblemRow);

crate::graphql::connection::listed!(Problem, ProblemRow, "Problem");

/// A page of problems.
pub type ProblemConnection = ConnectionOf<Problem, ProblemListTotals>;

crate::graphql::connection::within_totals!(
    ProblemListTotals,
    problem_list,
    "The list-wide fields of a `ProblemConnection`.",
    "How many problems the list holds across all its pages."
);

/// One step of a problem's status flow.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ProblemStep {
    /// The status it reached.
    pub status: ProblemStatus,
    /// Where the problem was handled after it.
    pub level: HandlingLevel,
    /// When.
    pub at: DateTime<Utc>,
    /// A note.
    pub note: Option<String>,
    #[graphql(skip)]
    pub assigned_unit_id: Option<i64>,
    #[graphql(skip)]
    pub assigned_person_id: Option<i64>,
}

#[async_graphql::ComplexObject]
impl ProblemStep {
    /// The unit (a team, say) it was assigned to, if visible.
    async fn assigned_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        assigned_unit(ctx, self.assigned_unit_id).await
    }
    /// The person it was assigned to, if visible.
    async fn assigned_person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        assigned_person(ctx, self.assigned_person_id).await
    }
}

async fn assigned_unit(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<OrgUnit>> {
    let Some(id) = id else { return Ok(None) };
    let unit = ctx.request().units.load_one(id).await?;
    Ok(unit
        .filter(|u| ctx.visibility().sight(u) == crate::auth::policy::Sight::Full)
        .map(OrgUnit))
}

async fn assigned_person(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Person>> {
    match id {
        Some(id) => crate::graphql::query::visible_person(ctx, id).await,
        None => Ok(None),
    }
}

/// A resident's problem (民情诉求) reported in a grid, with its status flow
/// `RECEIVED → ASSIGNED → RESOLVED | ESCALATED → CLOSED`. Seen by whoever
/// fully sees the grid; the reporter's phone is masked for viewers.
#[Object]
impl Problem {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Problem, self.0.id)
    }
    /// The grid it was reported in.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// How it reached the grid.
    async fn channel(&self) -> Option<ProblemChannel> {
        self.0.channel.parse().ok()
    }
    /// What it is about.
    async fn category(&self) -> Option<ProblemCategory> {
        self.0.category.parse().ok()
    }
    /// The category's Chinese label.
    async fn category_label(&self) -> Option<&'static str> {
        self.0
            .category
            .parse::<ProblemCategory>()
            .ok()
            .map(ProblemCategory::label)
    }
    /// The problem as reported.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The reporter's name, as given.
    async fn reporter_name(&self) -> Option<&str> {
        self.0.reporter_name.as_deref()
    }
    /// The reporter's phone: masked (`138****5678`) unless the viewer
    /// handles the grid's problems.
    async fn reporter_phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(phone) = self.0.reporter_phone.clone() else {
            return Ok(None);
        };
        let grid = ctx.request().units.load_one(self.0.unit_id).await?;
        let handles = grid.is_some_and(|g| {
            ctx.viewer()
                .check(ActionKind::HandleProblems, Some(&g), "id")
                .is_ok()
        });
        Ok(Some(if handles { phone } else { mask_phone(&phone) }))
    }
    /// The reporter, when a registered person (and visible).
    async fn reporter(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        assigned_person(ctx, self.0.reporter_person_id).await
    }
    /// The reporter's household, when given (and visible).
    async fn household(&self, ctx: &Context<'_>) -> Result<Option<Household>> {
        match self.0.household_id {
            Some(h) => crate::graphql::query::visible_household(ctx, h).await,
            None => Ok(None),
        }
    }
    /// Where it stands.
    async fn status(&self) -> Option<ProblemStatus> {
        self.0.status.parse().ok()
    }
    /// The status's Chinese label.
    async fn status_label(&self) -> Option<&'static str> {
        self.0
            .status
            .parse::<ProblemStatus>()
            .ok()
            .map(ProblemStatus::label)
    }
    /// Where it is handled: the grid, or where it was escalated to.
    async fn level(&self) -> Option<HandlingLevel> {
        HandlingLevel::from_number(self.0.level)
    }
    /// Whether it was ever escalated (then it is not "solved in the grid").
    async fn escalated(&self) -> bool {
        self.0.escalated
    }
    /// The unit it is assigned to, if any and visible.
    async fn assigned_unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        assigned_unit(ctx, self.0.assigned_unit_id).await
    }
    /// The person it is assigned to, if any and visible.
    async fn assigned_person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        assigned_person(ctx, self.0.assigned_person_id).await
    }
    /// When it was received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at.and_utc()
    }
    /// Its deadline: the received day plus its category's days.
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// Open (not resolved or closed) and past its deadline.
    async fn overdue(&self) -> bool {
        self.0.resolved_at.is_none()
            && self.0.closed_at.is_none()
            && self.0.due_on < crate::graphql::context::now().date_naive()
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at.map(|t| t.and_utc())
    }
    /// Whole hours from received to resolved.
    async fn hours_to_resolve(&self) -> Option<i64> {
        self.0
            .resolved_at
            .map(|r| (r - self.0.received_at).num_hours())
    }
    /// When it was closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at.map(|t| t.and_utc())
    }
    /// Every step, oldest first.
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<ProblemStep>> {
        let id = self.0.id;
        let rows = ctx.db().read(move |c| store::steps(c, id)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|s| {
                Some(ProblemStep {
                    status: s.status.parse().ok()?,
                    level: HandlingLevel::from_number(s.level)?,
                    at: s.at.and_utc(),
                    note: s.note,
                    assigned_unit_id: s.assigned_unit_id,
                    assigned_person_id: s.assigned_person_id,
                })
            })
            .collect())
    }
}
