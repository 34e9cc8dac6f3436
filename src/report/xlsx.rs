//! The coverage report as an `.xlsx` workbook: a summary sheet, then one
//! sheet per level with a row per unit type (counts per form) and the
//! level's gap list below.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::csv::{count_cells, COUNT_HEADERS, GAP_HEADERS};
use super::{forms_at, reason_label, CoverageReport};
use crate::domain::coverage::Counts;

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
    summary.write_string(
        1,
        0,
        format!("生成时间 {}", r.generated_at.format("%Y-%m-%d %H:%M UTC")),
    )?;
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
        header(ws, row + 1, GAP_HEADERS)?;
        row += 2;
        for g in r.gaps_at(level) {
            ws.write_string(row, 0, &g.name)?;
            ws.write_string(row, 1, &g.code)?;
            ws.write_string(row, 2, g.unit_type.label())?;
            ws.write_string(row, 3, &g.path)?;
            ws.write_string(row, 4, g.form.label())?;
            ws.write_string(row, 5, reason_label(g.reason))?;
            row += 1;
        }
        ws.set_column_width(0, 24)?;
        ws.set_column_width(3, 36)?;
    }
    book.save_to_buffer()
}
