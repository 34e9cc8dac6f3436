//! `Dashboard` and `CoveragePoint`: a landing page's figures in one round
//! trip, and coverage period by period for a chart.

use async_graphql::{ComplexObject, Context, Result, SimpleObject};

use super::scalars::Date;
use super::staffing::{RuleCount, SecretaryStats};
use super::work_summary::{DutySummary, EconomySummary, ProblemsSummary, ServiceSummary};
use crate::auth::policy::UnitRef;
use crate::domain::coverage::{Counts, Coverage as Tally};
use crate::domain::period::Period;
use crate::domain::Level;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::query;
use crate::people::stats;
use crate::service::summary;

/// The figures of one level.
#[derive(SimpleObject, Debug, Clone)]
pub struct LevelSummary {
    /// The level.
    pub level: Level,
    /// Its Chinese label.
    pub level_label: &'static str,
    /// Active units at this level (volunteer teams included at level 5).
    pub units: i64,
    /// Covered units (levels 1–4).
    pub covered: i64,
    /// Coverage gaps (levels 1–4).
    pub gaps: i64,
    /// `covered / units`, 0 to 1; null at level 5 and where there are no units.
    pub rate: Option<f64>,
    /// Units with no active child, where the five-level chain breaks (levels 1–4).
    pub chain_gaps: i64,
}

impl LevelSummary {
    fn new(level: Level, c: &Counts) -> Self {
        LevelSummary {
            level,
            level_label: level.label(),
            units: c.total,
            covered: c.covered,
            gaps: c.gaps(),
            rate: c.rate(),
            chain_gaps: c.chain_gaps,
        }
    }

    /// All five levels, township first, zeros where there are no units.
    fn all(t: &Tally) -> Vec<LevelSummary> {
        let none = Counts::default();
        Level::ALL
            .iter()
            .map(|l| match l {
                Level::VolunteerTeam => LevelSummary {
                    units: t.teams,
                    ..LevelSummary::new(*l, &none)
                },
                _ => LevelSummary::new(*l, t.levels.get(l).map_or(&none, |(c, _)| c)),
            })
            .collect()
    }
}

/// What a landing page shows, in one round trip: units per level, coverage
/// per level, the gaps and the breaks in the five-level chain; and, when
/// asked for, the staffing gaps and the village secretaries' figures.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Dashboard {
    /// The scope it answers for (`None`: everything the viewer sees).
    #[graphql(skip)]
    pub under: Option<UnitRef>,
    /// Active units of all five levels.
    pub units: i64,
    /// Active management units (levels 1–4), which coverage counts.
    pub management_units: i64,
    /// Covered management units.
    pub covered: i64,
    /// Coverage gaps (list them with `coverageGaps`).
    pub gaps: i64,
    /// `covered / managementUnits`, 0 to 1; null when there are none.
    pub rate: Option<f64>,
    /// Breaks in the five-level chain (list them with `chainGaps`).
    pub chain_gaps: i64,
    /// Per level, township first, all five levels.
    pub levels: Vec<LevelSummary>,
}

#[ComplexObject]
impl Dashboard {
    /// Units failing each staffing rule (computed only when asked for).
    async fn staffing(&self, ctx: &Context<'_>) -> Result<Vec<RuleCount>> {
        let (under, visibility) = (self.under, ctx.visibility());
        let counts = ctx
            .db()
            .read(move |c| stats::staffing_counts(c, &visibility, under))
            .await?;
        Ok(counts.into_iter().map(RuleCount::from).collect())
    }

    /// The village (community) secretaries in post today: count, 一肩挑
    /// ratio, average age, junior college or above.
    async fn secretaries(&self, ctx: &Context<'_>) -> Result<SecretaryStats> {
        let (under, visibility) = (self.under, ctx.visibility());
        let today = now().date_naive();
        let whole_years = !ctx.viewer().sees_birth_dates(under.as_ref());
        let figures = ctx
            .db()
            .read(move |c| {
                stats::secretaries(c, &visibility, under, Level::Village, today, whole_years)
            })
            .await?;
        Ok(figures.into())
    }

    /// The points system (积分制) in `year`: households scored,
    /// participation, points per category (computed only when asked for).
    async fn points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<super::points_ranking::PointsSummary> {
        if !(1900..=2999).contains(&year) {
            return Err(crate::error::AppError::bad_input(
                "year",
                "a year lies between 1900 and 2999",
            )
            .into());
        }
        let summary = crate::graphql::query::points_summary(ctx, self.under, year).await?;
        Ok(summary.into())
    }

    /// Volunteer service in the months from `from`'s to `to`'s (at or
    /// beneath `under`, the unit's own activities included).
    async fn service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<ServiceSummary> {
        let (months, scopes) = (
            query::months(from, to)?,
            query::scopes_for(ctx, self.under)?,
        );
        let f = ctx
            .db()
            .read(move |c| summary::service(c, &scopes, months))
            .await?;
        Ok(f.into())
    }

    /// Residents' problems in the months from `from`'s to `to`'s, and open
    /// and overdue at the end of `asOf` (default: now).
    async fn problems(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
        #[graphql(
            desc = "The day open and overdue are counted at the end of (default: now; not in the future)."
        )]
        as_of: Option<Date>,
    ) -> Result<ProblemsSummary> {
        let (months, days, scopes) = (
            query::months(from, to)?,
            query::open_day(as_of)?,
            query::scopes_for(ctx, self.under)?,
        );
        let f = ctx
            .db()
            .read(move |c| summary::problems(c, &scopes, months, days))
            .await?;
        Ok(f.into())
    }

    /// Cadres' duties and training in the months from `from`'s to `to`'s.
    async fn duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<DutySummary> {
        let (months, scopes) = (
            query::months(from, to)?,
            query::scopes_for(ctx, self.under)?,
        );
        let f = ctx
            .db()
            .read(move |c| summary::duties(c, &scopes, months))
            .await?;
        Ok(f.into())
    }

    /// The village collective economy of `year`.
    async fn economy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<EconomySummary> {
        query::economy(ctx, query::scopes_for(ctx, self.under)?, year).await
    }
}

impl Dashboard {
    pub fn new(t: Tally, under: Option<UnitRef>) -> Self {
        Dashboard {
            under,
            units: t.all.total + t.teams,
            management_units: t.all.total,
            covered: t.all.covered,
            gaps: t.all.gaps(),
            rate: t.all.rate(),
            chain_gaps: t.all.chain_gaps,
            levels: LevelSummary::all(&t),
        }
    }
}

/// Coverage at the end of one period of a trend.
#[derive(SimpleObject, Debug, Clone)]
pub struct CoveragePoint {
    /// The period: `2026-03`, `2026-Q1` or `2026`.
    pub period: String,
    /// Its first day.
    pub start: Date,
    /// The day measured: its last day, or `to` for the last period.
    pub on: Date,
    /// Active management units (levels 1–4).
    pub total: i64,
    /// Covered units.
    pub covered: i64,
    /// Gaps.
    pub gaps: i64,
    /// `covered / total`, 0 to 1; null when there were no units.
    pub rate: Option<f64>,
    /// Breaks in the five-level chain.
    pub chain_gaps: i64,
    /// Per level, township first, all five levels.
    pub levels: Vec<LevelSummary>,
}

impl CoveragePoint {
    pub fn new(p: &Period, t: &Tally) -> Self {
        CoveragePoint {
            period: p.label.clone(),
            start: Date(p.start),
            on: Date(p.on),
            total: t.all.total,
            covered: t.all.covered,
            gaps: t.all.gaps(),
            rate: t.all.rate(),
            chain_gaps: t.all.chain_gaps,
            levels: LevelSummary::all(t),
        }
    }
}
