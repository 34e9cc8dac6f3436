//! The village collective economy (村集体经济): each village's or
//! community's collective operating income per year, placed in the
//! region's brackets (the first holds the weak villages, 薄弱村). Each
//! write keeps, per scope and year, the villages per bracket, the total
//! income and the villages lifted (weak the year before, not weak now).

use chrono::Datelike;
use diesel::prelude::*;

use super::config::brackets;
use super::rows::{place, IncomeRow};
use super::tallies::{self, Count, INCOME, LIFTED, VILLAGES};
use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::village_incomes::{self, dsl as vi};
use crate::db::DbConnection;
use crate::domain::service::{year_key, Brackets, MAX_INCOME_YUAN};
use crate::domain::{rules, Level};
use crate::error::{AppError, AppResult};
use crate::ids::{Id, UnitId};

/// A village's figure for a year.
#[derive(Debug, Clone)]
pub struct IncomeInput {
    pub unit_id: UnitId,
    pub year: i32,
    pub income_yuan: i64,
    pub sources: Option<String>,
    pub notes: Option<String>,
}

fn income_of(conn: &mut DbConnection, unit: i64, year: i32) -> AppResult<Option<i64>> {
    Ok(vi::village_incomes
        .find((unit, year))
        .select(vi::income_yuan)
        .first(conn)
        .optional()?)
}

/// Whether a village with incomes `last` and `this` year was lifted.
fn lifted(b: &Brackets, last: Option<i64>, this: Option<i64>) -> bool {
    matches!((last, this), (Some(l), Some(t)) if b.of(l) == 0 && b.of(t) > 0)
}

/// Sets a village's income for a year (again: replaces it).
pub fn set_income(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    input: IncomeInput,
) -> AppResult<IncomeRow> {
    let unit = super::unit_for(
        conn,
        actor,
        input.unit_id.get(),
        ActionKind::RecordEconomy,
        "unitId",
    )?;
    if unit.level() != Level::Village {
        return Err(AppError::bad_input(
            "unitId",
            "collective income is kept per village or community (level 2)",
        ));
    }
    let this_year = actor.now.year();
    if !(1900..=this_year).contains(&input.year) {
        return Err(AppError::bad_input(
            "year",
            format!("a year lies between 1900 and {this_year}"),
        ));
    }
    if !(0..=MAX_INCOME_YUAN).contains(&input.income_yuan) {
        return Err(AppError::bad_input(
            "incomeYuan",
            "an income lies between ¥0 and ¥10 billion",
        ));
    }
    let sources =
        rules::optional_text("sources", input.sources.as_deref(), rules::MAX_NOTES_CHARS)?;
    let notes = rules::optional_text("notes", input.notes.as_deref(), rules::MAX_NOTES_CHARS)?;
    let b = brackets(conn)?;
    let y = input.year;
    let before: Option<IncomeRow> = vi::village_incomes
        .find((unit.id, y))
        .select(IncomeRow::as_select())
        .first(conn)
        .optional()?;
    let old = before.as_ref().map(|r| r.income_yuan);
    let new = Some(input.income_yuan);
    let last = income_of(conn, unit.id, y - 1)?;
    let next = income_of(conn, unit.id, y + 1)?;
    let at = place(&unit);
    let mut row = IncomeRow {
        unit_id: unit.id,
        year: y,
        township_id: None,
        village_id: None,
        grid_id: None,
        building_group_id: None,
        income_yuan: input.income_yuan,
        sources,
        notes,
        updated_at: actor.now.naive_utc(),
    };
    [
        row.township_id,
        row.village_id,
        row.grid_id,
        row.building_group_id,
    ] = at.slots;
    let mut counts = figure(&b, y, old, -1);
    counts.extend(figure(&b, y, new, 1));
    let flag = |x: bool| i64::from(x);
    counts.push(Count::new(
        year_key(y),
        LIFTED,
        "",
        flag(lifted(&b, last, new)) - flag(lifted(&b, last, old)),
    ));
    counts.push(Count::new(
        year_key(y + 1),
        LIFTED,
        "",
        flag(lifted(&b, new, next)) - flag(lifted(&b, old, next)),
    ));
    let q = diesel::insert_into(village_incomes::table)
        .values(&row)
        .on_conflict((vi::unit_id, vi::year))
        .do_update()
        .set(&row);
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    tallies::add(conn, at, &counts)?;
    super::audit(
        conn,
        actor,
        "SET_VILLAGE_INCOME",
        (crate::ids::Kind::OrgUnit, unit.id),
        &unit,
        (before.as_ref(), Some(&row)),
    )?;
    Ok(row)
}

/// What a village's income of a year adds to that year's counters.
fn figure(b: &Brackets, year: i32, income: Option<i64>, sign: i64) -> Vec<Count> {
    match income {
        None => Vec::new(),
        Some(i) => vec![
            Count::new(year_key(year), VILLAGES, b.of(i).to_string(), sign),
            Count::new(year_key(year), INCOME, "", sign * i),
        ],
    }
}

/// Recounts the economy's counters from the incomes, in set statements
/// (after new brackets, or a bulk load).
pub fn rebuild(conn: &mut DbConnection) -> AppResult<()> {
    let b = brackets(conn)?;
    let gone = diesel::sql_query(format!(
        "DELETE FROM work_tallies WHERE metric IN ('{VILLAGES}', '{INCOME}', '{LIFTED}')"
    ));
    crate::with_concrete_conn!(conn, |c| gone.execute(c))?;
    let bracket = |col: &str| {
        let arms: Vec<String> =
            b.0.iter()
                .enumerate()
                .map(|(i, bound)| format!("WHEN {col} < {bound} THEN '{i}'"))
                .collect();
        format!("CASE {} ELSE '{}' END", arms.join(" "), b.0.len())
    };
    // Each income in the region's, its township's and its village's scope.
    let scoped = |select: &str, from: &str| {
        ["0", "v.township_id", "v.unit_id"]
            .iter()
            .map(|s| format!("SELECT {s} AS scope_id, {select} FROM {from} WHERE {s} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    };
    let weak = b.0.first().copied().unwrap_or(0);
    for (metric, category, value, from) in [
        (VILLAGES, bracket("x.income_yuan"), "1", "village_incomes v"),
        (
            INCOME,
            "''".to_owned(),
            "x.income_yuan",
            "village_incomes v",
        ),
        (
            LIFTED,
            "''".to_owned(),
            "1",
            &*format!(
                "village_incomes v JOIN village_incomes p ON p.unit_id = v.unit_id \
                 AND p.year = v.year - 1 AND p.income_yuan < {weak} AND v.income_yuan >= {weak}"
            ),
        ),
    ] {
        let statement = format!(
            "INSERT INTO work_tallies (scope_id, month, metric, category, n) \
             SELECT x.scope_id, x.year * 100, '{metric}', {category}, SUM({value}) FROM ({}) x \
             WHERE 1 = 1 GROUP BY x.scope_id, x.year{}",
            scoped("v.year AS year, v.income_yuan AS income_yuan", from),
            // A constant is no grouping key (PostgreSQL refuses one).
            if metric == VILLAGES {
                format!(", {category}")
            } else {
                String::new()
            }
        );
        let q = diesel::sql_query(statement);
        crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    }
    Ok(())
}
