//! Importing people: one row per person, their unit by code, and
//! optionally one post they hold there. A person is the same person when
//! name, birth date and unit match; then the row updates them (empty cells
//! leave fields as they are) and starts the post unless they already hold it.

use std::collections::HashMap;

use super::sheet::{Column, Sheet};
use super::target::PeopleWrites;
use super::{named, parse_cell, problem_of, required, Cells, ImportReport, Outcome, Problem};
use crate::auth::policy::ActionKind;
use crate::domain::people::{EducationLevel, Gender, PoliticalStatus, PositionRole};
use crate::domain::{OrgUnit, Patch};
use crate::error::{AppError, AppResult};
use crate::ids::PersonId;
use crate::people::write;

/// The columns, in template order (also the people export's columns).
pub const LAYOUT: [Column; 14] = [
    Column {
        key: "name",
        label: "姓名",
        required: true,
        help: "full name",
    },
    Column {
        key: "gender",
        label: "性别",
        required: true,
        help: "MALE/FEMALE or 男/女",
    },
    Column {
        key: "birth_date",
        label: "出生日期",
        required: false,
        help: "YYYY-MM-DD",
    },
    Column {
        key: "phone",
        label: "手机号码",
        required: false,
        help: "mobile number",
    },
    Column {
        key: "education",
        label: "学历",
        required: false,
        help: "EducationLevel name or label, e.g. JUNIOR_COLLEGE or 大专",
    },
    Column {
        key: "political_status",
        label: "政治面貌",
        required: true,
        help: "PoliticalStatus name or label, e.g. FULL_MEMBER or 正式党员",
    },
    Column {
        key: "status_since",
        label: "取得日期",
        required: false,
        help: "the day the status was reached, YYYY-MM-DD",
    },
    Column {
        key: "capable_talent",
        label: "乡村能人",
        required: false,
        help: "是/否",
    },
    Column {
        key: "unit_code",
        label: "所在单位编码",
        required: true,
        help: "the code of the unit the person belongs to",
    },
    Column {
        key: "notes",
        label: "备注",
        required: false,
        help: "notes",
    },
    Column {
        key: "role",
        label: "职务",
        required: false,
        help: "a post held in that unit: PositionRole name or label, e.g. GRID_HEAD or 网格长",
    },
    Column {
        key: "started_on",
        label: "任职日期",
        required: false,
        help: "the post's first day, YYYY-MM-DD (default today)",
    },
    Column {
        key: "also_village_director",
        label: "一肩挑",
        required: false,
        help: "是/否, for a village or community secretary",
    },
    Column {
        key: "post_unit_code",
        label: "任职单位编码",
        required: false,
        help: "where the post is held, when not in the person's own unit (a township leader linked to a village)",
    },
];

fn apply_row(
    target: &mut impl PeopleWrites,
    cells: &Cells<'_>,
    (unit, post_unit): (&OrgUnit, &OrgUnit),
    problems: &mut Vec<Problem>,
) -> AppResult<Option<Outcome>> {
    let before = problems.len();
    let name = required(cells, problems, "name");
    let gender = required(cells, problems, "gender").and_then(|_| {
        parse_cell(
            cells,
            problems,
            "gender",
            named(
                Gender::from_name_or_label,
                Gender::ALL,
                (Gender::as_str, Gender::label),
            ),
        )
    });
    let status = required(cells, problems, "political_status").and_then(|_| {
        parse_cell(
            cells,
            problems,
            "political_status",
            named(
                PoliticalStatus::from_name_or_label,
                PoliticalStatus::ALL,
                (PoliticalStatus::as_str, PoliticalStatus::label),
            ),
        )
    });
    let birth_date = parse_cell(cells, problems, "birth_date", super::date);
    let education = parse_cell(
        cells,
        problems,
        "education",
        named(
            EducationLevel::from_name_or_label,
            EducationLevel::ALL,
            (EducationLevel::as_str, EducationLevel::label),
        ),
    );
    let status_since = parse_cell(cells, problems, "status_since", super::date);
    let capable = parse_cell(cells, problems, "capable_talent", super::yes_no);
    let role = parse_cell(
        cells,
        problems,
        "role",
        named(
            PositionRole::from_name_or_label,
            PositionRole::ALL,
            (PositionRole::as_str, PositionRole::label),
        ),
    );
    let started_on = parse_cell(cells, problems, "started_on", super::date);
    let director = parse_cell(cells, problems, "also_village_director", super::yes_no);
    let (Some(name), Some(gender), Some(status)) = (name, gender, status) else {
        return Ok(None);
    };
    if problems.len() > before {
        return Ok(None);
    }
    let text = |key: &str| {
        cells
            .get(key)
            .map_or(Patch::Keep, |v| Patch::Set(v.to_owned()))
    };
    let input = write::PersonInput {
        name: Some(name.to_owned()),
        gender: Some(gender),
        birth_date: birth_date.map_or(Patch::Keep, Patch::Set),
        phone: text("phone"),
        education: education.map_or(Patch::Keep, Patch::Set),
        political_status: Some(status),
        status_since: status_since.map_or(Patch::Keep, Patch::Set),
        capable_talent: capable,
        unit_id: Some(unit.unit_id()),
        notes: text("notes"),
    };
    // Decide access before anything is matched: whether a name, birth
    // date and unit match someone must not be learnt by a caller who may
    // not manage that unit (the answer is the same either way).
    let viewer = target.actor().viewer;
    viewer.check(ActionKind::ManagePeople, Some(unit), "unitId")?;
    if post_unit.id != unit.id && role.is_some() {
        viewer.check(ActionKind::ManagePeople, Some(post_unit), "unitId")?;
    }
    let (person, mut outcome) = match target.same_person(name, unit, birth_date)? {
        None => (target.create_person(unit, input)?, Outcome::Created),
        Some(id) => {
            let changed = target.update_person(id, input)?;
            (
                id,
                if changed {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                },
            )
        }
    };
    if let Some(role) = role {
        if !target.holds(person, post_unit, role)? {
            target.start_position(
                post_unit,
                write::NewPosition {
                    person_id: PersonId(person),
                    unit_id: post_unit.unit_id(),
                    role,
                    started_on,
                    also_village_director: director.unwrap_or(false),
                },
            )?;
            if outcome == Outcome::Unchanged {
                outcome = Outcome::Updated;
            }
        }
    }
    Ok(Some(outcome))
}

/// Applies every row; returns what was done and every problem found.
pub(super) fn apply(
    target: &mut impl PeopleWrites,
    sheet: &Sheet,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    let (at, mut problems, mut report) = super::begin(sheet, &LAYOUT);
    if !problems.is_empty() {
        return Ok((report, problems));
    }
    // A people import does not change units: look each code up once.
    let mut units: HashMap<String, Option<OrgUnit>> = HashMap::new();
    for row in &sheet.rows {
        let cells = Cells {
            row,
            at: &at,
            layout: &LAYOUT,
        };
        let Some(code) = required(&cells, &mut problems, "unit_code") else {
            continue;
        };
        let mut lookup = |code: &str| -> AppResult<Option<OrgUnit>> {
            if let Some(u) = units.get(code) {
                return Ok(u.clone());
            }
            // A unit out of sight answers as a missing one.
            let u = target.stored_holder(code)?;
            units.insert(code.to_owned(), u.clone());
            Ok(u)
        };
        let Some(unit) = lookup(code)? else {
            problems.push(Problem::new(
                row.number,
                "unit_code",
                code,
                format!("no active unit has code {code}"),
            ));
            continue;
        };
        let post_unit = match cells.get("post_unit_code") {
            None => unit.clone(),
            Some(other) => match lookup(other)? {
                Some(u) => u,
                None => {
                    problems.push(Problem::new(
                        row.number,
                        "post_unit_code",
                        other,
                        format!("no active unit has code {other}"),
                    ));
                    continue;
                }
            },
        };
        let mut row_problems = Vec::new();
        let result = target.row(|t| {
            match apply_row(t, &cells, (&unit, &post_unit), &mut row_problems)? {
                Some(outcome) => Ok(Some(outcome)),
                // Parse problems: nothing of the row was written.
                None => Err(AppError::bad_input("name", "row rejected")),
            }
        });
        match result {
            Ok(Some(outcome)) => report.count(outcome),
            Ok(None) => {}
            Err(_) if !row_problems.is_empty() => problems.append(&mut row_problems),
            Err(e) => problems.push(problem_of(&cells, &e, "name")),
        }
    }
    Ok((report, problems))
}
