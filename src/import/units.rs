//! Importing units: one row per unit, its parent by code. A row whose code
//! an active unit already holds updates that unit (moving it if the parent
//! differs; empty cells leave fields as they are); other rows create units.
//! Parents may come later in the file: rows wait until their parent exists.

use std::collections::{BTreeSet, HashMap};

use super::sheet::{Column, Sheet};
use super::target::UnitWrites;
use super::{
    differs, named, parse_cell, problem_of, required, Cells, ImportReport, Outcome, Problem,
};
use crate::domain::{OrgForm, OrgUnit, Patch, TeamCategory, UnitType};
use crate::error::{AppError, AppResult};
use crate::tree::write;

/// The columns, in template order.
pub const LAYOUT: [Column; 11] = [
    Column {
        key: "code",
        label: "编码",
        required: true,
        help: "the unit's code, unique among active units",
    },
    Column {
        key: "name",
        label: "名称",
        required: true,
        help: "its name",
    },
    Column {
        key: "unit_type",
        label: "类型",
        required: true,
        help: "UnitType name or label, e.g. RURAL_GRID or 农村网格",
    },
    Column {
        key: "parent_code",
        label: "上级编码",
        required: false,
        help: "the parent's code (empty for a township or sub-district)",
    },
    Column {
        key: "org_form",
        label: "组织形式",
        required: false,
        help: "OrgForm name or label (levels 1–4), e.g. PARTY_GROUP or 党小组",
    },
    Column {
        key: "host_code",
        label: "挂靠单位编码",
        required: false,
        help: "for AFFILIATED: the code of the ancestor whose organization it joins",
    },
    Column {
        key: "team_category",
        label: "服务队类别",
        required: false,
        help: "for a volunteer team: TeamCategory name or label",
    },
    Column {
        key: "founded_on",
        label: "成立日期",
        required: false,
        help: "YYYY-MM-DD",
    },
    Column {
        key: "service_station",
        label: "党群服务站",
        required: false,
        help: "service station",
    },
    Column {
        key: "wechat_group",
        label: "微信群",
        required: false,
        help: "WeChat group",
    },
    Column {
        key: "notes",
        label: "备注",
        required: false,
        help: "notes",
    },
];

/// One parsed row.
struct UnitRow<'a> {
    cells: Cells<'a>,
    code: String,
    name: String,
    unit_type: UnitType,
    parent_code: Option<String>,
    org_form: Option<OrgForm>,
    host_code: Option<String>,
    team_category: Option<TeamCategory>,
    founded_on: Option<chrono::NaiveDate>,
}

fn parse<'a>(cells: Cells<'a>, problems: &mut Vec<Problem>) -> Option<UnitRow<'a>> {
    let before = problems.len();
    let code = required(&cells, problems, "code");
    let name = required(&cells, problems, "name");
    let unit_type = required(&cells, problems, "unit_type").and_then(|_| {
        parse_cell(
            &cells,
            problems,
            "unit_type",
            named(
                UnitType::from_name_or_label,
                UnitType::ALL,
                (UnitType::as_str, UnitType::label),
            ),
        )
    });
    let org_form = parse_cell(
        &cells,
        problems,
        "org_form",
        named(
            OrgForm::from_name_or_label,
            OrgForm::ALL,
            (OrgForm::as_str, OrgForm::label),
        ),
    );
    let team_category = parse_cell(
        &cells,
        problems,
        "team_category",
        named(
            TeamCategory::from_name_or_label,
            TeamCategory::ALL,
            (TeamCategory::as_str, TeamCategory::label),
        ),
    );
    let founded_on = parse_cell(&cells, problems, "founded_on", super::date);
    if problems.len() > before {
        return None;
    }
    Some(UnitRow {
        code: code?.to_owned(),
        name: name?.to_owned(),
        unit_type: unit_type?,
        parent_code: cells.get("parent_code").map(str::to_owned),
        org_form,
        host_code: cells.get("host_code").map(str::to_owned),
        team_category,
        founded_on,
        cells,
    })
}

/// The active unit holding `code` that the viewer sees in full, or a
/// problem on `field`: a unit out of sight answers as a missing one.
fn by_code(target: &mut impl UnitWrites, code: &str, field: &str) -> AppResult<OrgUnit> {
    target
        .seen_holder(code)?
        .ok_or_else(|| AppError::bad_input(field, format!("no active unit has code {code}")))
}

fn apply_row(target: &mut impl UnitWrites, r: &UnitRow<'_>) -> AppResult<Outcome> {
    let parent = r
        .parent_code
        .as_deref()
        .map(|c| by_code(target, c, "parentId"))
        .transpose()?;
    let host = r
        .host_code
        .as_deref()
        .map(|c| by_code(target, c, "hostUnitId"))
        .transpose()?;
    let text = |key: &str| r.cells.get(key).map(str::to_owned);
    // A code held out of sight is treated as free: the create then meets
    // the same CONFLICT that createOrgUnit gives, naming nobody.
    let Some(existing) = target.seen_holder(&r.code)? else {
        let input = write::NewUnit {
            parent_id: parent.as_ref().map(OrgUnit::unit_id),
            unit_type: r.unit_type,
            name: r.name.clone(),
            code: Some(r.code.clone()),
            org_form: r.org_form,
            host_unit_id: host.as_ref().map(OrgUnit::unit_id),
            team_category: r.team_category,
            founded_on: r.founded_on,
            service_station: text("service_station"),
            wechat_group: text("wechat_group"),
            notes: text("notes"),
            effective_on: None,
        };
        target.create(parent.as_ref(), input)?;
        return Ok(Outcome::Created);
    };
    let mut outcome = Outcome::Unchanged;
    match (&parent, existing.parent_id) {
        (Some(p), current) if current != Some(p.id) => {
            target.move_unit(&existing, p)?;
            outcome = Outcome::Updated;
        }
        (None, Some(_)) => {
            return Err(AppError::bad_input(
                "parentId",
                format!("{} has a parent; give its code", existing.name),
            ))
        }
        _ => {}
    }
    let set = |new: Option<String>, old: &Option<String>| match new {
        Some(v) if Some(&v) != old.as_ref() => Patch::Set(v),
        _ => Patch::Keep,
    };
    let patch = write::UnitPatch {
        unit_type: Some(r.unit_type).filter(|t| *t != existing.unit_type),
        name: Some(r.name.clone()).filter(|n| *n != existing.name),
        code: Patch::Keep,
        org_form: differs(r.org_form, existing.org_form),
        host_unit_id: match &host {
            Some(h) if existing.host_unit_id != Some(h.id) => Patch::Set(h.unit_id()),
            _ => Patch::Keep,
        },
        team_category: differs(r.team_category, existing.team_category),
        founded_on: match r.founded_on {
            Some(d) if existing.founded_on != Some(d) => Patch::Set(d),
            _ => Patch::Keep,
        },
        service_station: set(text("service_station"), &existing.service_station),
        wechat_group: set(text("wechat_group"), &existing.wechat_group),
        notes: set(text("notes"), &existing.notes),
        effective_on: None,
    };
    if patch.changes_something() {
        target.update(&existing, patch)?;
        outcome = Outcome::Updated;
    }
    Ok(outcome)
}

/// Applies every row; returns what was done and every problem found.
pub(super) fn apply(
    target: &mut impl UnitWrites,
    sheet: &Sheet,
) -> AppResult<(ImportReport, Vec<Problem>)> {
    let (at, mut problems, mut report) = super::begin(sheet, &LAYOUT);
    if !problems.is_empty() {
        return Ok((report, problems));
    }
    let mut rows = Vec::new();
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for row in &sheet.rows {
        let cells = Cells {
            row,
            at: &at,
            layout: &LAYOUT,
        };
        if let Some(r) = parse(cells, &mut problems) {
            if let Some(first) = first_row_of.get(&r.code) {
                problems.push(Problem::new(
                    row.number,
                    "code",
                    &r.code,
                    format!("the same code as row {first}"),
                ));
                continue;
            }
            first_row_of.insert(r.code.clone(), row.number);
            rows.push(r);
        }
    }
    // Parents first: a row waits while its parent is a code of this file
    // not applied yet.
    let mut applied: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<UnitRow<'_>> = rows;
    loop {
        let mut waiting = Vec::new();
        let before = pending.len();
        for r in pending {
            let blocked = r
                .parent_code
                .as_ref()
                .is_some_and(|p| first_row_of.contains_key(p) && !applied.contains(p));
            if blocked {
                waiting.push(r);
                continue;
            }
            match target.row(|t| apply_row(t, &r)) {
                Ok(outcome) => {
                    report.count(outcome);
                    applied.insert(r.code.clone());
                }
                Err(e) => problems.push(problem_of(&r.cells, &e, "code")),
            }
        }
        if waiting.is_empty() {
            break;
        }
        if waiting.len() == before {
            // Their parents failed, or they form a cycle.
            for r in &waiting {
                let parent = r.parent_code.clone().unwrap_or_default();
                problems.push(Problem::new(
                    r.cells.row.number,
                    "parent_code",
                    &parent,
                    format!(
                        "the parent {parent} (row {}) was not imported",
                        first_row_of.get(&parent).copied().unwrap_or_default()
                    ),
                ));
            }
            break;
        }
        pending = waiting;
    }
    Ok((report, problems))
}
