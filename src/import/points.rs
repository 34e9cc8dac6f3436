//! Imports of the points system: households, and point records, from the
//! registers villages keep. All or nothing like every import, but applied
//! directly: each row through the same writes as the API, in a savepoint
//! of one transaction that is rolled back when any row fails, or after a
//! dry run. (Households and records are a village's or a township's, small
//! files; they are not rehearsed on a snapshot first as units and people
//! are, so a dry run of them holds its townships' locks while it runs.)

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::sheet::{Column, Sheet};
use super::{begin, date, parse_cell, problem_of, required, Cells, ImportReport, Outcome};
use crate::audit::Actor;
use crate::auth::policy::Sight;
use crate::db::schema::persons::dsl as p;
use crate::db::schema::point_records::dsl as r;
use crate::db::DbConnection;
use crate::domain::{Level, OrgUnit, Patch};
use crate::error::{AppError, AppResult, Problem};
use crate::ids::{HouseholdId, PersonId, PointsItemId};
use crate::points::{households, lists, store, HouseholdInput, NewRecord};
use crate::tree::read;

pub(super) const fn column(
    key: &'static str,
    label: &'static str,
    required: bool,
    help: &'static str,
) -> Column {
    Column {
        key,
        label,
        required,
        help,
    }
}

/// The households file's columns.
pub const HOUSEHOLDS_LAYOUT: &[Column] = &[
    column(
        "unit_code",
        "所属小组编码",
        true,
        "the code of its building or courtyard group",
    ),
    column(
        "address",
        "户号",
        true,
        "house number or address, unique among the group's open households",
    ),
    column(
        "registered_on",
        "登记日期",
        false,
        "YYYY-MM-DD (default: today)",
    ),
    column(
        "head_name",
        "户主姓名",
        false,
        "a person of the same village, by name",
    ),
    column("notes", "备注", false, "free text"),
];

/// The point records file's columns.
pub const RECORDS_LAYOUT: &[Column] = &[
    column(
        "unit_code",
        "所属小组编码",
        true,
        "the code of the household's group",
    ),
    column(
        "address",
        "户号",
        true,
        "the household's house number or address",
    ),
    column("recorded_on", "日期", true, "YYYY-MM-DD"),
    column(
        "item",
        "积分项目",
        true,
        "the item's code or its description, in the list in force that day",
    ),
    column(
        "points",
        "分值",
        false,
        "default: the item's; same sign, no larger",
    ),
    column("note", "说明", false, "the evidence"),
];

/// The group `code` names, if the viewer sees it whole.
pub(super) fn group(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    code: &str,
) -> AppResult<Option<OrgUnit>> {
    let visibility = actor.viewer.visibility();
    Ok(read::find_by_code(conn, &visibility, code)?.filter(|u| visibility.sight(u) == Sight::Full))
}

/// The household at `address` in `group`: the open one, else the latest closed.
fn household_at(conn: &mut DbConnection, group: i64, address: &str) -> AppResult<Option<i64>> {
    use crate::db::schema::households::dsl as h;
    Ok(h::households
        .filter(h::unit_id.eq(group))
        .filter(h::address.eq(address))
        .order((h::closed_on.is_null().desc(), h::id.desc()))
        .select(h::id)
        .first(conn)
        .optional()?)
}

pub(super) fn no_group(cells: &Cells<'_>, code: &str) -> Problem {
    Problem::new(
        cells.row.number,
        "unit_code",
        code,
        "no building or courtyard group you can see has this code",
    )
}

/// One households row: a new household, or an edit of the open one at
/// that address.
fn household_row(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    cells: &Cells<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Option<Outcome>> {
    let before = problems.len();
    let code = required(cells, problems, "unit_code");
    let address = required(cells, problems, "address");
    let registered_on = parse_cell(cells, problems, "registered_on", date);
    if problems.len() > before {
        return Ok(None);
    }
    let (Some(code), Some(address)) = (code, address) else {
        return Ok(None);
    };
    let Some(group) = group(conn, actor, code)? else {
        problems.push(no_group(cells, code));
        return Ok(None);
    };
    let head = match cells.get("head_name") {
        None => Patch::Keep,
        Some(name) => {
            let village = group.ancestry.at(Level::Village);
            let found: Vec<i64> = p::persons
                .filter(p::name.eq(name))
                .filter(p::village_id.eq(village))
                .select(p::id)
                .limit(2)
                .load(conn)?;
            match found.as_slice() {
                [one] => Patch::Set(PersonId(*one)),
                [] => {
                    problems.push(Problem::new(
                        cells.row.number,
                        "head_name",
                        name,
                        "no one of that name in the household's village",
                    ));
                    return Ok(None);
                }
                _ => {
                    problems.push(Problem::new(
                        cells.row.number,
                        "head_name",
                        name,
                        "several people of that name in the village; set the head in the app",
                    ));
                    return Ok(None);
                }
            }
        }
    };
    let input = HouseholdInput {
        unit_id: Some(crate::ids::UnitId(group.id)),
        address: Some(address.to_owned()),
        head_person_id: head,
        registered_on,
        notes: cells
            .get("notes")
            .map_or(Patch::Keep, |n| Patch::Set(n.to_owned())),
    };
    let existing = {
        use crate::db::schema::households::dsl as h;
        h::households
            .filter(h::unit_id.eq(group.id))
            .filter(h::address.eq(address))
            .filter(h::closed_on.is_null())
            .select(h::id)
            .first::<i64>(conn)
            .optional()?
    };
    Ok(Some(match existing {
        None => {
            households::create_household(conn, actor, input)?;
            Outcome::Created
        }
        Some(id) => {
            let before = store::household(conn, id)?;
            let after = households::update_household(conn, actor, HouseholdId(id), input)?;
            if before.as_ref() == Some(&after) {
                Outcome::Unchanged
            } else {
                Outcome::Updated
            }
        }
    }))
}

/// One records row. A row equal to a record already made (household, day,
/// item, points, note) is that record, counted once per such record, so a
/// file imported twice adds nothing.
fn record_row(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    cells: &Cells<'_>,
    problems: &mut Vec<Problem>,
    seen: &mut HashMap<(i64, NaiveDate, i64, i32, Option<String>), i64>,
) -> AppResult<Option<Outcome>> {
    let before = problems.len();
    let code = required(cells, problems, "unit_code");
    let address = required(cells, problems, "address");
    let on = required(cells, problems, "recorded_on").and(parse_cell(
        cells,
        problems,
        "recorded_on",
        date,
    ));
    let item = required(cells, problems, "item");
    let points = parse_cell(cells, problems, "points", |s| {
        s.parse::<i32>()
            .map_err(|_| "not a whole number".to_owned())
    });
    if problems.len() > before {
        return Ok(None);
    }
    let (Some(code), Some(address), Some(on), Some(item)) = (code, address, on, item) else {
        return Ok(None);
    };
    let Some(group) = group(conn, actor, code)? else {
        problems.push(no_group(cells, code));
        return Ok(None);
    };
    let Some(household) = household_at(conn, group.id, address)? else {
        problems.push(Problem::new(
            cells.row.number,
            "address",
            address,
            "no household at this address in that group",
        ));
        return Ok(None);
    };
    let Some(list) = lists::in_force(conn, &group, on)? else {
        problems.push(Problem::new(
            cells.row.number,
            "recorded_on",
            on.to_string(),
            "no points list was in force for this household's village that day",
        ));
        return Ok(None);
    };
    let items = store::items_of(conn, &[list.id])?;
    let Some(found) = items
        .iter()
        .find(|i| i.code.eq_ignore_ascii_case(item) || i.description == item)
    else {
        problems.push(Problem::new(
            cells.row.number,
            "item",
            item,
            format!(
                "no item with this code or description in {} (version {})",
                list.title, list.version
            ),
        ));
        return Ok(None);
    };
    let note = cells.get("note").map(str::to_owned);
    let value = points.unwrap_or(found.points);
    let key = (household, on, found.id, value, note.clone());
    let mut same = r::point_records
        .filter(r::household_id.eq(household))
        .filter(r::recorded_on.eq(on))
        .filter(r::item_id.eq(found.id))
        .filter(r::points.eq(value))
        .filter(r::reverses_id.is_null())
        .into_boxed::<crate::db::MultiBackend>();
    same = match &note {
        Some(n) => same.filter(r::note.eq(n.clone())),
        None => same.filter(r::note.is_null()),
    };
    let made: i64 = same.select(diesel::dsl::count_star()).first(conn)?;
    let earlier = seen.entry(key).or_default();
    *earlier += 1;
    if *earlier <= made {
        return Ok(Some(Outcome::Unchanged));
    }
    crate::points::records::record_points_for(
        conn,
        actor,
        NewRecord {
            household_id: HouseholdId(household),
            item_id: PointsItemId(found.id),
            recorded_on: Some(on),
            points,
            note,
        },
    )?;
    Ok(Some(Outcome::Created))
}

/// Which points file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsFile {
    Households,
    Records,
}

/// Every row of `sheet`, each in a savepoint of the caller's transaction;
/// the report and every problem.
pub fn apply(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    file: PointsFile,
    sheet: &Sheet,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    let mut seen = HashMap::new();
    match file {
        PointsFile::Households => rows(conn, actor, sheet, HOUSEHOLDS_LAYOUT, household_row),
        PointsFile::Records => rows(
            conn,
            actor,
            sheet,
            RECORDS_LAYOUT,
            |c, a, cells, problems| record_row(c, a, cells, problems, &mut seen),
        ),
    }
}

/// Every row of `sheet` (laid out as `layout`) through `row`, each in a
/// savepoint of the caller's transaction: a row that fails is undone and
/// becomes a problem; the report and every problem.
pub(super) fn rows(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    sheet: &Sheet,
    layout: &[Column],
    mut row: impl FnMut(
        &mut DbConnection,
        &Actor<'_>,
        &Cells<'_>,
        &mut Vec<Problem>,
    ) -> AppResult<Option<Outcome>>,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    let (at, mut problems, mut report) = begin(sheet, layout);
    if !problems.is_empty() {
        return Ok((report, problems));
    }
    for r in &sheet.rows {
        let cells = Cells {
            row: r,
            at: &at,
            layout,
        };
        let done = conn.transaction(|c| row(c, actor, &cells, &mut problems));
        match done {
            Ok(Some(outcome)) => report.count(outcome),
            Ok(None) => {}
            Err(
                e @ (AppError::BadInput { .. }
                | AppError::Conflict { .. }
                | AppError::Forbidden(_)
                | AppError::NotFound(_)),
            ) => {
                problems.push(problem_of(&cells, &e, "unit_code"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((report, problems))
}
