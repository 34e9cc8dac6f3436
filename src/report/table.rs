//! One table of text cells written as a spreadsheet, in the style every
//! export shares: `.xlsx` with a bold header that stays in view and prints
//! on every page, a filter, widths fitted to the text, and full dates as
//! Excel dates; or `.csv` with a byte-order mark (so Excel reads UTF-8)
//! and cells that cannot start a formula.

use chrono::Datelike;

use super::Format;
use crate::error::{AppError, AppResult};

fn workbook(
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as Style, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let bold = Style::new().set_bold();
    let day = Style::new().set_num_format("yyyy-mm-dd");
    let mut widths = super::xlsx::Widths::default();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        widths.note(c as u16, h);
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            widths.note(c, cell);
            match chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d") {
                Ok(d) => {
                    let date =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, c, &date, &day)?;
                }
                Err(_) => {
                    sheet.write_string(r, c, cell)?;
                }
            }
        }
    }
    widths.apply(sheet)?;
    let last_col = header.len().saturating_sub(1) as u16;
    super::xlsx::table_chrome(sheet, 0, rows.len() as u32, last_col)?;
    book.save_to_buffer()
}

/// `rows` under `header`, as a sheet named `name` (xlsx) or a csv file.
pub fn render(
    format: Format,
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> AppResult<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            out.write_record(header).map_err(AppError::internal)?;
            for row in rows {
                out.write_record(row.iter().map(|c| super::csv_cell(c).into_owned()))
                    .map_err(AppError::internal)?;
            }
            out.into_inner().map_err(AppError::internal)
        }
        Format::Xlsx => workbook(name, header, rows).map_err(AppError::internal),
    }
}
