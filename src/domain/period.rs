//! Calendar periods for trends: months, quarters and years between two dates.

use chrono::{Datelike, Months, NaiveDate};

/// How a trend is bucketed.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// Calendar months (按月).
    Month,
    /// Calendar quarters (按季度).
    Quarter,
    /// Calendar years (按年).
    Year,
}

/// One bucket: its label (`2026-03`, `2026-Q1`, `2026`), first day, and
/// the day it is measured on (its last day, or the end of the range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub start: NaiveDate,
    pub on: NaiveDate,
}

/// The most periods one trend may ask for.
pub const MAX_PERIODS: usize = 240;

impl Interval {
    fn months(self) -> u32 {
        match self {
            Interval::Month => 1,
            Interval::Quarter => 3,
            Interval::Year => 12,
        }
    }

    /// The first day of the period holding `day`.
    fn start_of(self, day: NaiveDate) -> NaiveDate {
        let m0 = day.month0() / self.months() * self.months();
        NaiveDate::from_ymd_opt(day.year(), m0 + 1, 1).unwrap_or(day)
    }

    fn label(self, start: NaiveDate) -> String {
        match self {
            Interval::Month => start.format("%Y-%m").to_string(),
            Interval::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Interval::Year => start.year().to_string(),
        }
    }

    /// The periods from the one holding `from` to the one holding `to`;
    /// `None` when there would be more than `max`.
    pub fn periods(self, from: NaiveDate, to: NaiveDate, max: usize) -> Option<Vec<Period>> {
        let mut out = Vec::new();
        let mut start = self.start_of(from);
        while start <= to {
            if out.len() == max {
                return None;
            }
            let next = start.checked_add_months(Months::new(self.months()))?;
            out.push(Period {
                label: self.label(start),
                start,
                on: next.pred_opt()?.min(to),
            });
            start = next;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn periods_cover_the_range_and_end_on_its_last_day() {
        let p = Interval::Quarter
            .periods(d("2025-02-10"), d("2025-11-27"), 10)
            .unwrap_or_default();
        let labels: Vec<_> = p.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
        assert_eq!(p[0].on, d("2025-03-31"));
        assert_eq!(p[3].on, d("2025-11-27"));
        let m = Interval::Month
            .periods(d("2024-01-31"), d("2025-12-31"), 24)
            .unwrap_or_default();
        assert_eq!(m.len(), 24);
        assert_eq!(m[1].on, d("2024-02-29"));
        assert!(Interval::Month
            .periods(d("2024-01-01"), d("2025-12-31"), 23)
            .is_none());
        assert_eq!(
            Interval::Year.periods(d("2026-01-01"), d("2026-01-01"), 5),
            Some(vec![Period {
                label: "2026".into(),
                start: d("2026-01-01"),
                on: d("2026-01-01")
            }])
        );
    }
}
