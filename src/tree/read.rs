//! Reading the tree. Every lookup here is one indexed statement: subtrees by
//! the per-level ancestor columns, ancestors by id.

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::auth::policy::{Scope, Sight, UnitRef};
use crate::auth::Visibility;
use crate::db::ancestry::{self, Beneath};
use crate::db::models::OrgUnitRow;
use crate::db::schema::org_units::{self, dsl as u};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::coverage::GapReason;
use crate::domain::{Level, OrgForm, OrgUnit, Page, PageOf, Sorted, UnitType};
use crate::error::{AppError, AppResult};

/// Which units a list or count is about.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Strict descendants of this unit (id and level).
    pub under: Option<UnitRef>,
    /// Direct children of this unit.
    pub parent: Option<i64>,
    pub level: Option<Level>,
    pub unit_type: Option<UnitType>,
    pub org_form: Option<OrgForm>,
    /// Matches a part of the name or of the code.
    pub search: Option<String>,
    pub include_dissolved: bool,
    /// Only coverage gaps (`Some(None)`: for any reason).
    pub gaps: Option<Option<GapReason>>,
    /// Only management units with no active child (chain gaps).
    pub childless: bool,
    /// Only units failing this staffing rule.
    pub staffing: Option<crate::domain::staffing::StaffingRule>,
}

type Boxed<'a> = org_units::BoxedQuery<'a, MultiBackend>;

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The filter as SQL. `visibility` is where access control narrows every
/// list and count.
pub(crate) fn filtered<'a>(visibility: &Visibility, f: &'a UnitFilter) -> Boxed<'a> {
    let mut q: Boxed<'a> = org_units::table.into_boxed();
    // Everything beneath a fully visible unit is visible: no condition needed.
    let under_visible = f
        .under
        .is_some_and(|under| visibility.sees_scope(&Scope::Unit(under)));
    match visibility {
        Visibility::Everything => {}
        _ if under_visible => {}
        Visibility::Nothing => q = q.filter(ancestry::never()),
        Visibility::Units(scopes) => {
            if let Some(cond) = scopes
                .iter()
                .map(|s| org_units::table::at_or_beneath(s.id, s.level))
                .reduce(|a, b| Box::new(a.or(b)))
            {
                q = q.filter(cond);
            }
        }
    }
    if let Some(UnitRef { id, level, .. }) = f.under {
        q = q.filter(org_units::table::strictly_beneath(id, level));
    }
    if let Some(parent) = f.parent {
        q = q.filter(u::parent_id.eq(parent));
    }
    if let Some(level) = f.level {
        q = q.filter(u::level.eq(level.number()));
    }
    if let Some(t) = f.unit_type {
        q = q.filter(u::unit_type.eq(t.as_str()));
    }
    if let Some(form) = f.org_form {
        q = q.filter(u::org_form.eq(form.as_str()));
    }
    if let Some(search) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Case-insensitive on both backends (SQLite's LIKE ignores ASCII
        // case, PostgreSQL's does not).
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        q = q.filter(
            lower(u::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(u::code.assume_not_null()).like(pattern).escape('\\')),
        );
    }
    if let Some(reason) = f.gaps {
        let none = u::org_form.assume_not_null().eq(OrgForm::None.as_str());
        let h = diesel::alias!(org_units as hosts);
        let lost_hosts = h
            .filter(
                h.field(u::dissolved_on).is_not_null().or(h
                    .field(u::org_form)
                    .eq_any([OrgForm::None.as_str(), OrgForm::Affiliated.as_str()])),
            )
            .select(h.field(u::id));
        let host_lost = u::org_form
            .assume_not_null()
            .eq(OrgForm::Affiliated.as_str())
            .and(u::host_unit_id.assume_not_null().eq_any(lost_hosts));
        let cond: Condition = match reason {
            Some(GapReason::NoOrganization) => Box::new(none),
            Some(GapReason::HostLost) => Box::new(host_lost),
            None => Box::new(none.or(host_lost)),
        };
        q = q.filter(cond);
    }
    if f.childless {
        // Each unit keeps its count of active children; the partial index
        // `org_units_chain_gaps` holds exactly these rows. Written as SQL
        // text, not bound values, so both planners see that it applies.
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "org_units.active_children = 0 AND org_units.level <= 4",
        ));
    }
    if let Some(rule) = f.staffing {
        q = q.filter(super::staffing::failing(rule));
    }
    if !f.include_dissolved {
        q = q.filter(u::dissolved_on.is_null());
    }
    q
}

pub(crate) type Condition = ancestry::Condition<org_units::table>;

pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn to_units(rows: Vec<OrgUnitRow>) -> AppResult<Vec<OrgUnit>> {
    rows.into_iter().map(OrgUnit::try_from).collect()
}

/// One unit by id, if it exists and is visible.
pub fn find(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: i64,
) -> AppResult<Option<OrgUnit>> {
    let row = u::org_units
        .find(id)
        .select(OrgUnitRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row
        .map(OrgUnit::try_from)
        .transpose()?
        .filter(|unit| visibility.can_see(unit)))
}

/// One unit by id, or `NOT_FOUND` naming `field`.
pub fn get(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: i64,
    field: &str,
) -> AppResult<OrgUnit> {
    find(conn, visibility, id)?.ok_or_else(|| AppError::unit_not_found(field))
}

/// The unit holding `code`: the active one, or else the most recently
/// dissolved one.
pub fn find_by_code(
    conn: &mut DbConnection,
    visibility: &Visibility,
    code: &str,
) -> AppResult<Option<OrgUnit>> {
    let rows = u::org_units
        .filter(u::code.eq(code.trim()))
        .order((
            u::dissolved_on.is_null().desc(),
            u::dissolved_on.desc(),
            u::id.desc(),
        ))
        .select(OrgUnitRow::as_select())
        .limit(1)
        .load(conn)?;
    // A breadcrumb shows id, name, level and type: its code is not part of
    // what it shows, so it cannot be found by code.
    Ok(to_units(rows)?
        .into_iter()
        .find(|unit| visibility.sight(unit) == Sight::Full))
}

/// The active unit holding `code`, other than `except`.
pub fn active_code_holder(
    conn: &mut DbConnection,
    code: &str,
    except: Option<i64>,
) -> AppResult<Option<OrgUnit>> {
    let mut q = u::org_units
        .filter(u::code.eq(code))
        .filter(u::dissolved_on.is_null())
        .into_boxed::<MultiBackend>();
    if let Some(id) = except {
        q = q.filter(u::id.ne(id));
    }
    let row = q.select(OrgUnitRow::as_select()).first(conn).optional()?;
    row.map(OrgUnit::try_from).transpose()
}

/// Units by id, in one statement; missing and invisible ids are left out.
pub fn find_many(
    conn: &mut DbConnection,
    visibility: &Visibility,
    ids: &[i64],
) -> AppResult<Vec<OrgUnit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = u::org_units
        .filter(u::id.eq_any(ids))
        .select(OrgUnitRow::as_select())
        .load(conn)?;
    Ok(to_units(rows)?
        .into_iter()
        .filter(|unit| visibility.can_see(unit))
        .collect())
}

/// One page of the units matching `filter`, in creation order (by id) or
/// in `sorted`'s.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &UnitFilter,
    page: Page,
    sorted: Option<&Sorted>,
) -> AppResult<PageOf<OrgUnit>> {
    let mut q = narrowed(filtered(visibility, filter), conn, filter);
    let postgres = matches!(conn, DbConnection::Pg(_));
    let creation = Sorted::by_creation(&page);
    let (past, by) =
        crate::db::sort::sorted_page("org_units", sorted.unwrap_or(&creation), &page, postgres)?;
    for condition in past {
        q = q.filter(condition);
    }
    q = q.order(by);
    let rows = q
        .limit(page.fetch_limit())
        .select(OrgUnitRow::as_select())
        .load(conn)?;
    Ok(page.finish(to_units(rows)?))
}

/// The coverage-rate sort keys (`SortField::CoverageRate`) of units, by id.
pub fn rate_keys(
    conn: &mut DbConnection,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, String>> {
    let rate =
        diesel::dsl::sql::<diesel::sql_types::BigInt>(&crate::db::sort::rate_sql("org_units"));
    let rows: Vec<(i64, i64)> = u::org_units
        .filter(u::id.eq_any(ids))
        .select((u::id, rate))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, r)| (id, r.to_string()))
        .collect())
}

/// How many units match `filter`. Active units by place, level, type,
/// form and chain gap come from the coverage counters (a few rows per
/// scope, at any size); other filters count rows.
pub fn count(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &UnitFilter,
) -> AppResult<i64> {
    if let Some(counted) = by_counters(visibility, filter) {
        let f = filter.clone();
        return counted.units(conn, |k| {
            f.level.is_none_or(|l| k.level == l)
                && f.unit_type.is_none_or(|t| k.unit_type == t)
                // Teams are counted under form NONE but have none stored.
                && f.org_form.is_none_or(|o| k.org_form == o && k.level != Level::VolunteerTeam)
                && (!f.childless || (k.childless && k.level <= Level::BuildingGroup))
        });
    }
    count_rows(conn, visibility, filter)
}

/// How many units match `filter`, counted row by row (what the counters
/// must agree with).
pub fn count_rows(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &UnitFilter,
) -> AppResult<i64> {
    Ok(narrowed(filtered(visibility, filter), conn, filter)
        .select(count_star())
        .first(conn)?)
}

/// `q`, narrowed on SQLite by the search's trigram index (see
/// [`crate::db::trigram_candidates`]).
fn narrowed<'a>(q: Boxed<'a>, conn: &DbConnection, f: &UnitFilter) -> Boxed<'a> {
    let index = ("org_units.id", "org_units_search");
    match crate::db::trigram_candidates(conn, index, f.search.as_deref()) {
        Some(candidates) => q.filter(candidates),
        None => q,
    }
}

/// What the counters add up for `filter`, when they can answer it: no
/// search, gaps, staffing rule, parent or dissolved units, and a place the
/// viewer sees whole.
fn by_counters(visibility: &Visibility, f: &UnitFilter) -> Option<super::tally::Counted> {
    let plain = f.search.is_none()
        && f.parent.is_none()
        && !f.include_dissolved
        && f.gaps.is_none()
        && f.staffing.is_none();
    let seen_whole = match f.under {
        None => true,
        Some(under) => visibility.sees_scope(&Scope::Unit(under)),
    };
    (plain && seen_whole).then(|| super::tally::Counted::new(f.under, visibility))
}

pub use super::bulk::{
    active_children, affiliated_to, hosted_by, list_all, list_visible, subtree_counts,
};
