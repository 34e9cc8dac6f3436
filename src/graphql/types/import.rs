//! What a file import did.

use async_graphql::SimpleObject;

use crate::import::ImportReport as Report;

/// The result of an accepted import (导入结果). A rejected file is an
/// error instead: `BAD_USER_INPUT` on field `file`, with every bad row in
/// `extensions.problems` (`row`, `column`, `value`, `message`), and
/// nothing written.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// Data rows in the file (the header row not counted).
    pub rows: i32,
    /// Rows that created a unit or person.
    pub created: i32,
    /// Rows that changed an existing unit or person (or started a post).
    pub updated: i32,
    /// Rows that matched what is already there.
    pub unchanged: i32,
    /// True for a dry run: the counts are what the import would do, and
    /// nothing was written.
    pub dry_run: bool,
}

impl From<Report> for ImportReport {
    fn from(r: Report) -> Self {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        ImportReport {
            rows: n(r.rows),
            created: n(r.created),
            updated: n(r.updated),
            unchanged: n(r.unchanged),
            dry_run: r.dry_run,
        }
    }
}
