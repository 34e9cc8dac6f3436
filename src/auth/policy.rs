//! The access policy (docs/design.md §3) as pure functions: from a viewer's
//! grants and where the target sits, allow, refuse (`FORBIDDEN`), or hide
//! (`NOT_FOUND`). Resolvers ask; they never decide on their own.

use crate::domain::{Ancestry, Level, OrgUnit};
use crate::error::{AppError, AppResult};

pub use super::matrix::matrix_markdown;

/// What a grant lets an account do; each role includes the ones before it.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// 查看: read everything in scope; sensitive person fields come back masked.
    Viewer,
    /// 管理: also keep the tree strictly below the scope unit, edit the scope
    /// unit's descriptive fields, and manage people in scope.
    Manager,
    /// 管理员: also manage accounts and grants inside the scope, and read
    /// its audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "VIEWER",
            Role::Manager => "MANAGER",
            Role::Admin => "ADMIN",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "查看",
            Role::Manager => "管理",
            Role::Admin => "管理员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A unit as the policy needs it: its id, level and ancestors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef {
    pub id: i64,
    pub level: Level,
    pub ancestry: Ancestry,
}

impl From<&OrgUnit> for UnitRef {
    fn from(u: &OrgUnit) -> Self {
        UnitRef {
            id: u.id,
            level: u.level(),
            ancestry: u.ancestry,
        }
    }
}

/// The part of the tree a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole region (the county organization department).
    Region,
    /// One unit and its whole subtree.
    Unit(UnitRef),
}

/// A role at a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub id: i64,
    pub role: Role,
    pub scope: Scope,
}

/// Where a target sits relative to a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// The scope itself (for the region: the region's root, where townships are created).
    Itself,
    /// Strictly below the scope unit (every unit, for the region).
    Inside,
    /// Above the scope unit: visible as a breadcrumb only.
    Ancestor,
    /// Anywhere else.
    Outside,
}

/// Something a target can be: a unit, or the region's root (no unit).
pub type Target<'a> = Option<&'a UnitRef>;

pub fn position(scope: &Scope, target: Target<'_>) -> Position {
    match (scope, target) {
        (Scope::Region, None) => Position::Itself,
        (Scope::Region, Some(_)) => Position::Inside,
        (Scope::Unit(_), None) => Position::Ancestor,
        (Scope::Unit(s), Some(t)) if s.id == t.id => Position::Itself,
        (Scope::Unit(s), Some(t)) if t.ancestry.contains(s.id) => Position::Inside,
        (Scope::Unit(s), Some(t)) if s.ancestry.contains(t.id) => Position::Ancestor,
        (Scope::Unit(_), Some(_)) => Position::Outside,
    }
}

/// The kinds of action the policy decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Read,
    /// Create a unit under the target (the region root: a township).
    CreateUnder,
    /// Name, founding date, service station, WeChat group, notes.
    EditDescriptive,
    /// Code, type, organization form, host.
    EditStructure,
    /// Move the target (the new parent is checked as `CreateUnder`).
    Move,
    /// Dissolve or restore the target.
    Dissolve,
    ManagePeople,
    /// Grant or revoke roles at the target, manage its accounts.
    ManageGrants,
    ReadAudit,
    /// Propose, adopt or withdraw a points list owned by the target.
    ManagePointsLists,
    /// Record points for a household of the target (a building group).
    RecordPoints,
    /// Record service activities, trainings and cadres' duties held by or
    /// concerning the target.
    RecordService,
    /// Report residents' problems in the target (a grid) and move them
    /// along their status flow.
    HandleProblems,
    /// Record the target's (a village's) collective income.
    RecordEconomy,
    /// Set the region's income brackets and problem deadlines (the target
    /// is the region).
    ConfigureRegion,
}

impl ActionKind {
    /// What the action does, for refusals ("your grants do not allow you to …").
    pub fn describe(self) -> &'static str {
        match self {
            ActionKind::Read => "read that",
            ActionKind::CreateUnder => "create a unit there",
            ActionKind::EditDescriptive => "edit that unit",
            ActionKind::EditStructure => "change that unit's structure",
            ActionKind::Move => "move that unit",
            ActionKind::Dissolve => "dissolve or restore that unit",
            ActionKind::ManagePeople => "manage people there",
            ActionKind::ManageGrants => "manage grants there",
            ActionKind::ReadAudit => "read that audit log",
            ActionKind::ManagePointsLists => "manage the points lists there",
            ActionKind::RecordPoints => "record points there",
            ActionKind::RecordService => "record service and duties there",
            ActionKind::HandleProblems => "handle residents' problems there",
            ActionKind::RecordEconomy => "record the village economy there",
            ActionKind::ConfigureRegion => "configure the region",
        }
    }
}

pub use super::rules::{Rule, RULES};

/// Townships are created, moved and dissolved by an ADMIN of the region only.
fn township_reserved(action: ActionKind, target: Target<'_>) -> bool {
    match action {
        ActionKind::CreateUnder => target.is_none(),
        ActionKind::Move | ActionKind::Dissolve => {
            target.is_some_and(|t| t.level == Level::Township)
        }
        _ => false,
    }
}

/// Whether one grant allows `action` on `target`.
pub fn grant_allows(grant: &Grant, action: ActionKind, target: Target<'_>) -> bool {
    let Some(rule) = RULES.iter().find(|r| r.action == action) else {
        return false;
    };
    if grant.role < rule.min_role || !rule.positions.contains(&position(&grant.scope, target)) {
        return false;
    }
    if let Some(from) = rule.scope_from {
        match grant.scope {
            Scope::Unit(u) if u.level.number() >= from.number() => {}
            _ => return false,
        }
    }
    if township_reserved(action, target) {
        return grant.scope == Scope::Region && grant.role == Role::Admin;
    }
    true
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The target is visible, the action is not allowed.
    Forbidden,
    /// The target is not visible: answer as if it did not exist.
    Hidden,
}

impl Decision {
    /// The one translation of a decision into an answer: `Forbidden` says
    /// the grants do not allow `what` (FORBIDDEN); `Hidden` gives exactly
    /// the error of a target that does not exist (`missing`, NOT_FOUND).
    pub fn answer(self, what: &str, missing: impl FnOnce() -> AppError) -> AppResult<()> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(AppError::Forbidden(format!(
                "your grants do not allow you to {what}"
            ))),
            Decision::Hidden => Err(missing()),
        }
    }
}

/// Decides `action` on `target` for a viewer holding `grants` (the union of
/// what they allow).
pub fn decide(grants: &[Grant], action: ActionKind, target: Target<'_>) -> Decision {
    if grants.iter().any(|g| grant_allows(g, action, target)) {
        Decision::Allow
    } else if target.is_none()
        || grants
            .iter()
            .any(|g| grant_allows(g, ActionKind::Read, target))
    {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// How much of a unit a viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    Full,
    /// Only id, name, level and unit type: an ancestor of a scope unit.
    Breadcrumb,
    None,
}

/// How much of `unit` the holder of grants at `scopes` sees (the union).
pub fn sight(scopes: impl IntoIterator<Item = Scope>, unit: &UnitRef) -> Sight {
    let mut best = Sight::None;
    for p in scopes.into_iter().map(|s| position(&s, Some(unit))) {
        match p {
            Position::Itself | Position::Inside => return Sight::Full,
            Position::Ancestor => best = Sight::Breadcrumb,
            Position::Outside => {}
        }
    }
    best
}

/// Whether an account holding `grants` may grant `role` at `scope`: an
/// ADMIN whose scope holds `scope`, never above its own role (ADMIN is the
/// top role, so an ADMIN may grant any).
pub fn may_grant(grants: &[Grant], role: Role, scope: &Scope) -> Decision {
    let target = match scope {
        Scope::Region => None,
        Scope::Unit(u) => Some(u),
    };
    if grants
        .iter()
        .any(|g| g.role >= role && grant_allows(g, ActionKind::ManageGrants, target))
    {
        return Decision::Allow;
    }
    match decide(grants, ActionKind::Read, target) {
        Decision::Hidden => Decision::Hidden,
        _ => Decision::Forbidden,
    }
}

/// Where `grants` may give and take grants of any role, as scopes: `None`
/// for everywhere (a region ADMIN), else the scope units at and beneath
/// which [`may_grant`] allows. The set form of `may_grant`, for lists
/// narrowed in SQL.
pub fn grant_scopes(grants: &[Grant]) -> Option<Vec<UnitRef>> {
    let managing: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.role == Role::Admin)
        .filter(|g| {
            let own = match &g.scope {
                Scope::Region => None,
                Scope::Unit(u) => Some(u),
            };
            grant_allows(g, ActionKind::ManageGrants, own)
        })
        .collect();
    if managing.iter().any(|g| g.scope == Scope::Region) {
        return None;
    }
    Some(
        managing
            .into_iter()
            .filter_map(|g| match &g.scope {
                Scope::Unit(u) => Some(*u),
                Scope::Region => None,
            })
            .collect(),
    )
}
