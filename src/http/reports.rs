//! `GET /reports/coverage.xlsx|csv` (the coverage report) and
//! `GET /reports/people.xlsx|csv` (the people export), and
//! `GET /reports/points-ledger.xlsx|csv` and `points-ranking.xlsx|csv`
//! (the points system's ledger and ranking) for the signed-in
//! viewer (token in `Authorization`), under the same access rules as the API.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::bearer::{viewer_of_link, Caller};
use crate::auth::policy::Sight;
use crate::error::{AppError, AppResult};
use crate::ids::{decode, Kind};
use crate::report::people::PeopleExport;
use crate::report::points::PointsExport;
use crate::report::{scope_name, CoverageReport, Format};
use crate::state::AppState;
use crate::tree::read;

/// The query string.
#[derive(Debug, Deserialize)]
pub struct ReportParams {
    /// The unit to report beneath: its global id or its code.
    pub under: Option<String>,
    /// A signed link from `reportLink`, in place of `Authorization`.
    pub link: Option<String>,
    /// Points exports: the year (a ledger: optional; a ranking: required).
    pub year: Option<i32>,
    /// A ranking: its first places (default 200, at most 1,000).
    pub top: Option<usize>,
    /// A ranking: the last places of each village (default 5, at most 100).
    pub bottom: Option<usize>,
}

/// Which report a file name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    Coverage,
    People,
    PointsLedger,
    PointsRanking,
}

/// `coverage.xlsx`, `coverage.csv`, `people.xlsx` or `people.csv`.
fn report_of(file: &str) -> AppResult<(Report, Format)> {
    match file {
        "coverage.xlsx" => Ok((Report::Coverage, Format::Xlsx)),
        "coverage.csv" => Ok((Report::Coverage, Format::Csv)),
        "people.xlsx" => Ok((Report::People, Format::Xlsx)),
        "people.csv" => Ok((Report::People, Format::Csv)),
        "points-ledger.xlsx" => Ok((Report::PointsLedger, Format::Xlsx)),
        "points-ledger.csv" => Ok((Report::PointsLedger, Format::Csv)),
        "points-ranking.xlsx" => Ok((Report::PointsRanking, Format::Xlsx)),
        "points-ranking.csv" => Ok((Report::PointsRanking, Format::Csv)),
        other => Err(AppError::not_found(format!(
            "no report {other}; try coverage, people, points-ledger or points-ranking, as .xlsx or .csv"
        ))),
    }
}

pub async fn report(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<ReportParams>,
    caller: Result<Caller, AppError>,
) -> Response {
    match build(state, &file, params, caller).await {
        Ok((format, bytes, title)) => {
            let disposition = disposition(&file, &title);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(format.content_type()),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&disposition)
                            .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn build(
    state: AppState,
    file: &str,
    params: ReportParams,
    caller: Result<Caller, AppError>,
) -> AppResult<(Format, Vec<u8>, String)> {
    let (kind, format) = report_of(file)?;
    let viewer = match params.link.as_deref() {
        // A link opens exactly the download it was issued for.
        Some(link) => {
            let link = state.auth.keys.verify_report_link(link)?;
            if link.report != file || link.under != params.under {
                return Err(AppError::Unauthenticated);
            }
            viewer_of_link(&state.auth, &state.db, &link).await?
        }
        None => caller?.0,
    };
    viewer.require_signed_in()?;
    let visibility = viewer.visibility();
    let now = chrono::Utc::now();
    let zone = state.time_zone;
    let region = state.region_name.clone();
    let (bytes, scope) = state
        .db
        .read(move |c| {
            let under = match params
                .under
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(key) => {
                    let unit = match decode(key, Kind::OrgUnit, "under") {
                        Ok(id) => read::find(c, &visibility, id)?,
                        Err(_) => read::find_by_code(c, &visibility, key)?,
                    };
                    match unit {
                        Some(u) if visibility.sight(&u) == Sight::Full => Some(u),
                        _ => return Err(AppError::unit_not_found("under")),
                    }
                }
            };
            let scope = scope_name(c, &visibility, under.as_ref(), region.as_deref())?;
            let bytes = match kind {
                Report::Coverage => {
                    CoverageReport::gather(c, &visibility, under.as_ref(), scope.clone(), now)?
                        .in_zone(zone)
                        .render(format)?
                }
                Report::People => {
                    PeopleExport::gather(c, &viewer, under.as_ref(), now.date_naive())?
                        .render(format)?
                }
                Report::PointsLedger | Report::PointsRanking => {
                    let unit = under
                        .as_ref()
                        .ok_or_else(|| AppError::bad_input("under", "under is required"))?;
                    let year = params.year.filter(|y| (1900..=2999).contains(y));
                    if params.year.is_some() && year.is_none() {
                        return Err(AppError::bad_input(
                            "year",
                            "a year lies between 1900 and 2999",
                        ));
                    }
                    let export = if kind == Report::PointsLedger {
                        PointsExport::ledger(c, unit, year)?
                    } else {
                        let year =
                            year.ok_or_else(|| AppError::bad_input("year", "year is required"))?;
                        let top = params.top.unwrap_or(200);
                        let bottom = params.bottom.unwrap_or(5);
                        if top > 1_000 || bottom > 100 {
                            return Err(AppError::bad_input(
                                "top",
                                "top is at most 1,000 and bottom at most 100",
                            ));
                        }
                        PointsExport::ranking(c, unit, year, (top, bottom))?
                    };
                    export.render(format)?
                }
            };
            Ok((bytes, scope))
        })
        .await?;
    let title = match kind {
        Report::Coverage => "党组织覆盖情况统计表",
        Report::People => "人员名册",
        Report::PointsLedger => "积分台账",
        Report::PointsRanking => "积分排名",
    };
    let name = format!(
        "{title}_{}_{}.{}",
        file_safe(&scope),
        now.with_timezone(&zone).date_naive(),
        format.extension()
    );
    Ok((format, bytes, name))
}

/// A name's characters that file systems refuse, replaced.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// `Content-Disposition` with the UTF-8 name (RFC 6266 / 5987), and the
/// ASCII route name for clients that read only `filename`.
fn disposition(ascii: &str, name: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    )
}
