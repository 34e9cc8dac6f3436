//! Reading a spreadsheet (.csv in UTF-8 or GBK, or the first sheet of an
//! .xlsx) into rows of text cells, and matching its header row to the
//! columns an import knows.

pub use super::readers::ReadLimits;
use super::readers::{csv_rows, xlsx_rows};
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

/// One data row: its row number in the file (the header is row 1) and
/// cells (one buffer per row, so a file of many small cells stays small).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: csv::StringRecord,
}

/// A read file.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads `bytes` as `format`, within `limits`: a file past any of them is
/// refused (`BAD_USER_INPUT` on `file`, naming the limit) after at most
/// that much work.
pub fn read(bytes: &[u8], format: Format, limits: &ReadLimits) -> AppResult<Sheet> {
    let table = match format {
        Format::Csv => csv_rows(bytes, limits)?,
        Format::Xlsx => xlsx_rows(bytes, limits)?,
    };
    // Skip rows left entirely empty (spreadsheets often end with some).
    let mut rows = table
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, headers)) = rows.next() else {
        return Err(AppError::bad_input("file", "the file is empty"));
    };
    Ok(Sheet {
        headers: headers.iter().map(str::to_owned).collect(),
        rows: rows.map(|(number, cells)| Row { number, cells }).collect(),
    })
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
