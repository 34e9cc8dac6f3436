//! Queries of grassroots work: activities, problems, duty logs and
//! training sessions (pages at or beneath a unit, or everything the viewer
//! sees), their summaries from the counters, the gap lists (grids with
//! overdue problems, idle cadres), and the village economy.

use async_graphql::{Context, Object, Result, ID};
use chrono::{Datelike, Duration, NaiveDate};

use super::coverage::scope_unit;
use super::work::{economy, months, open_day, scopes};
use crate::auth::policy::Sight;
use crate::error::AppError;
use crate::graphql::connection::{connection, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::Kind;
use crate::graphql::types::duty_log::{
    DutyListTotals, DutyLog, DutyLogConnection, TrainingConnection, TrainingListTotals,
    TrainingSession,
};
use crate::graphql::types::node::Node;
use crate::graphql::types::org_unit::OrgUnit;
use crate::graphql::types::position::Position;
use crate::graphql::types::problem::{Problem, ProblemConnection, ProblemListTotals};
use crate::graphql::types::scalars::Date;
use crate::graphql::types::service_activity::{
    ActivityListTotals, ServiceActivity, ServiceActivityConnection,
};
use crate::graphql::types::village_income::{ProblemDeadline, VillageIncome};
use crate::graphql::types::work_summary::{
    DutySummary, EconomySummary, ProblemsSummary, ServiceSummary,
};
use crate::service::store::{self, Within};
use crate::service::{config, summary};

/// The longest look-back of `idleCadres`, in days.
pub const MAX_IDLE_DAYS: i32 = 3_650;

#[derive(Default)]
pub struct ServiceQuery;

fn today() -> NaiveDate {
    crate::graphql::context::now().date_naive()
}

/// A list's scope and period.
async fn within(
    ctx: &Context<'_>,
    under: Option<ID>,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Within> {
    ctx.viewer().require_signed_in()?;
    if let (Some(f), Some(t)) = (from, to) {
        if f.0 > t.0 {
            return Err(AppError::bad_input("from", format!("{} is after {}", f.0, t.0)).into());
        }
    }
    Ok(Within {
        under: scope_unit(ctx, under).await?,
        from: from.map(|d| d.0),
        to: to.map(|d| d.0),
        status: None,
    })
}

#[Object]
impl ServiceQuery {
    /// Volunteer service activities at or beneath `under` (or everything
    /// the viewer sees), held within `from..=to`, in recording order.
    #[allow(clippy::too_many_arguments)]
    async fn service_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only activities at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Held on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Held on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<ServiceActivityConnection> {
        let w = within(ctx, under, from, to).await?;
        let page = PageArgs::new(first, after, last, before).page::<ServiceActivity>()?;
        let visibility = ctx.visibility();
        let rows = ctx
            .db()
            .read(move |c| store::activities::list(c, &visibility, w, page))
            .await?;
        Ok(connection(rows, ActivityListTotals { within: w }))
    }

    /// Volunteer service at or beneath `under` (or everything the viewer
    /// sees) in the months from `from`'s to `to`'s: activities, active
    /// volunteers, hours, residents served, per category.
    async fn service_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only service at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<ServiceSummary> {
        let months = months(from, to)?;
        let scopes = scopes(ctx, under).await?;
        let f = ctx
            .db()
            .read(move |c| summary::service(c, &scopes, months))
            .await?;
        Ok(f.into())
    }

    /// Residents' problems at or beneath `under` (or everything the viewer
    /// sees), received within `from..=to` and at a status if asked, in the
    /// order they were reported.
    #[allow(clippy::too_many_arguments)]
    async fn problems(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only problems at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only problems that stand at this status.")] status: Option<
            crate::domain::service::ProblemStatus,
        >,
        #[graphql(desc = "Received on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Received on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<ProblemConnection> {
        let w = Within {
            status: status.map(|s| s.as_str()),
            ..within(ctx, under, from, to).await?
        };
        let page = PageArgs::new(first, after, last, before).page::<Problem>()?;
        let visibility = ctx.visibility();
        let rows = ctx
            .db()
            .read(move |c| store::problem_list::list(c, &visibility, w, page))
            .await?;
        Ok(connection(rows, ProblemListTotals { within: w }))
    }

    /// Residents' problems at or beneath `under` (or everything the viewer
    /// sees) in the months from `from`'s to `to`'s: received, resolved,
    /// resolved within the grid, escalations, median time to resolve; and
    /// open and overdue at the end of `asOf` (default: now).
    async fn problems_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only problems at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
        #[graphql(
            desc = "The day open and overdue are counted at the end of (default: now; not in the future)."
        )]
        as_of: Option<Date>,
    ) -> Result<ProblemsSummary> {
        let months = months(from, to)?;
        let days = open_day(as_of)?;
        let scopes = scopes(ctx, under).await?;
        let f = ctx
            .db()
            .read(move |c| summary::problems(c, &scopes, months, days))
            .await?;
        Ok(f.into())
    }

    /// Grids with an open problem past its deadline (at most 1,000), at or
    /// beneath `under` or everything the viewer sees: a gap list.
    async fn overdue_grids(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only grids at or beneath this unit.")] under: Option<ID>,
    ) -> Result<Vec<OrgUnit>> {
        let w = within(ctx, under, None, None).await?;
        let visibility = ctx.visibility();
        let today = today();
        let ids = ctx
            .db()
            .read(move |c| store::overdue_grids(c, &visibility, w.under, today))
            .await?;
        let units = ctx.request().units.load_many(ids.clone()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| units.get(id).cloned())
            .filter(|u| ctx.visibility().sight(u) == Sight::Full)
            .map(OrgUnit)
            .collect())
    }

    /// Cadres' duty logs at or beneath `under` (or everything the viewer
    /// sees), done within `from..=to`, in recording order.
    #[allow(clippy::too_many_arguments)]
    async fn duty_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only duties at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Done on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Done on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<DutyLogConnection> {
        let w = within(ctx, under, from, to).await?;
        let page = PageArgs::new(first, after, last, before).page::<DutyLog>()?;
        let visibility = ctx.visibility();
        let rows = ctx
            .db()
            .read(move |c| store::duties::list(c, &visibility, w, page))
            .await?;
        Ok(connection(rows, DutyListTotals { within: w }))
    }

    /// Duties per kind and training (sessions, person-times) at or beneath
    /// `under` (or everything the viewer sees) in the months from `from`'s
    /// to `to`'s.
    async fn duty_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only duties at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<DutySummary> {
        let months = months(from, to)?;
        let scopes = scopes(ctx, under).await?;
        let f = ctx
            .db()
            .read(move |c| summary::duties(c, &scopes, months))
            .await?;
        Ok(f.into())
    }

    /// The posts of linked leaders, instructors and grid liaisons (at or
    /// beneath `under`, or everything the viewer sees) whose holder has
    /// logged no duty in the last `days` days (at most 1,000): a gap list.
    async fn idle_cadres(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only posts at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The days looked back (1 to 3,650).", default = 30)] days: i32,
    ) -> Result<Vec<Position>> {
        if !(1..=MAX_IDLE_DAYS).contains(&days) {
            return Err(AppError::bad_input("days", "days are 1 to 3,650").into());
        }
        let w = within(ctx, under, None, None).await?;
        let visibility = ctx.visibility();
        let today = today();
        let since = today - Duration::days(i64::from(days) - 1);
        let posts = ctx
            .db()
            .read(move |c| {
                let ids = store::idle_cadre_posts(c, &visibility, w.under, today, since)?;
                crate::people::store::find_positions(c, &ids)
            })
            .await?;
        Ok(posts.into_iter().map(Position).collect())
    }

    /// Training sessions at or beneath `under` (or everything the viewer
    /// sees), held within `from..=to`, in recording order.
    #[allow(clippy::too_many_arguments)]
    async fn training_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only sessions at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Held on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Held on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<TrainingConnection> {
        let w = within(ctx, under, from, to).await?;
        let page = PageArgs::new(first, after, last, before).page::<TrainingSession>()?;
        let visibility = ctx.visibility();
        let rows = ctx
            .db()
            .read(move |c| store::trainings::list(c, &visibility, w, page))
            .await?;
        Ok(connection(rows, TrainingListTotals { within: w }))
    }

    /// The villages' incomes for a year at or beneath `under` (or everything
    /// the viewer sees), by village.
    async fn village_incomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only villages at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<Vec<VillageIncome>> {
        let w = within(ctx, under, None, None).await?;
        let visibility = ctx.visibility();
        let (rows, b) = ctx
            .db()
            .read(move |c| {
                Ok((
                    store::incomes(c, &visibility, w.under, year)?,
                    config::brackets(c)?,
                ))
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| VillageIncome(r, b.clone()))
            .collect())
    }

    /// The village collective economy of a year at or beneath `under` (or
    /// everything the viewer sees): villages per bracket, weak villages
    /// lifted, total and median income, villages without a figure.
    async fn economy_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only villages at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The year (default: this year).")] year: Option<i32>,
    ) -> Result<EconomySummary> {
        let scopes = scopes(ctx, under).await?;
        economy(ctx, scopes, year.unwrap_or_else(|| today().year())).await
    }

    /// The region's income brackets: their lower bounds in yuan (the
    /// first bracket, from 0, holds the weak villages).
    async fn economy_bracket_bounds(&self, ctx: &Context<'_>) -> Result<Vec<i64>> {
        ctx.viewer().require_signed_in()?;
        Ok(ctx.db().read(config::brackets).await?.0)
    }

    /// Each problem category's deadline.
    async fn problem_deadlines(&self, ctx: &Context<'_>) -> Result<Vec<ProblemDeadline>> {
        ctx.viewer().require_signed_in()?;
        let rows = ctx.db().read(config::deadlines).await?;
        Ok(rows
            .into_iter()
            .map(|(category, days)| ProblemDeadline {
                category,
                category_label: category.label(),
                days,
            })
            .collect())
    }
}

/// Whether the viewer fully sees unit `id`.
async fn sees(ctx: &Context<'_>, id: i64) -> Result<bool> {
    let unit = ctx.request().units.load_one(id).await?;
    Ok(unit.is_some_and(|u| ctx.visibility().sight(&u) == Sight::Full))
}

/// `node(id:)` of grassroots work's kinds: each as visible as its unit.
pub async fn service_node(ctx: &Context<'_>, kind: Kind, n: i64) -> Result<Option<Node>> {
    let node = match kind {
        Kind::ServiceActivity => ctx
            .db()
            .read(move |c| store::activity(c, n))
            .await?
            .map(|r| (r.unit_id, Node::ServiceActivity(ServiceActivity(r)))),
        Kind::Problem => ctx
            .db()
            .read(move |c| store::problem(c, n))
            .await?
            .map(|r| (r.unit_id, Node::Problem(Problem(r)))),
        Kind::DutyLog => ctx
            .db()
            .read(move |c| store::duty(c, n))
            .await?
            .map(|r| (r.unit_id, Node::DutyLog(DutyLog(r)))),
        Kind::TrainingSession => ctx
            .db()
            .read(move |c| store::training(c, n))
            .await?
            .map(|r| (r.unit_id, Node::TrainingSession(TrainingSession(r)))),
        _ => None,
    };
    Ok(match node {
        Some((unit, node)) if sees(ctx, unit).await? => Some(node),
        _ => None,
    })
}
