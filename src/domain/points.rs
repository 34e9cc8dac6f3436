//! Households and the points system (积分制), as pure rules: the meetings
//! that adopt a points list, the items of a list, caps, reversals and the
//! competition ranking. No I/O.

use chrono::{Datelike, NaiveDate};

use super::kinds::labelled_enum;
use super::rules;
use crate::error::{AppError, AppResult};

labelled_enum! {
    /// The meeting that adopted a version of a points list.
    pub enum MeetingKind {
        /// 屋场会: a meeting of the households of one courtyard or hamlet.
        HouseholdMeeting => ("HOUSEHOLD_MEETING", "屋场会"),
        /// 板凳会: an informal meeting of villagers.
        BenchMeeting => ("BENCH_MEETING", "板凳会"),
        /// 村民代表大会.
        VillagerRepresentatives => ("VILLAGER_REPRESENTATIVES", "村民代表大会"),
        /// 党员大会.
        PartyMembers => ("PARTY_MEMBERS", "党员大会"),
    }
}

labelled_enum! {
    /// Where a version of a points list stands.
    pub enum ListStatus {
        /// 待表决: proposed by the two committees (两委), open to changes.
        Proposed => ("PROPOSED", "待表决"),
        /// 已通过: adopted by a meeting, in force from its adoption date
        /// until the next adopted version. Never changed again.
        Adopted => ("ADOPTED", "已通过"),
        /// 已撤回: withdrawn before a vote.
        Withdrawn => ("WITHDRAWN", "已撤回"),
    }
}

labelled_enum! {
    /// What a redemption (兑现) gives.
    pub enum RedemptionKind {
        /// 奖励: a reward (分红, goods, an honour).
        Reward => ("REWARD", "奖励"),
        /// 惩戒: a penalty (loss of a benefit, a public notice).
        Penalty => ("PENALTY", "惩戒"),
    }
}

/// The categories the seed names, suggested to every village; a village
/// may add its own.
pub const SUGGESTED_CATEGORIES: [&str; 6] = [
    "环境卫生",
    "孝老爱亲",
    "移风易俗",
    "志愿服务",
    "遵纪守法",
    "产业发展",
];

/// The most items one version of a list may hold.
pub const MAX_ITEMS: usize = 200;
/// The largest number of points one item may add or deduct.
pub const MAX_ITEM_POINTS: i32 = 10_000;

/// The meeting that adopts a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub attendance: i32,
    pub votes_for: i32,
    pub votes_against: i32,
}

impl Meeting {
    /// A meeting that adopted a list: someone attended, no more votes than
    /// people, and a majority of those present voted for it.
    pub fn check(&self) -> AppResult<()> {
        if self.attendance < 1 || self.attendance > 100_000 {
            return Err(AppError::bad_input(
                "meeting.attendance",
                "attendance is 1 to 100,000 people",
            ));
        }
        if self.votes_for < 0 || self.votes_against < 0 {
            return Err(AppError::bad_input(
                "meeting.votesFor",
                "votes are not negative",
            ));
        }
        if self.votes_for + self.votes_against > self.attendance {
            return Err(AppError::bad_input(
                "meeting.votesFor",
                "more votes than people present",
            ));
        }
        if self.votes_for * 2 <= self.attendance {
            return Err(AppError::bad_input(
                "meeting.votesFor",
                "a list is adopted by more than half of those present",
            ));
        }
        Ok(())
    }
}

/// One item of a list as proposed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemDraft {
    pub code: String,
    pub category: String,
    pub description: String,
    pub points: i32,
    pub cap_per_year: Option<i32>,
}

/// Checks the items of a version: codes unique and ASCII, categories and
/// descriptions named, points non-zero and bounded, caps positive and at
/// least one item's worth. `field` names the list argument.
pub fn check_items(items: &mut [ItemDraft], field: &str) -> AppResult<()> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(AppError::bad_input(
            field,
            format!("a points list has 1 to {MAX_ITEMS} items"),
        ));
    }
    let mut codes = std::collections::HashSet::new();
    for (i, item) in items.iter_mut().enumerate() {
        let at = |name: &str| format!("{field}[{i}].{name}");
        item.code = super::text::code(&at("code"), item.code.trim(), 32)?;
        if !codes.insert(item.code.to_ascii_uppercase()) {
            return Err(AppError::bad_input(
                at("code"),
                format!("item code {} appears twice", item.code),
            ));
        }
        item.category = rules::name(&at("category"), &item.category)?;
        if item.category.chars().count() > 20 {
            return Err(AppError::bad_input(
                at("category"),
                "a category is at most 20 characters",
            ));
        }
        item.description = super::text::clean(
            &at("description"),
            &item.description,
            rules::MAX_SHORT_TEXT_CHARS,
            super::text::TextKind::Line,
        )?;
        if item.description.is_empty() {
            return Err(AppError::bad_input(
                at("description"),
                "an item is described",
            ));
        }
        if item.points == 0 || item.points.abs() > MAX_ITEM_POINTS {
            return Err(AppError::bad_input(
                at("points"),
                format!("an item adds or deducts 1 to {MAX_ITEM_POINTS} points"),
            ));
        }
        if let Some(cap) = item.cap_per_year {
            if cap < item.points.abs() || cap > MAX_ITEM_POINTS * 100 {
                return Err(AppError::bad_input(
                    at("capPerYear"),
                    "a cap is at least the item's points, at most 1,000,000",
                ));
            }
        }
    }
    Ok(())
}

/// The points a record of an item carries: the item's own by default; a
/// given value has the item's sign and is no larger.
pub fn record_points(item_points: i32, given: Option<i32>) -> AppResult<i32> {
    let Some(p) = given else {
        return Ok(item_points);
    };
    if p == 0 || p.signum() != item_points.signum() || p.abs() > item_points.abs() {
        return Err(AppError::bad_input(
            "points",
            format!("points have the item's sign and are at most its {item_points}"),
        ));
    }
    Ok(p)
}

/// Whether a household that already has `so_far` points of an item this
/// year may get `more`: its total of that item stays within the cap
/// (added items) or above minus the cap (deductions).
pub fn within_cap(cap: Option<i32>, so_far: i64, more: i64) -> bool {
    match cap {
        None => true,
        Some(cap) => {
            (so_far + more).abs() <= i64::from(cap) || (so_far + more).abs() < so_far.abs()
        }
    }
}

/// The year a record on `on` counts for.
pub fn year_of(on: NaiveDate) -> i32 {
    on.year()
}

/// Competition ranks ("1224"): for points in descending order, each
/// entry's rank is one more than the number of entries with more points.
pub fn competition_ranks(points_desc: &[i64]) -> Vec<i64> {
    let mut ranks = Vec::with_capacity(points_desc.len());
    for (i, p) in points_desc.iter().enumerate() {
        match (i, ranks.last()) {
            (0, _) | (_, None) => ranks.push(1),
            (_, Some(&r)) if points_desc[i - 1] == *p => ranks.push(r),
            _ => ranks.push(i as i64 + 1),
        }
    }
    ranks
}

/// How many of `sorted` (ordered by points) make the first `n` places,
/// ties with the last place included: the leading `n` entries, and every
/// entry after them with the same points as the `n`-th.
pub fn with_ties(sorted: &[i64], n: usize) -> usize {
    if n == 0 || sorted.is_empty() {
        return 0;
    }
    let n = n.min(sorted.len());
    let last = sorted[n - 1];
    n + sorted[n..].iter().take_while(|p| **p == last).count()
}

/// Share of `part` in `whole`, 0 when `whole` is 0.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranks_share_places_and_skip() {
        assert_eq!(
            competition_ranks(&[9, 7, 7, 5, 5, 5, 1]),
            [1, 2, 2, 4, 4, 4, 7]
        );
        assert_eq!(competition_ranks(&[]), Vec::<i64>::new());
        assert_eq!(competition_ranks(&[3, 3]), [1, 1]);
    }

    #[test]
    fn ties_at_the_last_place_are_kept() {
        assert_eq!(with_ties(&[9, 7, 7, 5], 2), 3);
        assert_eq!(with_ties(&[9, 7, 6, 5], 2), 2);
        assert_eq!(with_ties(&[9], 5), 1);
        assert_eq!(with_ties(&[9, 8], 0), 0);
    }

    #[test]
    fn caps_bound_both_ways() {
        assert!(within_cap(Some(10), 5, 5));
        assert!(!within_cap(Some(10), 5, 6));
        assert!(within_cap(Some(10), -8, -2));
        assert!(!within_cap(Some(10), -8, -3));
        // A reversal always brings a total back toward zero.
        assert!(within_cap(Some(10), 12, -5));
        assert!(within_cap(None, 1_000, 1_000));
    }

    #[test]
    fn meetings_adopt_by_majority_of_those_present() {
        let m = Meeting {
            kind: MeetingKind::BenchMeeting,
            held_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            attendance: 40,
            votes_for: 21,
            votes_against: 10,
        };
        assert!(m.check().is_ok());
        let tie = Meeting { votes_for: 20, ..m };
        assert_eq!(tie.check().unwrap_err().field(), Some("meeting.votesFor"));
        let over = Meeting {
            votes_against: 30,
            ..m
        };
        assert!(over.check().is_err());
        let empty = Meeting { attendance: 0, ..m };
        assert_eq!(
            empty.check().unwrap_err().field(),
            Some("meeting.attendance")
        );
    }

    #[test]
    fn records_keep_the_items_sign() {
        assert_eq!(record_points(5, None).unwrap(), 5);
        assert_eq!(record_points(5, Some(3)).unwrap(), 3);
        assert!(record_points(5, Some(6)).is_err());
        assert!(record_points(-5, Some(3)).is_err());
        assert_eq!(record_points(-5, Some(-2)).unwrap(), -2);
    }
}
