//! Reads that stand apart from a request's ordinary ones: the import's
//! rehearsal on one consistent, read-only snapshot, and searches narrowed
//! by SQLite's trigram tables.

use diesel::connection::SimpleConnection;
use diesel::Connection;

use super::{DbConnection, MultiBackend};
use crate::error::AppResult;

/// A search as an FTS5 trigram phrase (SQLite's search indexes): the
/// trimmed text in double quotes, or `None` when it is shorter than three
/// characters, which a trigram index cannot find.
pub fn trigram_phrase(search: Option<&str>) -> Option<String> {
    let search = search.map(str::trim).filter(|s| s.chars().count() >= 3)?;
    Some(format!("\"{}\"", search.replace('"', "\"\"")))
}

/// On SQLite, for a search of three characters or more, `key IN (the rows
/// whose FTS5 trigram table `index` holds it)`: candidates, which the
/// search's own LIKE still decides, so answers do not depend on the index.
/// `None` on PostgreSQL, whose trigram indexes serve the LIKE itself.
pub fn trigram_candidates<QS: 'static>(
    conn: &DbConnection,
    (key, index): (&str, &str),
    search: Option<&str>,
) -> Option<Box<dyn diesel::BoxableExpression<QS, MultiBackend, SqlType = diesel::sql_types::Bool>>>
{
    let phrase = trigram_phrase(search).filter(|_| matches!(conn, DbConnection::Sqlite(_)))?;
    Some(Box::new(
        diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "{key} IN (SELECT rowid FROM {index} WHERE {index} MATCH "
        ))
        .bind::<diesel::sql_types::Text, _>(phrase)
        .sql(")"),
    ))
}

/// Runs read-only `f` in one transaction over one consistent snapshot: on
/// PostgreSQL `REPEATABLE READ, READ ONLY`, so a write in it fails; on
/// SQLite a deferred transaction that only reads, which takes no write lock.
/// Writers are never kept waiting by it.
pub fn snapshot<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    conn.transaction(|c| {
        if let DbConnection::Pg(_) = c {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        f(c)
    })
}
