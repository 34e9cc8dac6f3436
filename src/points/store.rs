//! The reads of the points system that the writes and the API share.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath};
use crate::db::schema::households::{self, dsl as h};
use crate::db::schema::point_records::{self, dsl as r};
use crate::db::schema::points_items::dsl as it;
use crate::db::schema::points_lists::dsl as l;
use crate::db::DbConnection;
use crate::domain::ledger::{Household, PointRecord, PointsItem, PointsList, Redemption};
use crate::domain::{OrgUnit, Page, PageOf, Sorted};
use crate::error::{AppError, AppResult};

pub use super::rows::{HouseholdRow, ItemRow, ListRow, RecordRow, RedemptionRow};

/// One household, whoever sees it.
pub fn household(conn: &mut DbConnection, id: i64) -> AppResult<Option<Household>> {
    let row: Option<HouseholdRow> = h::households
        .find(id)
        .select(HouseholdRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Household::from))
}

/// The households of `ids` that exist.
pub fn households_of(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Household>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<HouseholdRow> = h::households
        .filter(h::id.eq_any(ids))
        .select(HouseholdRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Household::from).collect())
}

/// Which households a list shows.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Households of this unit's subtree (a unit the viewer fully sees).
    pub under: Option<UnitRef>,
    /// Closed households too.
    pub include_closed: bool,
    /// Part of the address, case-insensitive.
    pub search: Option<String>,
}

type Boxed<'a> = households::BoxedQuery<'a, crate::db::MultiBackend>;

fn filtered<'a>(visibility: &Visibility, f: &'a HouseholdFilter) -> Boxed<'a> {
    let within = |s: &UnitRef| households::table::at_or_beneath(s.id, s.level);
    let mut q: Boxed<'a> = households::table.into_boxed();
    match (f.under, visibility) {
        (Some(under), _) => q = q.filter(within(&under)),
        (None, Visibility::Everything) => {}
        (None, Visibility::Nothing) => q = q.filter(ancestry::never()),
        (None, Visibility::Units(scopes)) => {
            if let Some(c) = scopes.iter().map(within).reduce(|a, b| Box::new(a.or(b))) {
                q = q.filter(c);
            }
        }
    }
    if !f.include_closed {
        q = q.filter(h::closed_on.is_null());
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            h::address
                .like(format!("%{}%", crate::tree::read::escape_like(s)))
                .escape('\\'),
        );
    }
    q
}

/// A page of the households `filter` selects, in creation order.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &HouseholdFilter,
    page: Page,
) -> AppResult<PageOf<Household>> {
    let (past, by) = by_creation(conn, "households", &page)?;
    let mut q = filtered(visibility, filter);
    for condition in past {
        q = q.filter(condition);
    }
    let rows: Vec<HouseholdRow> = q
        .order(by)
        .limit(page.limit as i64 + 1)
        .select(HouseholdRow::as_select())
        .load(conn)?;
    Ok(page.finish(rows.into_iter().map(Household::from).collect()))
}

/// How many households `filter` selects.
pub fn count(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &HouseholdFilter,
) -> AppResult<i64> {
    Ok(filtered(visibility, filter)
        .select(diesel::dsl::count_star())
        .first(conn)?)
}

/// One version of a list.
pub fn list_version(conn: &mut DbConnection, id: i64) -> AppResult<Option<PointsList>> {
    let row: Option<ListRow> = l::points_lists
        .find(id)
        .select(ListRow::as_select())
        .first(conn)
        .optional()?;
    row.map(PointsList::try_from).transpose()
}

/// Every version of `owner`'s list, newest first.
pub fn versions_of(conn: &mut DbConnection, owner: i64) -> AppResult<Vec<PointsList>> {
    let rows: Vec<ListRow> = l::points_lists
        .filter(l::owner_unit_id.eq(owner))
        .order(l::version.desc())
        .select(ListRow::as_select())
        .load(conn)?;
    rows.into_iter().map(PointsList::try_from).collect()
}

/// The version of `owner` in force on `on`: its latest adopted on or
/// before that day.
pub fn owned_in_force(
    conn: &mut DbConnection,
    owner: i64,
    on: NaiveDate,
) -> AppResult<Option<PointsList>> {
    let row: Option<ListRow> = l::points_lists
        .filter(l::owner_unit_id.eq(owner))
        .filter(l::adopted_on.le(on))
        .order(l::adopted_on.desc())
        .select(ListRow::as_select())
        .first(conn)
        .optional()?;
    row.map(PointsList::try_from).transpose()
}

/// The items of some versions, in code order.
pub fn items_of(conn: &mut DbConnection, lists: &[i64]) -> AppResult<Vec<PointsItem>> {
    let rows: Vec<ItemRow> = it::points_items
        .filter(it::list_id.eq_any(lists))
        .order((it::list_id, it::code))
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(PointsItem::from).collect())
}

/// One item.
pub fn item(conn: &mut DbConnection, id: i64) -> AppResult<Option<PointsItem>> {
    let row: Option<ItemRow> = it::points_items
        .find(id)
        .select(ItemRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(PointsItem::from))
}

/// One record.
pub fn record(conn: &mut DbConnection, id: i64) -> AppResult<Option<PointRecord>> {
    let row: Option<RecordRow> = r::point_records
        .find(id)
        .select(RecordRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(PointRecord::from))
}

/// Which records a list shows: a household's, or those beneath a unit.
#[derive(Debug, Clone, Copy)]
pub enum RecordsOf {
    Household(i64),
    Under(UnitRef),
}

type RecordQuery<'a> = point_records::BoxedQuery<'a, crate::db::MultiBackend>;

/// The records `of` selects, optionally of one year.
fn filtered_records<'a>(of: RecordsOf, year: Option<i32>) -> RecordQuery<'a> {
    let mut q: RecordQuery<'a> = point_records::table.into_boxed();
    q = match of {
        RecordsOf::Household(id) => q.filter(r::household_id.eq(id)),
        RecordsOf::Under(u) => q.filter(point_records::table::at_or_beneath(u.id, u.level)),
    };
    if let Some(y) = year {
        q = q.filter(r::year.eq(y));
    }
    q
}

/// A page of records in creation order, optionally of one year.
pub fn records(
    conn: &mut DbConnection,
    of: RecordsOf,
    year: Option<i32>,
    page: Page,
) -> AppResult<PageOf<PointRecord>> {
    let (past, by) = by_creation(conn, "point_records", &page)?;
    let mut q = filtered_records(of, year);
    for condition in past {
        q = q.filter(condition);
    }
    let rows: Vec<RecordRow> = q
        .order(by)
        .limit(page.limit as i64 + 1)
        .select(RecordRow::as_select())
        .load(conn)?;
    Ok(page.finish(rows.into_iter().map(PointRecord::from).collect()))
}

/// What a page of `table` in creation order (by id) adds to its query:
/// the conditions past its cursors, and the order.
fn by_creation<QS: 'static>(
    conn: &DbConnection,
    table: &str,
    page: &Page,
) -> AppResult<(
    Vec<ancestry::Condition<QS>>,
    diesel::expression::SqlLiteral<diesel::sql_types::Text>,
)> {
    let postgres = matches!(conn, DbConnection::Pg(_));
    crate::db::sort::sorted_page(table, &Sorted::by_creation(page), page, postgres)
}

/// The group a household lives in (for access checks).
pub fn group_of(conn: &mut DbConnection, unit_id: i64) -> AppResult<OrgUnit> {
    crate::tree::read::find(conn, &Visibility::Everything, unit_id)?
        .ok_or_else(|| AppError::internal(format!("group {unit_id} of a household vanished")))
}

/// How many records a list of [`records`] holds.
pub fn count_records(conn: &mut DbConnection, of: RecordsOf, year: Option<i32>) -> AppResult<i64> {
    Ok(filtered_records(of, year)
        .select(diesel::dsl::count_star())
        .first(conn)?)
}

/// The ids of a household's members.
pub fn member_ids(conn: &mut DbConnection, household: i64) -> AppResult<Vec<i64>> {
    use crate::db::schema::persons::dsl as p;
    Ok(p::persons
        .filter(p::household_id.eq(household))
        .order(p::id)
        .select(p::id)
        .load(conn)?)
}

/// A household's redemptions, oldest first.
pub fn redemptions_of(conn: &mut DbConnection, household: i64) -> AppResult<Vec<Redemption>> {
    use crate::db::schema::redemptions::dsl as rd;
    let rows: Vec<RedemptionRow> = rd::redemptions
        .filter(rd::household_id.eq(household))
        .order(rd::id)
        .select(RedemptionRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Redemption::try_from).collect()
}

/// One redemption.
pub fn redemption(conn: &mut DbConnection, id: i64) -> AppResult<Option<Redemption>> {
    use crate::db::schema::redemptions::dsl as rd;
    let row: Option<RedemptionRow> = rd::redemptions
        .find(id)
        .select(RedemptionRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Redemption::try_from).transpose()
}
