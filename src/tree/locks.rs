//! The townships a tree write locks before it decides anything (see
//! [`crate::db::transaction`]). A write reads what it needs, locks the
//! townships that lie in, and reads again: a move that committed between
//! the two reads shows in the second, and then its townships are locked
//! too. Only a move changes a unit's township, and a move holds both
//! townships, so once locked, what was read stays true until the commit.

use crate::auth::Visibility;
use crate::db::{transaction, DbConnection};
use crate::domain::OrgUnit;
use crate::error::{AppError, AppResult};

pub use super::history::township_of;
use super::read;

/// How often the townships may change under a write before it gives up.
const TRIES: usize = 8;

/// Runs `find`, which reads what a write needs and names the townships
/// that lies in, locks them, and returns what `find` read once they are
/// locked.
pub fn holding<T>(
    conn: &mut DbConnection,
    mut find: impl FnMut(&mut DbConnection) -> AppResult<(T, Vec<i64>)>,
) -> AppResult<T> {
    let (mut found, mut townships) = find(conn)?;
    for _ in 0..TRIES {
        if !transaction::lock_townships(conn, &townships)? {
            return Ok(found);
        }
        (found, townships) = find(conn)?;
    }
    Err(AppError::Unavailable(
        "the tree kept changing under a write; try again".to_owned(),
    ))
}

/// The unit `id` (whoever sees it), with its township locked.
pub fn unit(conn: &mut DbConnection, id: i64, field: &str) -> AppResult<OrgUnit> {
    holding(conn, |c| {
        let unit = read::get(c, &Visibility::Everything, id, field)?;
        let township = township_of(&unit);
        Ok((unit, vec![township]))
    })
}

/// The unit `id`, and `other` if it exists (each whoever sees it), with
/// their townships locked. Both are looked up whether or not the first
/// exists, so a missing unit and one out of sight take the same path.
pub fn pair(
    conn: &mut DbConnection,
    (id, field): (i64, &str),
    other: i64,
) -> AppResult<(OrgUnit, Option<OrgUnit>)> {
    let (unit, other) = holding(conn, |c| {
        let unit = read::find(c, &Visibility::Everything, id)?;
        let other = read::find(c, &Visibility::Everything, other)?;
        let townships = unit.iter().chain(other.as_ref()).map(township_of).collect();
        Ok(((unit, other), townships))
    })?;
    let unit = unit.ok_or_else(|| AppError::unit_not_found(field))?;
    Ok((unit, other))
}
