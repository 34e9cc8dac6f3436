//! The vocabulary and rules of grassroots work (issue 13): service
//! activities, residents' problems and their status flow, cadre duties,
//! and the village economy's income brackets. Pure data; no I/O.

use chrono::{Datelike, NaiveDate};

use super::kinds::labelled_enum;
use crate::error::{AppError, AppResult};

labelled_enum! {
    /// 诉求类别: what a resident's problem is about.
    pub enum ProblemCategory {
        /// 生活实际难题.
        LivingDifficulty => ("LIVING_DIFFICULTY", "生活实际难题"),
        /// 其他困难.
        OtherDifficulty => ("OTHER_DIFFICULTY", "其他困难"),
        /// 矛盾纠纷.
        Dispute => ("DISPUTE", "矛盾纠纷"),
        /// 环境卫生.
        Sanitation => ("SANITATION", "环境卫生"),
        /// 安全隐患.
        SafetyHazard => ("SAFETY_HAZARD", "安全隐患"),
        /// 基础设施 (roads, water, power).
        Infrastructure => ("INFRASTRUCTURE", "基础设施"),
        /// 政策咨询.
        PolicyInquiry => ("POLICY_INQUIRY", "政策咨询"),
    }
}

labelled_enum! {
    /// 反映渠道: how a problem reached the grid.
    pub enum ProblemChannel {
        /// 网格员走访: a grid worker's visit.
        GridVisit => ("GRID_VISIT", "网格员走访"),
        /// 网格微信群: the grid's WeChat group (the unit's `wechatGroup`).
        WechatGroup => ("WECHAT_GROUP", "网格微信群"),
        /// 坐班接访: office hours.
        OfficeHours => ("OFFICE_HOURS", "坐班接访"),
        /// 热线电话: a hotline.
        Hotline => ("HOTLINE", "热线电话"),
    }
}

labelled_enum! {
    /// Where a problem stands.
    pub enum ProblemStatus {
        /// 已受理: received, not yet handed to anyone.
        Received => ("RECEIVED", "已受理"),
        /// 已交办: assigned to a team, a person or a unit.
        Assigned => ("ASSIGNED", "已交办"),
        /// 已解决.
        Resolved => ("RESOLVED", "已解决"),
        /// 已上报: escalated to the next level up.
        Escalated => ("ESCALATED", "已上报"),
        /// 已办结: closed.
        Closed => ("CLOSED", "已办结"),
    }
}

labelled_enum! {
    /// The level a problem is handled at: the grid, or where it was escalated to.
    pub enum HandlingLevel {
        /// 网格.
        Grid => ("GRID", "网格"),
        /// 村(社区).
        Village => ("VILLAGE", "村(社区)"),
        /// 乡镇(街道).
        Township => ("TOWNSHIP", "乡镇(街道)"),
        /// 县(市、区).
        County => ("COUNTY", "县(市、区)"),
    }
}

labelled_enum! {
    /// A cadre's duty.
    pub enum DutyKind {
        /// 联点包片: working the area one is linked to.
        LinkedArea => ("LINKED_AREA", "联点包片"),
        /// 坐班接访: office hours receiving residents.
        OfficeHours => ("OFFICE_HOURS", "坐班接访"),
        /// 结对帮扶: paired support of a household.
        PairedSupport => ("PAIRED_SUPPORT", "结对帮扶"),
        /// 走访慰问: visits and condolences.
        Visit => ("VISIT", "走访慰问"),
    }
}

impl HandlingLevel {
    /// 0 for the grid, up to 3 for the county.
    pub fn number(self) -> i32 {
        match self {
            HandlingLevel::Grid => 0,
            HandlingLevel::Village => 1,
            HandlingLevel::Township => 2,
            HandlingLevel::County => 3,
        }
    }

    /// The level numbered `n`.
    pub fn from_number(n: i32) -> Option<HandlingLevel> {
        HandlingLevel::ALL.get(usize::try_from(n).ok()?).copied()
    }

    /// The next level up (none above the county).
    pub fn up(self) -> Option<HandlingLevel> {
        HandlingLevel::from_number(self.number() + 1)
    }
}

/// Checks a step of the status flow: `RECEIVED → ASSIGNED → RESOLVED |
/// ESCALATED → CLOSED`, where an escalated problem is assigned again at its
/// new level (village or township) or escalated further, and one escalated
/// to the county, which lies outside the tree, is only closed. Anything
/// else is `BAD_USER_INPUT` on `status`.
pub fn check_step(from: ProblemStatus, to: ProblemStatus, level: HandlingLevel) -> AppResult<()> {
    use ProblemStatus::*;
    let allowed = match (from, to) {
        (Received, Assigned) | (Assigned, Resolved) | (Resolved, Closed) => true,
        (Assigned | Escalated, Escalated) => level != HandlingLevel::County,
        (Escalated, Assigned) => level != HandlingLevel::County,
        (Escalated, Closed) => true,
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    let why = match (from, to) {
        (Closed, _) => "a closed problem does not change any more".to_owned(),
        (_, Escalated | Assigned) if level == HandlingLevel::County => {
            "the problem was escalated to the county, outside the tree; it can only be closed"
                .to_owned()
        }
        (_, Received) => "a problem is received once, when it is reported".to_owned(),
        _ => format!(
            "a problem that is {} cannot become {} (the flow is RECEIVED → ASSIGNED → RESOLVED or ESCALATED → CLOSED)",
            from.as_str(),
            to.as_str()
        ),
    };
    Err(AppError::bad_input("status", why))
}

/// Whether a problem in `status` is still open (not resolved or closed).
pub fn is_open(status: ProblemStatus) -> bool {
    !matches!(status, ProblemStatus::Resolved | ProblemStatus::Closed)
}

/// The most hours one participant may log for one activity.
pub const MAX_HOURS_TENTHS: i32 = 240;
/// The most participants one activity may list.
pub const MAX_PARTICIPANTS: usize = 500;
/// The most residents one activity may claim to have served.
pub const MAX_RESIDENTS_SERVED: i32 = 100_000;
/// The most trainees one training session may count.
pub const MAX_TRAINEES: i32 = 10_000;
/// The highest yearly income a village may report, in yuan (¥10 billion).
pub const MAX_INCOME_YUAN: i64 = 10_000_000_000;

/// The most village incomes one list returns (a province's villages).
pub const MAX_INCOME_ROWS: i64 = 50_000;

/// Hours (a multiple of 0.1, more than 0 and at most 24) in tenths.
pub fn hours_tenths(field: &str, hours: f64) -> AppResult<i32> {
    let tenths = (hours * 10.0).round();
    if !hours.is_finite() || (hours * 10.0 - tenths).abs() > 1e-6 {
        return Err(AppError::bad_input(
            field,
            "hours are given to a tenth of an hour (e.g. 1.5)",
        ));
    }
    if !(1.0..=f64::from(MAX_HOURS_TENTHS)).contains(&tenths) {
        return Err(AppError::bad_input(
            field,
            "hours lie between 0.1 and 24 per participant and activity",
        ));
    }
    Ok(tenths as i32)
}

/// A month as kept by the counters: `yyyymm`.
pub fn month_of(day: NaiveDate) -> i32 {
    day.year() * 100 + day.month() as i32
}

/// A whole year as kept by the counters: `yyyy00`.
pub fn year_key(year: i32) -> i32 {
    year * 100
}

/// A summary's period: whole months from `from`'s to `to`'s, both within
/// 1900–2999, `from` not after `to`, at most 10 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Months {
    pub first: i32,
    pub last: i32,
}

impl Months {
    /// The months from the one holding `from` to the one holding `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> AppResult<Months> {
        if from > to {
            return Err(AppError::bad_input(
                "to",
                "the period ends before it begins",
            ));
        }
        if to.year() - from.year() > 10 {
            return Err(AppError::bad_input(
                "to",
                "a period covers at most ten years",
            ));
        }
        Ok(Months {
            first: month_of(from),
            last: month_of(to),
        })
    }

    /// The calendar year these months make up exactly, if they do.
    pub fn whole_year(self) -> Option<i32> {
        (self.first % 100 == 1 && self.last == self.first + 11).then_some(self.first / 100)
    }

    /// The one month these are, if they are one.
    pub fn single(self) -> Option<i32> {
        (self.first == self.last).then_some(self.first)
    }
}

/// The lower median of values given as (value, how many), in any order;
/// `None` for none.
pub fn lower_median(mut counts: Vec<(i64, i64)>) -> Option<i64> {
    counts.retain(|(_, n)| *n > 0);
    counts.sort_unstable();
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = (total + 1) / 2;
    let mut seen = 0;
    for (value, n) in counts {
        seen += n;
        if seen >= rank {
            return Some(value);
        }
    }
    None
}

/// The region's income brackets, by their lower bounds in yuan (the first
/// bracket, from 0, holds the weak villages, 薄弱村).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brackets(pub Vec<i64>);

impl Default for Brackets {
    /// The seed's: weak below ¥50k, then 50–60k, 60–200k and above 200k.
    fn default() -> Self {
        Brackets(vec![50_000, 60_000, 200_000])
    }
}

impl Brackets {
    /// Checks new bounds: 1 to 10 of them, each above 0, ascending.
    pub fn new(bounds: Vec<i64>) -> AppResult<Brackets> {
        if bounds.is_empty() || bounds.len() > 10 {
            return Err(AppError::bad_input("bounds", "give 1 to 10 lower bounds"));
        }
        if bounds.iter().any(|b| *b <= 0 || *b > MAX_INCOME_YUAN) {
            return Err(AppError::bad_input(
                "bounds",
                "each lower bound is more than ¥0 and at most ¥10 billion",
            ));
        }
        if bounds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(AppError::bad_input("bounds", "lower bounds ascend"));
        }
        Ok(Brackets(bounds))
    }

    /// The bracket (0: weak) of an income.
    pub fn of(&self, income: i64) -> usize {
        self.0.iter().take_while(|b| income >= **b).count()
    }

    /// How many brackets there are.
    pub fn len(&self) -> usize {
        self.0.len() + 1
    }

    /// Never: there is always the weak bracket.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bracket `i`'s range in yuan: from (inclusive) and to (exclusive).
    pub fn range(&self, i: usize) -> (i64, Option<i64>) {
        let from = if i == 0 { 0 } else { self.0[i - 1] };
        (from, self.0.get(i).copied())
    }

    /// A label like `5万–6万元` for bracket `i`.
    pub fn label(&self, i: usize) -> String {
        let wan = |y: i64| {
            if y % 10_000 == 0 {
                format!("{}万", y / 10_000)
            } else {
                format!("{y}")
            }
        };
        match self.range(i) {
            (0, Some(to)) => format!("{}元以下 (薄弱村)", wan(to)),
            (from, Some(to)) => format!("{}–{}元", wan(from), wan(to)),
            (from, None) => format!("{}元以上", wan(from)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProblemStatus::*;

    #[test]
    fn the_status_flow_allows_only_its_arrows() {
        let grid = HandlingLevel::Grid;
        for (from, to, ok) in [
            (Received, Assigned, true),
            (Received, Resolved, false),
            (Received, Escalated, false),
            (Received, Closed, false),
            (Assigned, Resolved, true),
            (Assigned, Escalated, true),
            (Assigned, Closed, false),
            (Assigned, Assigned, false),
            (Resolved, Closed, true),
            (Resolved, Assigned, false),
            (Escalated, Assigned, true),
            (Escalated, Escalated, true),
            (Escalated, Closed, true),
            (Escalated, Resolved, false),
            (Closed, Assigned, false),
            (Closed, Received, false),
        ] {
            assert_eq!(check_step(from, to, grid).is_ok(), ok, "{from:?} → {to:?}");
        }
        let county = HandlingLevel::County;
        assert!(check_step(Escalated, Assigned, county).is_err());
        assert!(check_step(Escalated, Escalated, county).is_err());
        assert!(check_step(Escalated, Closed, county).is_ok());
    }

    #[test]
    fn brackets_place_incomes_by_lower_bounds() {
        let b = Brackets::default();
        assert_eq!(
            [0, 49_999, 50_000, 59_999, 60_000, 199_999, 200_000].map(|i| b.of(i)),
            [0, 0, 1, 1, 2, 2, 3]
        );
        assert_eq!(b.len(), 4);
        assert_eq!(b.label(0), "5万元以下 (薄弱村)");
        assert_eq!(b.label(2), "6万–20万元");
        assert_eq!(b.label(3), "20万元以上");
        assert!(Brackets::new(vec![60_000, 50_000]).is_err());
        assert!(Brackets::new(vec![]).is_err());
        assert!(Brackets::new(vec![0]).is_err());
    }

    #[test]
    fn medians_and_hours() {
        assert_eq!(lower_median(vec![]), None);
        assert_eq!(lower_median(vec![(5, 1)]), Some(5));
        assert_eq!(lower_median(vec![(9, 1), (1, 1)]), Some(1));
        assert_eq!(lower_median(vec![(9, 2), (1, 1), (4, 0)]), Some(9));
        assert_eq!(hours_tenths("h", 1.5).ok(), Some(15));
        assert!(hours_tenths("h", 1.55).is_err());
        assert!(hours_tenths("h", 0.0).is_err());
        assert!(hours_tenths("h", 24.1).is_err());
        assert!(hours_tenths("h", f64::NAN).is_err());
    }

    #[test]
    fn months_know_whole_years() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default();
        let m = Months::new(d(2025, 1, 1), d(2025, 12, 31)).ok();
        assert_eq!(m.and_then(Months::whole_year), Some(2025));
        let m = Months::new(d(2025, 2, 1), d(2026, 1, 31)).ok();
        assert_eq!(m.and_then(Months::whole_year), None);
        assert!(Months::new(d(2026, 1, 1), d(2025, 1, 1)).is_err());
    }
}
