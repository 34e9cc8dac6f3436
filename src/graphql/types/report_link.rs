//! `ReportLink`: a download a plain `<a href>` can open.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};

/// Which report.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// 党组织覆盖情况统计表: coverage per level and unit type, and the gaps.
    Coverage,
    /// 人员名册: the people of the scope and the posts they hold.
    People,
    /// 积分台账: every point record of a village (or a unit beneath it);
    /// add `&year=` to the link for one year.
    PointsLedger,
    /// 积分排名: a year's first places and each village's last; add
    /// `&year=` (and `&top=`, `&bottom=`) to the link.
    PointsRanking,
}

/// In which format.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// An Excel workbook.
    Xlsx,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
}

impl ReportKind {
    /// The report's route name in `format`, e.g. `coverage.xlsx`.
    pub fn file(self, format: ReportFormat) -> String {
        let kind = match self {
            ReportKind::Coverage => "coverage",
            ReportKind::People => "people",
            ReportKind::PointsLedger => "points-ledger",
            ReportKind::PointsRanking => "points-ranking",
        };
        let ext = match format {
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
        };
        format!("{kind}.{ext}")
    }
}

/// A signed link to one download: `GET` it without an `Authorization`
/// header (a plain link, a new window) until `expiresAt`. It opens that
/// report of that scope for the account that asked, as the account stands
/// when it is opened, and nothing else.
#[derive(SimpleObject)]
pub struct ReportLink {
    /// The path to open on this server, query string included.
    pub url: String,
    /// When the link stops working (UTC).
    pub expires_at: DateTime<Utc>,
}
