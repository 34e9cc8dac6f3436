//! The coverage report an organization department forwards upward (党组织
//!覆盖情况统计表): per level, a row per unit type with counts per form,
//! and the list of gaps; written as `.xlsx` (a sheet per level) or `.csv`
//! (a section per level). Built for a viewer, under the same access rules
//! as the GraphQL API.

mod csv;
pub mod people;
pub mod points;
mod table;
pub mod work;
mod xlsx;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::domain::coverage::{gap_reason, Counts, Coverage, GapReason};
use crate::domain::{Level, OrgForm, OrgUnit, UnitType};
use crate::error::{AppError, AppResult};
use crate::tree::tally::Counted;
use crate::tree::{read, UnitFilter};

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// One coverage gap, ready to print.
#[derive(Debug, Clone)]
pub struct GapRow {
    pub name: String,
    pub code: String,
    pub unit_type: UnitType,
    pub form: OrgForm,
    /// Its ancestors' names, township first.
    pub path: String,
    pub reason: GapReason,
}

/// Everything a coverage report shows.
#[derive(Debug, Clone)]
pub struct CoverageReport {
    /// What it covers: a unit's name, or the viewer's whole scope.
    pub scope: String,
    pub generated_at: DateTime<Utc>,
    /// The zone `generated_at` is shown in (default: Asia/Shanghai).
    pub time_zone: chrono_tz::Tz,
    pub coverage: Coverage,
    pub gaps: Vec<GapRow>,
    /// Grassroots work this year (the xlsx report's last sheets).
    pub work: work::WorkFigures,
}

/// The forms a level's columns show: those allowed there.
pub(crate) fn forms_at(level: Level) -> Vec<OrgForm> {
    OrgForm::allowed_forms(level)
}

pub(crate) fn reason_label(r: GapReason) -> &'static str {
    match r {
        GapReason::NoOrganization => "未建立党组织",
        GapReason::HostLost => "挂靠组织失效",
    }
}

/// `covered / total` as a percentage with one decimal, or empty.
pub(crate) fn percent(c: &Counts) -> String {
    c.rate()
        .map_or_else(String::new, |r| format!("{:.1}%", r * 100.0))
}

/// What a report is of, for its title and file name: the unit `under`;
/// without it, the region (`region`, e.g. 新化县, or 全部) for a viewer of
/// the whole region, or the viewer's own scope units (上梅街道、梅苑开发区).
pub fn scope_name(
    conn: &mut DbConnection,
    visibility: &Visibility,
    under: Option<&OrgUnit>,
    region: Option<&str>,
) -> AppResult<String> {
    Ok(match (under, visibility) {
        (Some(unit), _) => unit.name.clone(),
        (None, Visibility::Units(scopes)) => {
            let ids: Vec<i64> = scopes.iter().map(|s| s.id).collect();
            let names: Vec<String> = read::find_many(conn, &Visibility::Everything, &ids)?
                .into_iter()
                .map(|u| u.name)
                .collect();
            names.join("、")
        }
        (None, _) => region.unwrap_or("全部").to_owned(),
    })
}

impl CoverageReport {
    /// Shows its times in `zone`.
    pub fn in_zone(self, zone: chrono_tz::Tz) -> CoverageReport {
        CoverageReport {
            time_zone: zone,
            ..self
        }
    }

    /// When it was made, as the county reads the clock.
    pub fn generated_local(&self) -> String {
        format!(
            "{} ({})",
            self.generated_at
                .with_timezone(&self.time_zone)
                .format("%Y-%m-%d %H:%M"),
            self.time_zone.name()
        )
    }

    /// Gathers the report of what `visibility` shows beneath `under` (or
    /// everything it shows), titled with `scope` (see [`scope_name`]).
    pub fn gather(
        conn: &mut DbConnection,
        visibility: &Visibility,
        under: Option<&OrgUnit>,
        scope: String,
        now: DateTime<Utc>,
    ) -> AppResult<CoverageReport> {
        let scope_ref = under.map(UnitRef::from);
        let coverage = Counted::new(scope_ref, visibility).now(conn)?;
        let filter = UnitFilter {
            under: scope_ref,
            gaps: Some(None),
            ..UnitFilter::default()
        };
        let units = read::list_visible(conn, visibility, &filter)?;
        let mut wanted: Vec<i64> = units
            .iter()
            .flat_map(|u| u.ancestry.ids().into_iter().chain(u.host_unit_id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let related: HashMap<i64, OrgUnit> =
            read::find_many(conn, &Visibility::Everything, &wanted)?
                .into_iter()
                .map(|u| (u.id, u))
                .collect();
        let gaps = units
            .iter()
            .filter_map(|u| {
                let host = u.host_unit_id.and_then(|h| related.get(&h));
                let reason = gap_reason(u, host).flatten()?;
                let path: Vec<&str> = u
                    .ancestry
                    .ids()
                    .iter()
                    .filter_map(|a| related.get(a).map(|x| x.name.as_str()))
                    .collect();
                Some(GapRow {
                    name: u.name.clone(),
                    code: u.code.clone().unwrap_or_default(),
                    unit_type: u.unit_type,
                    form: u.org_form.unwrap_or(OrgForm::None),
                    path: path.join(" / "),
                    reason,
                })
            })
            .collect();
        Ok(CoverageReport {
            scope,
            generated_at: now,
            time_zone: chrono_tz::Asia::Shanghai,
            coverage,
            gaps,
            work: work::WorkFigures::gather(conn, visibility, scope_ref, now)?,
        })
    }

    /// The report as a file.
    pub fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        match format {
            Format::Csv => csv::render(self),
            Format::Xlsx => xlsx::render(self)
                .map_err(|e| AppError::internal(format!("writing the xlsx report: {e}"))),
        }
    }

    /// The levels with units, township first, each with its unit types.
    pub(crate) fn levels(
        &self,
    ) -> impl Iterator<Item = (Level, &Counts, Vec<(UnitType, &Counts)>)> {
        self.coverage
            .levels
            .iter()
            .map(|(l, (c, types))| (*l, c, types.iter().map(|(t, c)| (*t, c)).collect()))
    }

    /// The gaps at one level.
    pub(crate) fn gaps_at(&self, level: Level) -> impl Iterator<Item = &GapRow> {
        self.gaps
            .iter()
            .filter(move |g| g.unit_type.level() == level)
    }
}

/// A cell of a CSV report, safe to open in a spreadsheet (OWASP, CSV
/// injection): text that a spreadsheet would read as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// which Excel shows as text. The import strips that quote again, so an
/// export still imports back unchanged.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}
