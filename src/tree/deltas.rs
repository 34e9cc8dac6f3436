//! Counter changes of one write, applied to the live counters
//! (`coverage_counts`) and to their history (`coverage_history`).
//!
//! Inside a write transaction they are added up on the thread and applied
//! once, in key order, just before the commit
//! ([`crate::db::transaction::defer`]): the region's counter rows, which
//! writes in every township change, are then locked for a moment at the
//! end however long the write (an import), and two writes always lock
//! them in the same order.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::coverage_counts::{self, dsl as c};
use crate::db::schema::coverage_history::{self, dsl as h};
use crate::db::{transaction, DbConnection};
use crate::domain::coverage::CoverageKey;
use crate::error::AppResult;

/// Counter changes gathered during one write, effective on one day,
/// applied in one upsert to the live counters and one to their history.
pub(super) struct Deltas {
    on: NaiveDate,
    counts: HashMap<(i64, CoverageKey), i64>,
}

#[derive(Insertable)]
#[diesel(table_name = coverage_counts)]
struct CountRow {
    scope_id: i64,
    level: i32,
    unit_type: &'static str,
    org_form: &'static str,
    host_lost: bool,
    childless: bool,
    n: i64,
}

#[derive(Insertable)]
#[diesel(table_name = coverage_history)]
struct HistoryRow {
    scope_id: i64,
    day: NaiveDate,
    level: i32,
    unit_type: &'static str,
    org_form: &'static str,
    host_lost: bool,
    childless: bool,
    n: i64,
}

impl CountRow {
    fn new(scope_id: i64, k: CoverageKey, n: i64) -> Self {
        CountRow {
            scope_id,
            level: k.level.number(),
            unit_type: k.unit_type.as_str(),
            org_form: k.org_form.as_str(),
            host_lost: k.host_lost,
            childless: k.childless,
            n,
        }
    }

    fn on(&self, day: NaiveDate) -> HistoryRow {
        HistoryRow {
            scope_id: self.scope_id,
            day,
            level: self.level,
            unit_type: self.unit_type,
            org_form: self.org_form,
            host_lost: self.host_lost,
            childless: self.childless,
            n: self.n,
        }
    }
}

/// Writes the counter history of a bulk load (see [`super::history::backfill`]).
pub fn insert_history(
    conn: &mut DbConnection,
    deltas: HashMap<(i64, NaiveDate, CoverageKey), i64>,
) -> AppResult<()> {
    // In key order: appending to the primary key is far cheaper than
    // inserting all over it.
    let mut sorted: Vec<_> = deltas.into_iter().filter(|(_, n)| *n != 0).collect();
    sorted.sort_unstable_by_key(|(key, _)| *key);
    let rows: Vec<HistoryRow> = sorted
        .into_iter()
        .map(|((scope, day, k), n)| CountRow::new(scope, k, n).on(day))
        .collect();
    for chunk in rows.chunks(2000) {
        crate::with_concrete_conn!(conn, |c| diesel::insert_into(coverage_history::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Counter changes deferred to the commit of one write transaction.
#[derive(Default)]
struct Pending {
    /// The write transaction they belong to.
    serial: u64,
    counts: BTreeMap<(i64, CoverageKey), i64>,
    history: BTreeMap<(i64, NaiveDate, CoverageKey), i64>,
}

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// Applies the changes deferred by the current write transaction.
fn flush(conn: &mut DbConnection) -> AppResult<()> {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if transaction::serial() != Some(pending.serial) {
        return Ok(());
    }
    let mut by_day: BTreeMap<NaiveDate, Vec<(i64, CoverageKey, i64)>> = BTreeMap::new();
    for ((scope, day, key), n) in pending.history {
        by_day.entry(day).or_default().push((scope, key, n));
    }
    write_counts(conn, &to_rows(pending.counts), &[])?;
    for (day, changes) in by_day {
        let rows: Vec<CountRow> = changes
            .into_iter()
            .filter(|(_, _, n)| *n != 0)
            .map(|(scope, k, n)| CountRow::new(scope, k, n))
            .collect();
        let history: Vec<HistoryRow> = rows.iter().map(|r| r.on(day)).collect();
        write_counts(conn, &[], &history)?;
    }
    Ok(())
}

/// Forgets the changes deferred by the current write transaction (the
/// counters are being rebuilt from the tree).
pub fn discard() {
    PENDING.with(|p| *p.borrow_mut() = Pending::default());
}

fn to_rows(counts: BTreeMap<(i64, CoverageKey), i64>) -> Vec<CountRow> {
    counts
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((scope_id, k), n)| CountRow::new(scope_id, k, n))
        .collect()
}

impl Deltas {
    pub(super) fn new(on: NaiveDate) -> Self {
        Deltas {
            on,
            counts: HashMap::new(),
        }
    }

    pub(super) fn add(&mut self, scope: i64, key: CoverageKey, n: i64) {
        *self.counts.entry((scope, key)).or_default() += n;
    }

    /// Adds the changes to the current write transaction's, applied just
    /// before it commits; outside a write transaction, applies them now.
    pub(super) fn apply(self, conn: &mut DbConnection) -> AppResult<()> {
        let Some(serial) = transaction::serial().filter(|_| transaction::defer(flush)) else {
            let counts: BTreeMap<_, _> = self.counts.into_iter().collect();
            let rows = to_rows(counts);
            let history: Vec<HistoryRow> = rows.iter().map(|r| r.on(self.on)).collect();
            return write_counts(conn, &rows, &history);
        };
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            if p.serial != serial {
                *p = Pending {
                    serial,
                    ..Pending::default()
                };
            }
            for ((scope, key), n) in self.counts {
                *p.counts.entry((scope, key)).or_default() += n;
                *p.history.entry((scope, self.on, key)).or_default() += n;
            }
        });
        Ok(())
    }
}

/// `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, in chunks, into
/// the counters and into their history, in the order given.
fn write_counts(
    conn: &mut DbConnection,
    rows: &[CountRow],
    history: &[HistoryRow],
) -> AppResult<()> {
    let day_key = (
        h::scope_id,
        h::day,
        h::level,
        h::unit_type,
        h::org_form,
        h::host_lost,
        h::childless,
    );
    let day_add = h::n.eq(h::n + diesel::upsert::excluded(h::n));
    let key = (
        c::scope_id,
        c::level,
        c::unit_type,
        c::org_form,
        c::host_lost,
        c::childless,
    );
    let add = c::n.eq(c::n + diesel::upsert::excluded(c::n));
    match conn {
        // One statement per 500 counters: a round trip each.
        DbConnection::Pg(db) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(coverage_counts::table)
                    .values(chunk)
                    .on_conflict(key)
                    .do_update()
                    .set(add)
                    .execute(db)?;
            }
            for chunk in history.chunks(500) {
                diesel::insert_into(coverage_history::table)
                    .values(chunk)
                    .on_conflict(day_key)
                    .do_update()
                    .set(day_add)
                    .execute(db)?;
            }
        }
        // SQLite is in-process, and diesel builds its upserts one row at a time.
        DbConnection::Sqlite(db) => {
            for row in rows {
                diesel::insert_into(coverage_counts::table)
                    .values(row)
                    .on_conflict(key)
                    .do_update()
                    .set(add)
                    .execute(db)?;
            }
            for row in history {
                diesel::insert_into(coverage_history::table)
                    .values(row)
                    .on_conflict(day_key)
                    .do_update()
                    .set(day_add)
                    .execute(db)?;
            }
        }
    }
    Ok(())
}
