//! The summaries of grassroots work: volunteer service, residents'
//! problems, duties and training, and the village economy, as dashboards
//! show them.

use async_graphql::SimpleObject;

use crate::domain::service::{DutyKind, HandlingLevel, ProblemCategory};
use crate::domain::TeamCategory;
use crate::graphql::types::scalars::Date;
use crate::service::economy_summary::EconomyFigures;
use crate::service::summary::{DutyFigures, ProblemFigures, ServiceFigures};

/// Rounds a ratio to four decimals (0 when there is nothing to divide).
fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
    }
}

/// One category's service.
#[derive(SimpleObject, Debug, Clone)]
pub struct ServiceCategoryFigures {
    /// The category.
    pub category: TeamCategory,
    /// Its Chinese label.
    pub category_label: &'static str,
    /// Activities held.
    pub activities: i64,
    /// Volunteer hours given.
    pub hours: f64,
    /// Residents served.
    pub residents_served: i64,
    /// Participations (a person in an activity).
    pub participations: i64,
}

/// Volunteer service (志愿服务) in a period.
#[derive(SimpleObject, Debug, Clone)]
pub struct ServiceSummary {
    /// Activities held (cancelled ones left out).
    pub activities: i64,
    /// People with at least one activity in the period.
    pub volunteers_active: i64,
    /// Volunteer hours given.
    pub hours: f64,
    /// Hours per active volunteer.
    pub hours_per_volunteer: f64,
    /// Residents served.
    pub residents_served: i64,
    /// Participations (a person in an activity).
    pub participations: i64,
    /// Per category, those with any activity.
    pub by_category: Vec<ServiceCategoryFigures>,
}

impl From<ServiceFigures> for ServiceSummary {
    fn from(f: ServiceFigures) -> Self {
        let by_category: Vec<ServiceCategoryFigures> = f
            .categories
            .iter()
            .filter_map(|(c, [a, h, s, p])| {
                let category: TeamCategory = c.parse().ok()?;
                Some(ServiceCategoryFigures {
                    category,
                    category_label: category.label(),
                    activities: *a,
                    hours: *h as f64 / 10.0,
                    residents_served: *s,
                    participations: *p,
                })
            })
            .collect();
        let tenths: i64 = f.categories.values().map(|v| v[1]).sum();
        ServiceSummary {
            activities: f.categories.values().map(|v| v[0]).sum(),
            volunteers_active: f.volunteers,
            hours: tenths as f64 / 10.0,
            hours_per_volunteer: if f.volunteers == 0 {
                0.0
            } else {
                (tenths as f64 / 10.0 / f.volunteers as f64 * 10.0).round() / 10.0
            },
            residents_served: f.categories.values().map(|v| v[2]).sum(),
            participations: f.categories.values().map(|v| v[3]).sum(),
            by_category,
        }
    }
}

/// One category's problems.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProblemCategoryFigures {
    /// The category.
    pub category: ProblemCategory,
    /// Its Chinese label.
    pub category_label: &'static str,
    /// Received in the period.
    pub received: i64,
    /// Resolved in the period.
    pub resolved: i64,
    /// Resolved in the period, never escalated (解决在网格).
    pub resolved_in_grid: i64,
    /// Closed in the period.
    pub closed: i64,
}

/// Escalations to one level.
#[derive(SimpleObject, Debug, Clone)]
pub struct EscalationCount {
    /// The level escalated to.
    pub level: HandlingLevel,
    /// Its Chinese label.
    pub level_label: &'static str,
    /// Escalations in the period.
    pub count: i64,
}

/// Residents' problems (民情诉求) in a period, and open and overdue on a
/// day.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProblemsSummary {
    /// Received in the period.
    pub received: i64,
    /// Resolved in the period.
    pub resolved: i64,
    /// Resolved in the period never having been escalated.
    pub resolved_in_grid: i64,
    /// `resolvedInGrid / resolved` (问题解决在网格率), to four decimals.
    pub resolved_in_grid_rate: f64,
    /// Closed in the period.
    pub closed: i64,
    /// Escalations in the period per level escalated to.
    pub escalated: Vec<EscalationCount>,
    /// The lower median of whole hours from received to resolved, over the
    /// problems resolved in the period.
    pub median_hours_to_resolve: Option<i64>,
    /// Open at the end of `openAsOf` (received, assigned or escalated).
    pub open: i64,
    /// Of those, past their deadline (due before `openAsOf`).
    pub overdue: i64,
    /// The day `open` and `overdue` are counted at the end of.
    pub open_as_of: Date,
    /// Per category, those with any figure.
    pub by_category: Vec<ProblemCategoryFigures>,
}

impl From<ProblemFigures> for ProblemsSummary {
    fn from(f: ProblemFigures) -> Self {
        let sum = |i: usize| f.categories.values().map(|v| v[i]).sum::<i64>();
        let (resolved, in_grid) = (sum(1), sum(2));
        ProblemsSummary {
            received: sum(0),
            resolved,
            resolved_in_grid: in_grid,
            resolved_in_grid_rate: rate(in_grid, resolved),
            closed: sum(3),
            escalated: HandlingLevel::ALL[1..]
                .iter()
                .map(|l| EscalationCount {
                    level: *l,
                    level_label: l.label(),
                    count: f.escalated.get(l.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            median_hours_to_resolve: f.median_hours,
            open: f.open,
            overdue: f.overdue,
            open_as_of: Date(f.on),
            by_category: f
                .categories
                .iter()
                .filter_map(|(c, [r, s, g, cl])| {
                    let category: ProblemCategory = c.parse().ok()?;
                    Some(ProblemCategoryFigures {
                        category,
                        category_label: category.label(),
                        received: *r,
                        resolved: *s,
                        resolved_in_grid: *g,
                        closed: *cl,
                    })
                })
                .collect(),
        }
    }
}

/// Duties of one kind.
#[derive(SimpleObject, Debug, Clone)]
pub struct DutyKindCount {
    /// The kind.
    pub kind: DutyKind,
    /// Its Chinese label.
    pub kind_label: &'static str,
    /// Duties logged in the period.
    pub count: i64,
}

/// Cadres' duties and training in a period.
#[derive(SimpleObject, Debug, Clone)]
pub struct DutySummary {
    /// Duties logged.
    pub duties: i64,
    /// Per kind (every kind, zeros included).
    pub by_kind: Vec<DutyKindCount>,
    /// Training sessions held.
    pub training_sessions: i64,
    /// Trainees over all sessions: person-times (人次).
    pub trainee_times: i64,
}

impl From<DutyFigures> for DutySummary {
    fn from(f: DutyFigures) -> Self {
        DutySummary {
            duties: f.duties.values().sum(),
            by_kind: DutyKind::ALL
                .iter()
                .map(|k| DutyKindCount {
                    kind: *k,
                    kind_label: k.label(),
                    count: f.duties.get(k.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            training_sessions: f.trainings,
            trainee_times: f.trainees,
        }
    }
}

/// One income bracket's villages.
#[derive(SimpleObject, Debug, Clone)]
pub struct IncomeBracket {
    /// Its label (`5万–6万元`).
    pub label: String,
    /// From (inclusive), in yuan.
    pub from_yuan: i64,
    /// To (exclusive), in yuan; null for the top bracket.
    pub to_yuan: Option<i64>,
    /// Whether it is the weak villages' bracket (薄弱村).
    pub weak: bool,
    /// Villages and communities in it.
    pub villages: i64,
}

/// The village collective economy (村集体经济) of a year.
#[derive(SimpleObject, Debug, Clone)]
pub struct EconomySummary {
    /// The year.
    pub year: i32,
    /// Villages per bracket, from the weak ones up.
    pub brackets: Vec<IncomeBracket>,
    /// Weak villages (the first bracket).
    pub weak: i64,
    /// Villages weak the year before and not weak this year.
    pub lifted: i64,
    /// Villages with a figure for the year.
    pub with_figure: i64,
    /// Active villages and communities without a figure for the year.
    pub without_figure: i64,
    /// Total collective operating income, in yuan.
    pub total_income_yuan: i64,
    /// The lower median income of the villages with a figure, in yuan.
    pub median_income_yuan: Option<i64>,
}

impl EconomySummary {
    pub fn new(year: i32, f: EconomyFigures) -> Self {
        EconomySummary {
            year,
            brackets: f
                .villages
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let (from_yuan, to_yuan) = f.brackets.range(i);
                    IncomeBracket {
                        label: f.brackets.label(i),
                        from_yuan,
                        to_yuan,
                        weak: i == 0,
                        villages: *n,
                    }
                })
                .collect(),
            weak: f.villages.first().copied().unwrap_or(0),
            lifted: f.lifted,
            with_figure: f.villages.iter().sum(),
            without_figure: f.without_figure,
            total_income_yuan: f.total_income,
            median_income_yuan: f.median_income,
        }
    }
}

/// One person's volunteer service in a period.
#[derive(SimpleObject, Debug, Clone)]
pub struct PersonService {
    /// Activities taken part in.
    pub activities: i64,
    /// Hours given.
    pub hours: f64,
}
