//! `GET /reports/coverage.xlsx|csv` (the coverage report) and
//! `GET /reports/people.xlsx|csv` (the people export) for the signed-in
//! viewer (token in `Authorization`), under the same access rules as the API.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::bearer::Caller;
use crate::auth::policy::Sight;
use crate::error::{AppError, AppResult};
use crate::ids::{decode, Kind};
use crate::report::people::PeopleExport;
use crate::report::{CoverageReport, Format};
use crate::state::AppState;
use crate::tree::read;

/// The query string.
#[derive(Debug, Deserialize)]
pub struct ReportParams {
    /// The unit to report beneath: its global id or its code.
    pub under: Option<String>,
}

/// Which report a file name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    Coverage,
    People,
}

/// `coverage.xlsx`, `coverage.csv`, `people.xlsx` or `people.csv`.
fn report_of(file: &str) -> AppResult<(Report, Format)> {
    match file {
        "coverage.xlsx" => Ok((Report::Coverage, Format::Xlsx)),
        "coverage.csv" => Ok((Report::Coverage, Format::Csv)),
        "people.xlsx" => Ok((Report::People, Format::Xlsx)),
        "people.csv" => Ok((Report::People, Format::Csv)),
        other => Err(AppError::not_found(format!(
            "no report {other}; try coverage.xlsx, coverage.csv, people.xlsx or people.csv"
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
        Ok((format, bytes)) => {
            let disposition = format!("attachment; filename=\"{file}\"");
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
) -> AppResult<(Format, Vec<u8>)> {
    let (kind, format) = report_of(file)?;
    let Caller(viewer) = caller?;
    viewer.require_signed_in()?;
    let visibility = viewer.visibility();
    let now = chrono::Utc::now();
    let bytes = state
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
            match kind {
                Report::Coverage => {
                    CoverageReport::gather(c, &visibility, under.as_ref(), now)?.render(format)
                }
                Report::People => {
                    PeopleExport::gather(c, &viewer, under.as_ref(), now.date_naive())?
                        .render(format)
                }
            }
        })
        .await?;
    Ok((format, bytes))
}
