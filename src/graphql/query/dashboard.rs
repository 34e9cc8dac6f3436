//! The dashboard and the coverage trend: aggregates for landing pages and charts.

use async_graphql::{Context, Object, Result, ID};

use super::coverage::{past_day, scope_unit};
use crate::domain::period::{Interval, MAX_PERIODS};
use crate::error::AppError;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::types::dashboard::{CoveragePoint, Dashboard};
use crate::graphql::types::scalars::Date;
use crate::tree::tally::Counted;

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// A landing page's figures in one round trip, for the units beneath
    /// `under` or everything the viewer may see: units per level (volunteer
    /// teams included), coverage per level, gaps and chain breaks. Read
    /// from the same counters as `coverage`.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
    ) -> Result<Dashboard> {
        ctx.viewer().require_signed_in()?;
        let under = scope_unit(ctx, under).await?;
        let counted = Counted::new(under, &ctx.visibility());
        let tally = ctx.db().read(move |c| counted.now(c)).await?;
        Ok(Dashboard::new(tally, under))
    }

    /// Coverage at the end of each month, quarter or year from the period
    /// holding `from` to the one holding `to`, per level: for a chart of
    /// how coverage grew. Computed from the history every write keeps.
    async fn coverage_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The first day of the range.")] from: Date,
        #[graphql(desc = "The last day of the range (default: today; not in the future).")]
        to: Option<Date>,
        #[graphql(desc = "How to bucket it.")] interval: Interval,
    ) -> Result<Vec<CoveragePoint>> {
        ctx.viewer().require_signed_in()?;
        let to = past_day(to.map(|d| d.0), "to")?.unwrap_or(now().date_naive());
        if from.0 > to {
            return Err(AppError::bad_input("from", format!("{} is after {to}", from.0)).into());
        }
        let periods = interval.periods(from.0, to, MAX_PERIODS).ok_or_else(|| {
            AppError::bad_input(
                "from",
                format!("at most {MAX_PERIODS} periods at a time; choose a later start or a longer interval"),
            )
        })?;
        let counted = Counted::new(scope_unit(ctx, under).await?, &ctx.visibility());
        let tallies = {
            let periods = periods.clone();
            ctx.db().read(move |c| counted.trend(c, &periods)).await?
        };
        Ok(periods
            .iter()
            .zip(&tallies)
            .map(|(p, t)| CoveragePoint::new(p, t))
            .collect())
    }
}
