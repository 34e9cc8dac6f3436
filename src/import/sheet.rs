//! Reading a spreadsheet (.csv in UTF-8 or GBK, or the first sheet of an
//! .xlsx) into rows of text cells, and matching its header row to the
//! columns an import knows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use super::{Problem, HEADER_ROW};
use crate::error::{AppError, AppResult};

/// The file formats administrators keep rosters in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format a file name's extension names.
    pub fn of_name(name: &str) -> AppResult<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Ok(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Ok(Format::Xlsx)
        } else {
            Err(AppError::bad_input(
                "file",
                format!("{name}: expected a .csv or .xlsx file"),
            ))
        }
    }
}

/// One data row: its row number in the file (the header is row 1) and cells.
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// A read file.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads `bytes` as `format`.
pub fn read(bytes: &[u8], format: Format) -> AppResult<Sheet> {
    let mut table = match format {
        Format::Csv => csv_rows(bytes)?,
        Format::Xlsx => xlsx_rows(bytes)?,
    };
    // Skip rows left entirely empty (spreadsheets often end with some).
    table.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let mut rows = table.into_iter();
    let Some((_, headers)) = rows.next() else {
        return Err(AppError::bad_input("file", "the file is empty"));
    };
    Ok(Sheet {
        headers,
        rows: rows.map(|(number, cells)| Row { number, cells }).collect(),
    })
}

fn csv_rows(bytes: &[u8]) -> AppResult<Vec<(usize, Vec<String>)>> {
    // Excel saves CSV with a byte-order mark, or in GBK on Chinese Windows.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GBK.decode(bytes);
            if bad {
                return Err(AppError::bad_input(
                    "file",
                    "the CSV file is neither UTF-8 nor GBK text",
                ));
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            AppError::bad_input("file", format!("row {}: not valid CSV: {e}", i + 1))
        })?;
        let line = record.position().map_or(i + 1, |p| p.record() as usize + 1);
        out.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(out)
}

fn xlsx_rows(bytes: &[u8]) -> AppResult<Vec<(usize, Vec<String>)>> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        AppError::bad_input("file", format!("not a readable .xlsx workbook: {e}"))
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::bad_input("file", "the workbook has no sheet"))?
        .map_err(|e| not_xlsx(&e))?;
    let first = range.start().map_or(0, |(row, _)| row as usize);
    let skipped_columns = range.start().map_or(0, |(_, col)| col as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row = vec![String::new(); skipped_columns];
            row.extend(cells.iter().map(cell_text));
            (first + i + 1, row)
        })
        .collect())
}

/// A cell as the text a CSV would hold: whole numbers without ".0" (phone
/// numbers are often typed as numbers), dates as YYYY-MM-DD.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let serial = d.as_f64().floor() as i64;
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(serial)))
                .map(|day| day.to_string())
                .unwrap_or_default()
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A column an import reads: its key, its Chinese header, and whether
/// every row must fill it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub help: &'static str,
}

/// The header row matched to `layout`: where each column is, or the
/// problems with the header (a required column missing, an unknown or
/// repeated one).
pub fn locate(sheet: &Sheet, layout: &[Column]) -> (Vec<Option<usize>>, Vec<Problem>) {
    let mut at: Vec<Option<usize>> = vec![None; layout.len()];
    let mut problems = Vec::new();
    for (i, header) in sheet.headers.iter().enumerate() {
        let h = header.trim().trim_start_matches('\u{feff}');
        if h.is_empty() {
            continue;
        }
        let known = layout.iter().position(|c| {
            c.key.eq_ignore_ascii_case(h) || c.label == h || h.trim_end_matches('*') == c.label
        });
        match known {
            Some(k) if at[k].is_some() => problems.push(Problem::new(
                HEADER_ROW,
                layout[k].key,
                h,
                "this column appears twice",
            )),
            Some(k) => at[k] = Some(i),
            None => problems.push(Problem::new(
                HEADER_ROW,
                h,
                h,
                "unknown column; see the template for the columns this import reads",
            )),
        }
    }
    for (c, found) in layout.iter().zip(&at) {
        if c.required && found.is_none() {
            problems.push(Problem::new(
                HEADER_ROW,
                c.key,
                "",
                format!("the required column {} ({}) is missing", c.key, c.label),
            ));
        }
    }
    (at, problems)
}
