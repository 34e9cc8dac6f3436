//! Mutations of grassroots work: service activities and training
//! (`RecordService`), residents' problems (`HandleProblems`), cadres' duty
//! logs (`RecordService` at the unit concerned), village incomes
//! (`RecordEconomy`) and the region's settings (`ConfigureRegion`). Each is
//! one transaction, audited.

use async_graphql::{Context, Object, Result, ID};

use crate::domain::service::ProblemCategory;
use crate::graphql::context::write as run;
use crate::graphql::types::duty_log::{DutyLog, TrainingSession};
use crate::graphql::types::problem::Problem;
use crate::graphql::types::service_activity::ServiceActivity;
use crate::graphql::types::service_inputs::{
    LogDutyInput, ProblemStepInput, RecordServiceActivityInput, RecordTrainingInput,
    ReportProblemInput, VillageIncomeInput,
};
use crate::graphql::types::village_income::VillageIncome;
use crate::ids::{ActivityId, Id, ProblemId};
use crate::service::{activities, config, duties, economy, problem_steps, problems, training};

#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// Records a volunteer service activity held by a team (or a grid or
    /// group, for a joint event), with its participants and their hours.
    async fn record_service_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity.")] input: RecordServiceActivityInput,
    ) -> Result<ServiceActivity> {
        let new = input.into_new()?;
        Ok(run(ctx, move |c, a| activities::record_activity(c, a, new))
            .await
            .map(ServiceActivity)?)
    }

    /// Cancels an activity recorded by mistake: it stays, counted nowhere.
    async fn cancel_service_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity.")] id: ID,
        #[graphql(desc = "Why.")] reason: String,
    ) -> Result<ServiceActivity> {
        let id = ActivityId::decode(&id, "id")?;
        Ok(run(ctx, move |c, a| {
            activities::cancel_activity(c, a, id, &reason)
        })
        .await
        .map(ServiceActivity)?)
    }

    /// Reports a resident's problem in a grid (status RECEIVED).
    async fn report_problem(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The problem.")] input: ReportProblemInput,
    ) -> Result<Problem> {
        let new = input.into_new()?;
        Ok(run(ctx, move |c, a| problems::report_problem(c, a, new))
            .await
            .map(Problem)?)
    }

    /// Moves a problem one step along `RECEIVED → ASSIGNED → RESOLVED |
    /// ESCALATED → CLOSED` (an escalated problem is assigned again at its
    /// new level, or escalated further, or closed). Any other step is
    /// `BAD_USER_INPUT` on `status`.
    async fn update_problem_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The problem.")] id: ID,
        #[graphql(desc = "The step.")] input: ProblemStepInput,
    ) -> Result<Problem> {
        let id = ProblemId::decode(&id, "id")?;
        let step = input.into_step()?;
        Ok(
            run(ctx, move |c, a| problem_steps::step_problem(c, a, id, step))
                .await
                .map(Problem)?,
        )
    }

    /// Logs a cadre's duty at a unit or household.
    async fn log_duty(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The duty.")] input: LogDutyInput,
    ) -> Result<DutyLog> {
        let new = input.into_new()?;
        Ok(run(ctx, move |c, a| duties::log_duty(c, a, new))
            .await
            .map(DutyLog)?)
    }

    /// Records a training session.
    async fn record_training(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session.")] input: RecordTrainingInput,
    ) -> Result<TrainingSession> {
        let new = input.into_new()?;
        Ok(run(ctx, move |c, a| training::record_training(c, a, new))
            .await
            .map(TrainingSession)?)
    }

    /// Sets a village's (community's) collective operating income for a
    /// year, replacing any earlier figure.
    async fn set_village_income(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The figure.")] input: VillageIncomeInput,
    ) -> Result<VillageIncome> {
        let input = input.into_input()?;
        Ok(run(ctx, move |c, a| {
            let row = economy::set_income(c, a, input)?;
            Ok(VillageIncome(row, config::brackets(c)?))
        })
        .await?)
    }

    /// Sets the region's income brackets by their lower bounds in yuan
    /// (ascending; the first bracket, from 0, holds the weak villages) and
    /// recounts the economy. Region ADMIN only.
    async fn set_economy_brackets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Lower bounds in yuan (1 to 10, ascending).")] bounds: Vec<i64>,
    ) -> Result<Vec<i64>> {
        Ok(run(ctx, move |c, a| config::set_brackets(c, a, bounds))
            .await?
            .0)
    }

    /// Sets a problem category's deadline in days, for problems received
    /// from now on. Region ADMIN only.
    async fn set_problem_deadline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The category.")] category: ProblemCategory,
        #[graphql(desc = "Days (1 to 365).")] days: i32,
    ) -> Result<i32> {
        Ok(run(ctx, move |c, a| config::set_deadline(c, a, category, days)).await?)
    }
}
