//! `WorkPoint`: one month of grassroots work, for a chart.

use async_graphql::SimpleObject;

use crate::service::summary::{total, MonthFigures};
use crate::service::tallies::*;

/// One month of grassroots work.
#[derive(SimpleObject, Debug, Clone)]
pub struct WorkPoint {
    /// The month: `2026-03`.
    pub period: String,
    /// Service activities held.
    pub activities: i64,
    /// People with at least one activity that month.
    pub volunteers_active: i64,
    /// Volunteer hours given.
    pub hours: f64,
    /// Residents served.
    pub residents_served: i64,
    /// Problems received.
    pub problems_received: i64,
    /// Problems resolved.
    pub problems_resolved: i64,
    /// Problems resolved never having been escalated.
    pub resolved_in_grid: i64,
    /// Escalations.
    pub escalations: i64,
    /// Cadres' duties logged.
    pub duties: i64,
    /// Training sessions held.
    pub training_sessions: i64,
    /// Trainees over the sessions (人次).
    pub trainee_times: i64,
    /// Problems open at the month's end (today, within this month; null
    /// for months to come).
    pub problems_open: Option<i64>,
    /// Of those, past their deadline then.
    pub problems_overdue: Option<i64>,
}

/// The metrics a trend reads.
pub const TREND_METRICS: [&str; 10] = [
    ACTIVITIES, HOURS, SERVED, RECEIVED, RESOLVED, IN_GRID, ESCALATED, DUTIES, TRAININGS, TRAINEES,
];

impl From<MonthFigures> for WorkPoint {
    fn from((month, f, volunteers, open): MonthFigures) -> Self {
        WorkPoint {
            period: format!("{}-{:02}", month / 100, month % 100),
            activities: total(&f, ACTIVITIES),
            volunteers_active: volunteers,
            hours: total(&f, HOURS) as f64 / 10.0,
            residents_served: total(&f, SERVED),
            problems_received: total(&f, RECEIVED),
            problems_resolved: total(&f, RESOLVED),
            resolved_in_grid: total(&f, IN_GRID),
            escalations: total(&f, ESCALATED),
            duties: total(&f, DUTIES),
            training_sessions: total(&f, TRAININGS),
            trainee_times: total(&f, TRAINEES),
            problems_open: open.map(|o| o.0),
            problems_overdue: open.map(|o| o.1),
        }
    }
}
