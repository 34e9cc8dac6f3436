//! Bulk import of units and people from the spreadsheets administrators
//! already keep (.csv or .xlsx; layouts in `templates/` and the README).
//!
//! A file goes in whole or not at all, in two passes over the same row
//! logic:
//! 1. A rehearsal against a read snapshot ([`rehearsal`]): every row is
//!    checked by the write services' own `prepare_*` functions, nothing is
//!    written and no write lock is taken. A dry run stops here with its
//!    counts; a file with any bad row stops here with every problem (row,
//!    column, value, message), so neither ever makes another write wait.
//! 2. Only a file that passed is applied, in one transaction through the
//!    same writes as the API (access rules, history, counters, audit), each
//!    row in a savepoint; a row that fails now (the data changed since the
//!    rehearsal) rolls the whole file back with its problems.
//!
//! Rows match what exists: units by code, people by name, birth date and
//! unit, so importing a file twice changes nothing.

mod cells;
mod economy;
mod people;
mod points;
mod readers;
mod rehearsal;
pub mod sheet;
mod target;
mod units;

pub use self::economy::LAYOUT as VILLAGE_INCOMES_LAYOUT;
pub use self::people::LAYOUT as PEOPLE_LAYOUT;
pub use self::points::{HOUSEHOLDS_LAYOUT, RECORDS_LAYOUT};
pub use self::units::LAYOUT as UNITS_LAYOUT;

use diesel::Connection;

use crate::audit::Actor;
use crate::db::DbConnection;
pub use crate::error::Problem;
use crate::error::{AppError, AppResult};

use self::cells::{date, differs, named, problem_of, yes_no};
pub use self::sheet::{read, Format, Sheet};

/// The row number problems with the header row carry.
pub const HEADER_ROW: usize = 1;

/// What an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// Organization units, parents by code.
    Units,
    /// People (and optionally one post each), units by code.
    People,
    /// Households (户), groups by code.
    Households,
    /// Point records (积分记录), households by group code and address.
    PointRecords,
    /// Villages' yearly collective incomes (村集体经济), villages by code.
    VillageIncomes,
}

/// What an accepted file did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows: {} created, {} updated, {} unchanged{}",
            self.rows,
            self.created,
            self.updated,
            self.unchanged,
            if self.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        )
    }
}

/// What applying one row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl ImportReport {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// Why the import's transaction was rolled back.
enum Abort {
    Rejected(Vec<Problem>),
    Failed(AppError),
    /// A dry run of a file applied directly: what it did, undone.
    DryRun(ImportReport),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Abort {
        Abort::Failed(e.into())
    }
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Abort {
        Abort::Failed(e)
    }
}

/// Reads file `name` (its extension says the format) and imports it for
/// `viewer`.
pub fn import_bytes(
    db: &crate::db::Db,
    viewer: &crate::auth::Viewer,
    kind: ImportKind,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let sheet = read(
        bytes,
        Format::of_name(name)?,
        &crate::limits::ReadLimits::default(),
    )?;
    let actor = Actor::new(viewer, chrono::Utc::now(), None);
    import(db, &actor, kind, &sheet, dry_run)
}

/// Imports `sheet` as `kind` for `actor`, all or nothing: rehearsed on a
/// read snapshot first (a dry run ends there), then applied. Blocking: call
/// it off the async runtime.
pub fn import(
    db: &crate::db::Db,
    actor: &Actor<'_>,
    kind: ImportKind,
    sheet: &Sheet,
    dry_run: bool,
) -> AppResult<ImportReport> {
    let direct = match kind {
        ImportKind::Households => Some(Direct::Points(points::PointsFile::Households)),
        ImportKind::PointRecords => Some(Direct::Points(points::PointsFile::Records)),
        ImportKind::VillageIncomes => Some(Direct::Incomes),
        ImportKind::Units | ImportKind::People => None,
    };
    if let Some(file) = direct {
        return db.write_blocking(|c| apply_directly(c, actor, file, sheet, dry_run));
    }
    let (rehearsed, townships) = db.read_blocking(|c| {
        crate::db::snapshot(c, |c| {
            let mut target = rehearsal::Rehearsal::new(c, actor);
            let rehearsed = run(&mut target, kind, sheet)?;
            Ok((rehearsed, target.townships))
        })
    })?;
    let report = settle(rehearsed)?;
    if dry_run {
        return Ok(ImportReport {
            dry_run: true,
            ..report
        });
    }
    let townships: Vec<i64> = townships.into_iter().collect();
    db.write_blocking(|c| {
        // Every township the file touches, in order, before the first row:
        // writes elsewhere go on, and none of the file's rows can meet a
        // writer that holds one township and waits for another.
        crate::db::transaction::lock_townships(c, &townships)?;
        apply(c, actor, kind, sheet)
    })
}

/// Applies `sheet` in the caller's write transaction (see [`import`]).
pub fn apply(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    kind: ImportKind,
    sheet: &Sheet,
) -> AppResult<ImportReport> {
    let outcome = conn.transaction(|c| {
        let mut target = target::Writes { conn: c, actor };
        match run(&mut target, kind, sheet)? {
            (_, problems) if !problems.is_empty() => Err(Abort::Rejected(problems)),
            (report, _) => Ok(report),
        }
    });
    match outcome {
        Ok(report) => Ok(report),
        Err(Abort::Rejected(problems)) => settle((ImportReport::default(), problems)),
        Err(Abort::Failed(e)) => Err(e),
        Err(Abort::DryRun(report)) => Ok(report),
    }
}

/// Applies a points file (see [`points`]) in one transaction, rolled back
/// when a row fails or the run is dry.
/// The files applied directly, row by row, without a rehearsal.
#[derive(Debug, Clone, Copy)]
enum Direct {
    Points(points::PointsFile),
    Incomes,
}

fn apply_directly(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    file: Direct,
    sheet: &Sheet,
    dry_run: bool,
) -> AppResult<ImportReport> {
    let applied = |c: &mut DbConnection| match file {
        Direct::Points(f) => points::apply(c, actor, f, sheet),
        Direct::Incomes => economy::apply(c, actor, sheet),
    };
    let outcome = conn.transaction(|c| match applied(c)? {
        (_, problems) if !problems.is_empty() => Err(Abort::Rejected(problems)),
        (report, _) if dry_run => Err(Abort::DryRun(ImportReport {
            dry_run: true,
            ..report
        })),
        (report, _) => Ok(report),
    });
    match outcome {
        Ok(report) => Ok(report),
        Err(Abort::DryRun(report)) => Ok(report),
        Err(Abort::Rejected(problems)) => settle((ImportReport::default(), problems)),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// Every row of `sheet` through `target`.
fn run(
    target: &mut (impl target::UnitWrites + target::PeopleWrites),
    kind: ImportKind,
    sheet: &Sheet,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    match kind {
        ImportKind::Units => units::apply(target, sheet),
        ImportKind::People => people::apply(target, sheet),
        ImportKind::Households | ImportKind::PointRecords | ImportKind::VillageIncomes => Err(
            AppError::internal("points files are applied directly, not through a target"),
        ),
    }
}

/// The report, or every problem as one `BAD_USER_INPUT`.
fn settle((report, mut problems): (ImportReport, Vec<Problem>)) -> AppResult<ImportReport> {
    if problems.is_empty() {
        return Ok(report);
    }
    problems.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    let rows = problems
        .iter()
        .map(|p| p.row)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let total = problems.len();
    // The answer stays small however bad the file: the first problems in
    // file order, and the count of all of them.
    let shown = crate::limits::Limits::default().import_problems;
    problems.truncate(shown);
    Err(AppError::Rejected {
        message: if total > shown {
            format!("{total} problem(s) in {rows} row(s), the first {shown} listed; nothing was imported")
        } else {
            format!("{total} problem(s) in {rows} row(s); nothing was imported")
        },
        problems,
    })
}

/// The header matched to `layout`, its problems, and an empty report.
fn begin(
    sheet: &Sheet,
    layout: &[sheet::Column],
) -> (Vec<Option<usize>>, Vec<Problem>, ImportReport) {
    let (at, problems) = sheet::locate(sheet, layout);
    let report = ImportReport {
        rows: sheet.rows.len(),
        ..ImportReport::default()
    };
    (at, problems, report)
}

/// A row's cells by column key.
struct Cells<'a> {
    row: &'a sheet::Row,
    at: &'a [Option<usize>],
    layout: &'a [sheet::Column],
}

impl<'a> Cells<'a> {
    /// The trimmed cell of `key`; `None` when absent or empty.
    fn get(&self, key: &str) -> Option<&'a str> {
        let k = self.layout.iter().position(|c| c.key == key)?;
        let i = self.at.get(k).copied().flatten()?;
        self.row
            .cells
            .get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// Parses the cell of `key` with `parse`, noting a problem when it fails.
fn parse_cell<T>(
    cells: &Cells<'_>,
    problems: &mut Vec<Problem>,
    key: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = cells.get(key)?;
    match parse(value) {
        Ok(v) => Some(v),
        Err(message) => {
            problems.push(Problem::new(cells.row.number, key, value, message));
            None
        }
    }
}

/// A required cell, or a problem.
fn required<'a>(cells: &Cells<'a>, problems: &mut Vec<Problem>, key: &str) -> Option<&'a str> {
    let value = cells.get(key);
    if value.is_none() {
        problems.push(Problem::new(cells.row.number, key, "", "required"));
    }
    value
}
