//! The coverage report's sheets of grassroots work: volunteer service and
//! residents' problems of this year so far, and the village economy of
//! this year, for the report's scope (its unit and everything beneath it,
//! or the viewer's whole scope), from the same counters as the API.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::domain::service::{HandlingLevel, Months, ProblemCategory};
use crate::domain::TeamCategory;
use crate::error::AppResult;
use crate::service::economy_summary::{economy, EconomyFigures};
use crate::service::summary::{problems, scopes_seen, service, ProblemFigures, ServiceFigures};

/// The figures the sheets show.
#[derive(Debug, Clone, Default)]
pub struct WorkFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub service: ServiceFigures,
    pub problems: ProblemFigures,
    pub economy: EconomyFigures,
}

impl WorkFigures {
    /// This year's figures at `under` (or of what `visibility` shows).
    pub fn gather(
        conn: &mut DbConnection,
        visibility: &Visibility,
        under: Option<UnitRef>,
        now: DateTime<Utc>,
    ) -> AppResult<WorkFigures> {
        let to = now.date_naive();
        let from = NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to);
        let months = Months::new(from, to)?;
        let scopes = scopes_seen(visibility, under);
        Ok(WorkFigures {
            from,
            to,
            service: service(conn, &scopes, months)?,
            problems: problems(conn, &scopes, months, (to, to))?,
            economy: economy(conn, &scopes, to.year())?,
        })
    }
}

/// Writes a table: its title, header and rows of numbers after a label.
fn table(
    book: &mut Workbook,
    name: &str,
    title: String,
    headers: &[&str],
    rows: &[(String, Vec<f64>)],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet().set_name(name)?;
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    let bold = Format::new().set_bold();
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, (label, values)) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        ws.write_string(row, 0, label)?;
        for (col, v) in values.iter().enumerate() {
            ws.write_number(row, 1 + col as u16, *v)?;
        }
    }
    ws.set_column_width(0, 22)?;
    ws.set_freeze_panes(3, 1)?;
    Ok(())
}

/// Adds the three sheets to `book`, titled with `scope`.
pub(super) fn sheets(book: &mut Workbook, scope: &str, w: &WorkFigures) -> Result<(), XlsxError> {
    let period = format!("{} 至 {}", w.from, w.to);
    let mut rows: Vec<(String, Vec<f64>)> = TeamCategory::ALL
        .iter()
        .map(|c| {
            let [a, h, s, p] = w
                .service
                .categories
                .get(c.as_str())
                .copied()
                .unwrap_or_default();
            (
                c.label().to_owned(),
                vec![a as f64, h as f64 / 10.0, s as f64, p as f64],
            )
        })
        .collect();
    let sum = |i: usize| w.service.categories.values().map(|v| v[i]).sum::<i64>() as f64;
    rows.push((
        "合计".to_owned(),
        vec![sum(0), sum(1) / 10.0, sum(2), sum(3)],
    ));
    rows.push((
        "参与志愿者(去重)".to_owned(),
        vec![w.service.volunteers as f64],
    ));
    table(
        book,
        "志愿服务",
        format!("志愿服务 · {scope} · {period}"),
        &[
            "类别",
            "活动次数",
            "服务时长(小时)",
            "服务群众(人次)",
            "参与人次",
        ],
        &rows,
    )?;
    let mut rows: Vec<(String, Vec<f64>)> = ProblemCategory::ALL
        .iter()
        .map(|c| {
            let v = w
                .problems
                .categories
                .get(c.as_str())
                .copied()
                .unwrap_or_default();
            (c.label().to_owned(), v.iter().map(|n| *n as f64).collect())
        })
        .collect();
    let total = |i: usize| w.problems.categories.values().map(|v| v[i]).sum::<i64>() as f64;
    rows.push(("合计".to_owned(), (0..4).map(total).collect()));
    for level in &HandlingLevel::ALL[1..] {
        let n = w
            .problems
            .escalated
            .get(level.as_str())
            .copied()
            .unwrap_or(0);
        rows.push((format!("上报至{}", level.label()), vec![n as f64]));
    }
    rows.push((
        "办理时长中位数(小时)".to_owned(),
        w.problems
            .median_hours
            .map(|h| h as f64)
            .into_iter()
            .collect(),
    ));
    rows.push(("在办".to_owned(), vec![w.problems.open as f64]));
    rows.push(("超期未办结".to_owned(), vec![w.problems.overdue as f64]));
    table(
        book,
        "民情诉求",
        format!("民情诉求 · {scope} · {period}"),
        &["类别", "受理", "解决", "网格内解决", "办结"],
        &rows,
    )?;
    let e = &w.economy;
    let mut rows: Vec<(String, Vec<f64>)> = e
        .villages
        .iter()
        .enumerate()
        .map(|(i, n)| (e.brackets.label(i), vec![*n as f64]))
        .collect();
    rows.push(("当年摘帽(上年薄弱村)".to_owned(), vec![e.lifted as f64]));
    rows.push(("未填报".to_owned(), vec![e.without_figure as f64]));
    rows.push(("收入合计(元)".to_owned(), vec![e.total_income as f64]));
    rows.push((
        "收入中位数(元)".to_owned(),
        e.median_income.map(|m| m as f64).into_iter().collect(),
    ));
    table(
        book,
        "村集体经济",
        format!("村集体经济 · {scope} · {} 年", w.to.year()),
        &["收入档次", "村(社区)数"],
        &rows,
    )
}
