//! The two file readers, each bounded by design: a hostile file costs at
//! most [`ReadLimits`] in memory and time, and is refused with
//! `BAD_USER_INPUT` on `file` naming the limit it broke.
//!
//! - CSV is read record by record; each row is one buffer.
//! - An `.xlsx` is a zip of XML parts. Before calamine opens it, every part
//!   is decompressed once through a byte counter (so a zip bomb stops at
//!   the cap, whatever its headers declare), and the sheet is then read cell
//!   by cell: the dimension a sheet declares is never allocated.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use csv::StringRecord;

use crate::error::{AppError, AppResult};
pub use crate::limits::ReadLimits;

fn too_big(what: &str, limit: impl std::fmt::Display) -> AppError {
    AppError::bad_input(
        "file",
        format!("the file is over the limit of {limit} {what}; split it into smaller files"),
    )
}

/// Counts what a reader has taken in, refusing past the limits.
struct Tally<'a> {
    limits: &'a ReadLimits,
    rows: usize,
    cells: usize,
}

impl Tally<'_> {
    fn row(&mut self) -> AppResult<()> {
        self.rows += 1;
        // The header row is one of the rows read.
        if self.rows > self.limits.max_rows + 1 {
            return Err(too_big("rows", self.limits.max_rows));
        }
        Ok(())
    }

    fn cell(&mut self, column: usize, text: &str) -> AppResult<()> {
        if column >= self.limits.max_columns {
            return Err(too_big("columns", self.limits.max_columns));
        }
        if text.len() > self.limits.max_cell_chars * 4
            || text.chars().count() > self.limits.max_cell_chars
        {
            return Err(too_big("characters in a cell", self.limits.max_cell_chars));
        }
        if !text.is_empty() {
            self.cells += 1;
            if self.cells > self.limits.max_cells {
                return Err(too_big("cells", self.limits.max_cells));
            }
        }
        Ok(())
    }
}

/// The rows of a CSV file in UTF-8 (with or without a byte-order mark) or GBK.
pub(super) fn csv_rows(bytes: &[u8], limits: &ReadLimits) -> AppResult<Vec<(usize, StringRecord)>> {
    // Excel saves CSV with a byte-order mark, or in GBK on Chinese Windows.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let decoded;
    let text: &[u8] = match std::str::from_utf8(bytes) {
        Ok(_) => bytes,
        Err(_) => {
            let (text, _, bad) = encoding_rs::GBK.decode(bytes);
            if bad {
                return Err(AppError::bad_input(
                    "file",
                    "the CSV file is neither UTF-8 nor GBK text",
                ));
            }
            decoded = text.into_owned();
            decoded.as_bytes()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut tally = Tally {
        limits,
        rows: 0,
        cells: 0,
    };
    let mut out = Vec::new();
    let mut record = StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(AppError::bad_input(
                    "file",
                    format!("row {}: not valid CSV: {e}", tally.rows + 1),
                ))
            }
        }
        tally.row()?;
        for (column, cell) in record.iter().enumerate() {
            tally.cell(column, cell)?;
        }
        let number = record.position().map_or(line, |p| p.record() as usize + 1);
        record.trim();
        out.push((number, unquote_formulas(std::mem::take(&mut record))));
    }
    Ok(out)
}

/// Cells our CSV exports wrote as `'=…` (formula-safe) read back as `=…`.
fn unquote_formulas(record: StringRecord) -> StringRecord {
    let quoted = |c: &str| {
        c.strip_prefix('\'')
            .is_some_and(|rest| rest.starts_with(['=', '+', '-', '@', '\t', '\r']))
    };
    if !record.iter().any(quoted) {
        return record;
    }
    record
        .iter()
        .map(|c| if quoted(c) { &c[1..] } else { c })
        .collect()
}

/// Decompresses every part of the zip once through a counter: refuses an
/// archive of too many parts or too many bytes unzipped, before calamine
/// reads any of it.
fn check_zip(bytes: &[u8], limits: &ReadLimits) -> AppResult<()> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        AppError::bad_input("file", format!("not a readable .xlsx workbook: {e}"))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    if zip.len() > limits.max_zip_entries {
        return Err(too_big("parts in the workbook", limits.max_zip_entries));
    }
    let mut left = limits.max_unzipped_bytes;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| not_xlsx(&e))?;
        if entry.size() > left {
            return Err(too_big("bytes unzipped", limits.max_unzipped_bytes));
        }
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| not_xlsx(&e))?;
        if read > left {
            return Err(too_big("bytes unzipped", limits.max_unzipped_bytes));
        }
        left -= read;
    }
    Ok(())
}

/// The rows of the first sheet of an `.xlsx`, read cell by cell.
pub(super) fn xlsx_rows(
    bytes: &[u8],
    limits: &ReadLimits,
) -> AppResult<Vec<(usize, StringRecord)>> {
    check_zip(bytes, limits)?;
    let not_xlsx = |e: &dyn std::fmt::Display| {
        AppError::bad_input("file", format!("not a readable .xlsx workbook: {e}"))
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::bad_input("file", "the workbook has no sheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| not_xlsx(&e))?;
    let mut tally = Tally {
        limits,
        rows: 0,
        cells: 0,
    };
    // Sheets list their cells row by row, but nothing forces a file to.
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(|e| not_xlsx(&e))? {
        let (row, column) = cell.get_position();
        if row as usize > limits.max_rows {
            return Err(too_big("rows", limits.max_rows));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        tally.cell(column as usize, &text)?;
        if !text.is_empty() {
            rows.entry(row).or_default().push((column, text));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(row, mut cells)| {
            cells.sort_by_key(|(column, _)| *column);
            let mut record = StringRecord::new();
            for (column, text) in cells {
                while record.len() < column as usize {
                    record.push_field("");
                }
                record.push_field(&text);
            }
            (row as usize + 1, record)
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
            let serial = d.as_f64().floor();
            if !(0.0..=2_958_465.0).contains(&serial) {
                return String::new();
            }
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(serial as i64)))
                .map(|day| day.to_string())
                .unwrap_or_default()
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}
