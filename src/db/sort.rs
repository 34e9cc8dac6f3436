//! Sorted lists of units (`orderBy`): the order as SQL, and keyset paging
//! on (sort key, id), so a cursor keeps its place however the rows around
//! it are sorted. Text is compared by code point on both backends (SQLite's
//! BINARY collation; PostgreSQL's "C"), so both give the same order.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text};

use crate::db::schema::org_units::{self, dsl as u};
use crate::db::MultiBackend;
use crate::domain::{Page, SortField, Sorted};
use crate::error::{AppError, AppResult};

type Boxed<'a> = org_units::BoxedQuery<'a, MultiBackend>;
type Condition = Box<dyn BoxableExpression<org_units::table, MultiBackend, SqlType = Bool>>;

/// The sort key as SQL, or `None` for creation order (the id alone).
fn key_sql(field: SortField, postgres: bool) -> Option<&'static str> {
    match (field, postgres) {
        (SortField::Name, false) => Some("org_units.name"),
        (SortField::Name, true) => Some("org_units.name COLLATE \"C\""),
        (SortField::Code, false) => Some("COALESCE(org_units.code, '')"),
        (SortField::Code, true) => Some("COALESCE(org_units.code, '') COLLATE \"C\""),
        (SortField::Level, _) => Some("org_units.level"),
        (SortField::Created, _) => None,
    }
}

/// Rows past the row at (`key`, `id`): after it in the list's direction
/// (`later`), or before it.
fn beyond(
    field: SortField,
    postgres: bool,
    key: &str,
    id: i64,
    later: bool,
    cursor: &'static str,
) -> AppResult<Condition> {
    let op = if later { ">" } else { "<" };
    let Some(expr) = key_sql(field, postgres) else {
        return Ok(if later {
            Box::new(u::id.gt(id))
        } else {
            Box::new(u::id.lt(id))
        });
    };
    let (open, tie, close) = (
        format!("({expr} {op} "),
        format!(" OR ({expr} = "),
        format!(" AND org_units.id {op} "),
    );
    Ok(if field == SortField::Level {
        let level: i32 = key.parse().map_err(|_| {
            AppError::bad_input(cursor, format!("{cursor} is not a cursor of this list"))
        })?;
        Box::new(
            sql::<Bool>(&open)
                .bind::<Integer, _>(level)
                .sql(&tie)
                .bind::<Integer, _>(level)
                .sql(&close)
                .bind::<BigInt, _>(id)
                .sql("))"),
        )
    } else {
        Box::new(
            sql::<Bool>(&open)
                .bind::<Text, _>(key.to_owned())
                .sql(&tie)
                .bind::<Text, _>(key.to_owned())
                .sql(&close)
                .bind::<BigInt, _>(id)
                .sql("))"),
        )
    })
}

/// `q` in `sorted`'s order, past `page`'s cursors. Rows come ascending in
/// that order, or descending when the page is taken from the end (as
/// [`Page::finish`] expects).
pub fn apply<'a>(
    mut q: Boxed<'a>,
    sorted: &Sorted,
    page: &Page,
    postgres: bool,
) -> AppResult<Boxed<'a>> {
    let order = sorted.order;
    // Forward in the list's order means ascending SQL unless descending.
    let up = order.descending;
    if let (Some(id), Some(key)) = (page.after, sorted.after_key.as_deref()) {
        q = q.filter(beyond(order.field, postgres, key, id, !up, "after")?);
    }
    if let (Some(id), Some(key)) = (page.before, sorted.before_key.as_deref()) {
        q = q.filter(beyond(order.field, postgres, key, id, up, "before")?);
    }
    let descending = order.descending != page.from_end;
    let dir = if descending { "DESC" } else { "ASC" };
    Ok(match key_sql(order.field, postgres) {
        Some(expr) => q.order(sql::<Text>(&format!("{expr} {dir}, org_units.id {dir}"))),
        None if descending => q.order(u::id.desc()),
        None => q.order(u::id.asc()),
    })
}
