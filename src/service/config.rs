//! The region's settings for grassroots work: the village economy's income
//! brackets and the deadline of each problem category. Set by an ADMIN of
//! the region (`ConfigureRegion`), audited. New brackets recount the
//! economy's counters; a new deadline applies to problems received from
//! then on (a problem keeps the deadline it was received with).

use diesel::prelude::*;

use crate::audit::Actor;
use crate::auth::policy::ActionKind;
use crate::db::schema::economy_brackets::dsl as eb;
use crate::db::schema::problem_deadlines::dsl as pd;
use crate::db::DbConnection;
use crate::domain::service::{Brackets, ProblemCategory};
use crate::error::{AppError, AppResult};

/// The longest deadline a category may have, in days.
pub const MAX_DEADLINE_DAYS: i32 = 365;

/// The region's income brackets.
pub fn brackets(conn: &mut DbConnection) -> AppResult<Brackets> {
    let bounds: Vec<i64> = eb::economy_brackets
        .order(eb::position)
        .select(eb::lower_yuan)
        .load(conn)?;
    Ok(if bounds.is_empty() {
        Brackets::default()
    } else {
        Brackets(bounds)
    })
}

fn audit_region<T: serde::Serialize>(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    before: &T,
    after: &T,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        &crate::audit::AuditEntry::new(
            actor,
            action,
            "region".to_owned(),
            None,
            Some(before),
            Some(after),
        ),
    )
}

/// Replaces the brackets and recounts the economy.
pub fn set_brackets(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    bounds: Vec<i64>,
) -> AppResult<Brackets> {
    actor
        .viewer
        .check(ActionKind::ConfigureRegion, None, "bounds")?;
    let new = Brackets::new(bounds)?;
    let before = brackets(conn)?;
    diesel::delete(eb::economy_brackets).execute(conn)?;
    for (i, b) in new.0.iter().enumerate() {
        diesel::insert_into(eb::economy_brackets)
            .values((eb::position.eq(i as i32 + 1), eb::lower_yuan.eq(*b)))
            .execute(conn)?;
    }
    super::economy::rebuild(conn)?;
    audit_region(conn, actor, "SET_ECONOMY_BRACKETS", &before.0, &new.0)?;
    Ok(new)
}

/// Each category's deadline in days.
pub fn deadlines(conn: &mut DbConnection) -> AppResult<Vec<(ProblemCategory, i32)>> {
    let mut out = Vec::new();
    for c in ProblemCategory::ALL {
        out.push((*c, super::problems::deadline_days(conn, *c)?));
    }
    Ok(out)
}

/// Sets a category's deadline for problems received from now on.
pub fn set_deadline(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    category: ProblemCategory,
    days: i32,
) -> AppResult<i32> {
    actor
        .viewer
        .check(ActionKind::ConfigureRegion, None, "category")?;
    if !(1..=MAX_DEADLINE_DAYS).contains(&days) {
        return Err(AppError::bad_input(
            "days",
            format!("a deadline is 1 to {MAX_DEADLINE_DAYS} days"),
        ));
    }
    let before = super::problems::deadline_days(conn, category)?;
    let q = diesel::sql_query(
        "INSERT INTO problem_deadlines (category, days) VALUES ($1, $2) \
         ON CONFLICT (category) DO UPDATE SET days = excluded.days",
    )
    .bind::<diesel::sql_types::Text, _>(category.as_str())
    .bind::<diesel::sql_types::Integer, _>(days);
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    let _ = pd::problem_deadlines;
    audit_region(
        conn,
        actor,
        "SET_PROBLEM_DEADLINE",
        &(category.as_str(), before),
        &(category.as_str(), days),
    )?;
    Ok(days)
}
