//! Imports of the village economy: each village's (community's) yearly
//! collective income from the spreadsheets townships keep, villages by
//! code. All or nothing, applied directly like the points files: each row
//! through `setVillageIncome`'s write (the same access and rules), in a
//! savepoint of one transaction rolled back on any problem or after a dry
//! run. A row equal to the figure on record is unchanged.

use diesel::prelude::*;

use super::points::{column, group, no_group, rows};
use super::sheet::{Column, Sheet};
use super::{parse_cell, required, Cells, ImportReport, Outcome};
use crate::audit::Actor;
use crate::db::schema::village_incomes::dsl as vi;
use crate::db::DbConnection;
use crate::error::{AppResult, Problem};
use crate::ids::UnitId;
use crate::service::economy::{set_income, IncomeInput};

/// The village incomes file's columns.
pub const LAYOUT: &[Column] = &[
    column(
        "unit_code",
        "村(社区)编码",
        true,
        "the code of the village or community",
    ),
    column("year", "年度", true, "the year, e.g. 2026"),
    column(
        "income_yuan",
        "村集体经营性收入(元)",
        true,
        "collective operating income in whole yuan (separators allowed)",
    ),
    column("sources", "收入来源", false, "where it comes from"),
    column("notes", "备注", false, "notes"),
];

fn whole(s: &str) -> Result<i64, String> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits);
    digits
        .parse::<i64>()
        .map_err(|_| "a whole number (of yuan, or a year)".to_owned())
}

fn income_row(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    cells: &Cells<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Option<Outcome>> {
    let before = problems.len();
    let code = required(cells, problems, "unit_code");
    let (_, _) = (
        required(cells, problems, "year"),
        required(cells, problems, "income_yuan"),
    );
    let year = parse_cell(cells, problems, "year", whole);
    let income = parse_cell(cells, problems, "income_yuan", whole);
    if problems.len() > before {
        return Ok(None);
    }
    let (Some(code), Some(year), Some(income)) = (code, year, income) else {
        return Ok(None);
    };
    let Some(village) = group(conn, actor, code)? else {
        problems.push(no_group(cells, code));
        return Ok(None);
    };
    let year = i32::try_from(year).unwrap_or(0);
    let sources = cells.get("sources").map(str::to_owned);
    let notes = cells.get("notes").map(str::to_owned);
    let had: Option<(i64, Option<String>, Option<String>)> = vi::village_incomes
        .find((village.id, year))
        .select((vi::income_yuan, vi::sources, vi::notes))
        .first(conn)
        .optional()?;
    if had == Some((income, sources.clone(), notes.clone())) {
        return Ok(Some(Outcome::Unchanged));
    }
    set_income(
        conn,
        actor,
        IncomeInput {
            unit_id: UnitId(village.id),
            year,
            income_yuan: income,
            sources,
            notes,
        },
    )?;
    Ok(Some(if had.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    }))
}

/// Every row of `sheet`, each in a savepoint of the caller's transaction.
pub fn apply(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    sheet: &Sheet,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    rows(conn, actor, sheet, LAYOUT, income_row)
}
