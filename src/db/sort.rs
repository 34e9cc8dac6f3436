//! Sorted lists (`orderBy`) as SQL: the order, and keyset paging on (sort
//! key, id), so a cursor keeps its place however the rows around it are
//! sorted. Text is compared by code point on both backends (SQLite's BINARY
//! collation; PostgreSQL's "C"), so both give the same order. The SQL names
//! its table, so one list's query can use it whatever else it joins.

use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::MultiBackend;
use crate::domain::{Page, SortField, Sorted};
use crate::error::{AppError, AppResult};

/// A condition on a row of `QS`.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// The coverage rate beneath each unit of `table` in millionths (integer
/// arithmetic, the same on both backends), from the counters of the
/// management units beneath it; -1 with none.
pub fn rate_sql(table: &str) -> String {
    format!(
        "COALESCE((SELECT CAST(SUM(CASE WHEN cc.org_form <> 'NONE' AND NOT cc.host_lost \
         THEN cc.n ELSE 0 END) AS BIGINT) * 1000000 / NULLIF(CAST(SUM(cc.n) AS BIGINT), 0) \
         FROM coverage_counts cc WHERE cc.scope_id = {table}.id AND cc.level <= 4), -1)"
    )
}

/// The sort key of `table` as SQL, or `None` for creation order (the id).
fn key_sql(table: &str, field: SortField, postgres: bool) -> Option<String> {
    let collate = if postgres { " COLLATE \"C\"" } else { "" };
    match field {
        SortField::Name => Some(format!("{table}.name{collate}")),
        SortField::Code => Some(format!("COALESCE({table}.code, ''){collate}")),
        SortField::Level => Some(format!("{table}.level")),
        SortField::CoverageRate => Some(rate_sql(table)),
        SortField::Created => None,
    }
}

/// Rows of `table` past the row at (`key`, `id`): after it in ascending
/// order (`later`), or before it.
fn beyond<QS: 'static>(
    table: &str,
    field: SortField,
    postgres: bool,
    (key, id): (&str, i64),
    later: bool,
) -> Condition<QS> {
    let op = if later { ">" } else { "<" };
    let Some(expr) = key_sql(table, field, postgres) else {
        return Box::new(sql::<Bool>(&format!("{table}.id {op} ")).bind::<BigInt, _>(id));
    };
    // A cursor's key is text; a level or a rate is compared as the
    // number it is.
    let (pre, post) = match field {
        SortField::Level | SortField::CoverageRate => ("CAST(", " AS BIGINT)"),
        _ => ("", ""),
    };
    Box::new(
        sql::<Bool>(&format!("({expr} {op} {pre}"))
            .bind::<Text, _>(key.to_owned())
            .sql(&format!("{post} OR ({expr} = {pre}"))
            .bind::<Text, _>(key.to_owned())
            .sql(&format!("{post} AND {table}.id {op} "))
            .bind::<BigInt, _>(id)
            .sql("))"),
    )
}

/// What a sorted page of `table` adds to its query: the conditions past
/// its cursors, and the order (ascending in `sorted`'s order, or
/// descending when the page is taken from the end, as [`Page::finish`]
/// expects).
pub fn sorted_page<QS: 'static>(
    table: &str,
    sorted: &Sorted,
    page: &Page,
    postgres: bool,
) -> AppResult<(Vec<Condition<QS>>, SqlLiteral<Text>)> {
    let order = sorted.order;
    if order.field == SortField::Level {
        for key in [&sorted.after_key, &sorted.before_key]
            .into_iter()
            .flatten()
        {
            key.parse::<i32>().map_err(|_| {
                AppError::bad_input("after", "after is not a cursor of this list in this order")
            })?;
        }
    }
    let mut conditions = Vec::new();
    // Forward in the list's order is ascending SQL unless it descends.
    let forward = !order.descending;
    if let (Some(id), Some(key)) = (page.after, sorted.after_key.as_deref()) {
        conditions.push(beyond(table, order.field, postgres, (key, id), forward));
    }
    if let (Some(id), Some(key)) = (page.before, sorted.before_key.as_deref()) {
        conditions.push(beyond(table, order.field, postgres, (key, id), !forward));
    }
    let dir = if order.descending != page.from_end {
        "DESC"
    } else {
        "ASC"
    };
    let by = match key_sql(table, order.field, postgres) {
        Some(expr) => format!("{expr} {dir}, {table}.id {dir}"),
        None => format!("{table}.id {dir}"),
    };
    Ok((conditions, sql::<Text>(&by)))
}
