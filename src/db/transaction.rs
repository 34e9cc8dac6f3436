//! What one write transaction keeps on its thread besides its commit
//! journal: the townships it has locked, and the work it defers to just
//! before its commit.
//!
//! Tree writes lock the townships they touch, not the whole tree: on
//! PostgreSQL each township is a transaction-scoped advisory lock, taken
//! in ascending order, so that a write in one township never waits for a
//! write in another, and several instances sharing one database agree.
//! (SQLite has one writer at a time anyway: there the locks cost nothing.)
//! Shared counters (the region's coverage rows) are the one thing writes in
//! different townships both change; they are added up during the write and
//! applied once, just before the commit, so their row locks are held for a
//! moment however long the write is (an import).

use std::cell::RefCell;
use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;
use crate::error::AppResult;

/// What the first key of the townships' advisory locks hashes, with the
/// schema: deployments (and test schemas) sharing one database keep apart.
const TOWNSHIP_LOCKS: &str = "grassroots townships ";

/// Work to run just before a write transaction commits.
pub type BeforeCommit = fn(&mut DbConnection) -> AppResult<()>;

#[derive(Default)]
struct State {
    /// Which write transaction of this thread this is.
    serial: u64,
    locked: BTreeSet<i64>,
    before_commit: Vec<BeforeCommit>,
}

thread_local! {
    static CURRENT: RefCell<Option<State>> = const { RefCell::new(None) };
    static SERIAL: RefCell<u64> = const { RefCell::new(0) };
}

/// Opens the state of a write transaction on this thread.
pub(super) fn begin() {
    let serial = SERIAL.with(|s| {
        *s.borrow_mut() += 1;
        *s.borrow()
    });
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(State {
            serial,
            ..State::default()
        })
    });
}

/// Runs the deferred work (inside the transaction, before it commits).
pub(super) fn before_commit_run(conn: &mut DbConnection) -> AppResult<()> {
    let work = CURRENT.with(|c| {
        c.borrow_mut()
            .as_mut()
            .map(|s| std::mem::take(&mut s.before_commit))
            .unwrap_or_default()
    });
    for f in work {
        f(conn)?;
    }
    Ok(())
}

/// Closes the state of the write transaction.
pub(super) fn finish() {
    CURRENT.with(|c| *c.borrow_mut() = None);
}

/// The current write transaction of this thread (a number that no other
/// transaction of this thread has), or `None` outside one.
pub fn serial() -> Option<u64> {
    CURRENT.with(|c| c.borrow().as_ref().map(|s| s.serial))
}

/// Has `f` run just before the current write transaction commits (once,
/// however often it is asked); `false` outside a write transaction.
pub fn defer(f: BeforeCommit) -> bool {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(state) => {
            if !state.before_commit.contains(&f) {
                state.before_commit.push(f);
            }
            true
        }
        None => false,
    })
}

/// Locks `townships` for the rest of the write transaction, in ascending
/// order; returns whether any was not locked yet. Outside a write
/// transaction, and on SQLite, nothing is locked.
pub fn lock_townships(conn: &mut DbConnection, townships: &[i64]) -> AppResult<bool> {
    let wanted: BTreeSet<i64> = townships.iter().copied().collect();
    let new: Vec<i64> = CURRENT.with(|c| match c.borrow().as_ref() {
        Some(state) => wanted.difference(&state.locked).copied().collect(),
        None => Vec::new(),
    });
    if new.is_empty() {
        return Ok(false);
    }
    if let DbConnection::Pg(pg) = conn {
        for township in &new {
            // Ids beyond 32 bits share a key: a needless wait, never a
            // missing lock.
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()), ($2 % 2147483647)::int4)",
            )
            .bind::<Text, _>(TOWNSHIP_LOCKS)
            .bind::<BigInt, _>(*township)
            .execute(pg)?;
        }
    }
    CURRENT.with(|c| {
        if let Some(state) = c.borrow_mut().as_mut() {
            state.locked.extend(new.iter().copied());
        }
    });
    Ok(true)
}
