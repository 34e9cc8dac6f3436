//! The coverage report as an `.xlsx` workbook: a summary sheet, then one
//! sheet per level with a row per unit type (counts per form) and the
//! level's gap list below.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::csv::{count_cells, COUNT_HEADERS, GAP_HEADERS};
use super::{forms_at, reason_label, CoverageReport};
use crate::domain::coverage::Counts;

/// Column widths fitted to what a sheet holds: a CJK character takes two
/// columns of width, an ASCII one one.
#[derive(Default)]
pub(crate) struct Widths(Vec<usize>);

impl Widths {
    pub(crate) fn note(&mut self, col: u16, text: &str) {
        let width = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        let col = usize::from(col);
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(width);
    }

    /// Sets every noted column's width (at least 8, at most 60).
    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, width) in self.0.iter().enumerate() {
            ws.set_column_width(col as u16, (*width + 2).clamp(8, 60) as f64)?;
        }
        Ok(())
    }
}

/// A header row that stays on screen and on every printed page, with a
/// filter over the rows below it (`last_row` included).
pub(crate) fn table_chrome(
    ws: &mut Worksheet,
    header_row: u32,
    last_row: u32,
    last_col: u16,
) -> Result<(), XlsxError> {
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.set_repeat_rows(header_row, header_row)?;
    if last_row > header_row {
        ws.autofilter(header_row, 0, last_row, last_col)?;
    }
    Ok(())
}

fn write_counts(ws: &mut Worksheet, row: u32, col: u16, c: &Counts) -> Result<(), XlsxError> {
    let cells = count_cells(c);
    for (i, n) in [c.total, c.covered, c.gaps()].into_iter().enumerate() {
        ws.write_number(row, col + i as u16, n as f64)?;
    }
    match c.rate() {
        Some(r) => {
            ws.write_number_with_format(row, col + 3, r, &Format::new().set_num_format("0.0%"))?
        }
        None => ws.write_string(row, col + 3, &cells[3])?,
    };
    ws.write_number(row, col + 4, c.chain_gaps as f64)?;
    Ok(())
}

fn header<'a>(
    ws: &mut Worksheet,
    row: u32,
    cells: impl IntoIterator<Item = &'a str>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (i, text) in cells.into_iter().enumerate() {
        ws.write_string_with_format(row, i as u16, text, &bold)?;
    }
    Ok(())
}

pub(super) fn render(r: &CoverageReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let summary = book.add_worksheet().set_name("汇总")?;
    summary.write_string_with_format(
        0,
        0,
        format!("党组织覆盖情况统计表 · {}", r.scope),
        &title,
    )?;
    summary.write_string(1, 0, format!("生成时间 {}", r.generated_local()))?;
    header(summary, 3, std::iter::once("层级").chain(COUNT_HEADERS))?;
    let mut row = 4;
    for (level, counts, _) in r.levels() {
        summary.write_string(row, 0, level.label())?;
        write_counts(summary, row, 1, counts)?;
        row += 1;
    }
    summary.write_string_with_format(row, 0, "合计", &Format::new().set_bold())?;
    write_counts(summary, row, 1, &r.coverage.all)?;
    summary.set_column_width(0, 16)?;
    summary.set_freeze_panes(4, 1)?;
    summary.set_repeat_rows(3, 3)?;

    for (level, _, types) in r.levels() {
        let forms = forms_at(level);
        let ws = book.add_worksheet().set_name(level.label())?;
        ws.write_string_with_format(0, 0, format!("{} · {}", level.label(), r.scope), &title)?;
        header(
            ws,
            2,
            std::iter::once("类型")
                .chain(COUNT_HEADERS)
                .chain(forms.iter().map(|f| f.label())),
        )?;
        let mut row = 3;
        for (unit_type, c) in types {
            ws.write_string(row, 0, unit_type.label())?;
            write_counts(ws, row, 1, c)?;
            for (i, f) in forms.iter().enumerate() {
                let n = c.by_form.get(f).copied().unwrap_or_default();
                ws.write_number(row, 6 + i as u16, n as f64)?;
            }
            row += 1;
        }
        row += 1;
        ws.write_string_with_format(row, 0, "未覆盖单位", &Format::new().set_bold())?;
        let gap_header = row + 1;
        header(ws, gap_header, GAP_HEADERS)?;
        let mut widths = Widths::default();
        for (col, text) in GAP_HEADERS.iter().enumerate() {
            widths.note(col as u16, text);
        }
        row += 2;
        for g in r.gaps_at(level) {
            let cells = [
                g.name.as_str(),
                g.code.as_str(),
                g.unit_type.label(),
                g.path.as_str(),
                g.form.label(),
                reason_label(g.reason),
            ];
            for (col, text) in cells.iter().enumerate() {
                ws.write_string(row, col as u16, *text)?;
                widths.note(col as u16, text);
            }
            row += 1;
        }
        widths.apply(ws)?;
        // The gap list is the long part: its header stays in view, prints
        // on every page, and filters.
        table_chrome(
            ws,
            gap_header,
            row.saturating_sub(1),
            GAP_HEADERS.len() as u16 - 1,
        )?;
    }
    super::work::sheets(&mut book, &r.scope, &r.work)?;
    book.save_to_buffer()
}
