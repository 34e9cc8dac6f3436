//! `VillageIncome`: a village's (community's) collective operating income
//! for a year (村集体经营性收入), and the region's settings for
//! grassroots work.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::org_unit::OrgUnit;
use crate::domain::service::ProblemCategory;
use crate::graphql::context::ContextExt;
use crate::service::rows::IncomeRow;

/// A village's income for a year.
pub struct VillageIncome(pub IncomeRow, pub crate::domain::service::Brackets);

/// A village's (community's) collective operating income for a year
/// (村集体经营性收入), placed in the region's brackets.
#[Object]
impl VillageIncome {
    /// The village or community.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Collective operating income, in yuan.
    async fn income_yuan(&self) -> i64 {
        self.0.income_yuan
    }
    /// The bracket's label under the region's brackets.
    async fn bracket(&self) -> String {
        self.1.label(self.1.of(self.0.income_yuan))
    }
    /// Whether it is a weak village (薄弱村) that year.
    async fn weak(&self) -> bool {
        self.1.of(self.0.income_yuan) == 0
    }
    /// Where the income comes from.
    async fn sources(&self) -> Option<&str> {
        self.0.sources.as_deref()
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// A problem category's deadline.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProblemDeadline {
    /// The category.
    pub category: ProblemCategory,
    /// Its Chinese label.
    pub category_label: &'static str,
    /// Days from receipt to resolve it.
    pub days: i32,
}
