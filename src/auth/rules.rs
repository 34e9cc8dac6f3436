//! The permission matrix: which role may do what, where. `policy::decide`
//! reads it; the README shows it (`matrix_markdown`); the access tests are
//! generated from it.

use super::policy::{ActionKind, Position, Role};
use crate::domain::Level;

/// One line of the permission matrix.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub action: ActionKind,
    pub description: &'static str,
    pub min_role: Role,
    pub positions: &'static [Position],
    /// When set, only a grant whose scope is a unit of this level or deeper
    /// allows it (not the region's, nor a unit's above that level).
    pub scope_from: Option<Level>,
}

use Position::{Inside, Itself};

/// The permission matrix. `decide` reads it; the README shows it
/// (`matrix_markdown`); the access tests are generated from it.
pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Read,
        description: "read units, lists, counts and aggregates",
        min_role: Role::Viewer,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::CreateUnder,
        description: "create a unit under the target",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::EditDescriptive,
        description: "edit name, founding date, service station, WeChat group, notes",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::EditStructure,
        description: "edit code, unit type, organization form, host",
        min_role: Role::Manager,
        positions: &[Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::Move,
        description: "move the target (its new parent as for create)",
        min_role: Role::Manager,
        positions: &[Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::Dissolve,
        description: "dissolve or restore the target",
        min_role: Role::Manager,
        positions: &[Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::ManagePeople,
        description: "manage people, positions and records",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::ManageGrants,
        description: "manage accounts and grants (never above one's own role)",
        min_role: Role::Admin,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::ReadAudit,
        description: "read the audit log",
        min_role: Role::Admin,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::ManagePointsLists,
        description: "propose, adopt or withdraw the target's points list",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::RecordPoints,
        description: "record and reverse points, and redemptions, of a household",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: Some(Level::Village),
    },
    Rule {
        action: ActionKind::RecordService,
        description: "record service activities, trainings and cadres' duty logs",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::HandleProblems,
        description: "report residents' problems and move them along their status flow",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::RecordEconomy,
        description: "record a village's collective income",
        min_role: Role::Manager,
        positions: &[Itself, Inside],
        scope_from: None,
    },
    Rule {
        action: ActionKind::ConfigureRegion,
        description: "set the region's income brackets and problem deadlines",
        min_role: Role::Admin,
        positions: &[Itself],
        scope_from: None,
    },
];
