//! Access: who is asking, and what they may see and do (docs/design.md §3).
//!
//! Every read goes through a [`Visibility`] (applied inside the SQL of
//! every list and count, and to every unit loaded by id), and every write
//! through [`Viewer::authorize`], which asks the pure [`policy`].

mod matrix;
pub mod password;
pub mod policy;
mod rules;
pub mod token;

use std::sync::Arc;

use self::policy::{decide, sight, ActionKind, Decision, Grant, Position, Scope, Sight, UnitRef};
use crate::domain::OrgUnit;
use crate::error::{AppError, AppResult};

/// The part of the tree a viewer may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// The whole region.
    Everything,
    /// These units and their subtrees (and, as breadcrumbs only, their ancestors).
    Units(Arc<[UnitRef]>),
    /// Nothing at all (anonymous callers).
    Nothing,
}

impl Visibility {
    /// How much of `unit` is visible.
    pub fn sight(&self, unit: &OrgUnit) -> Sight {
        self.sight_of(&UnitRef::from(unit))
    }

    /// [`Visibility::sight`] of a unit known by its place only.
    pub fn sight_of(&self, unit: &UnitRef) -> Sight {
        match self {
            Visibility::Everything => Sight::Full,
            Visibility::Nothing => Sight::None,
            Visibility::Units(scopes) => sight(scopes.iter().map(|s| Scope::Unit(*s)), unit),
        }
    }

    /// Whether the whole of `scope` is visible (to list grants and accounts at it).
    pub fn sees_scope(&self, scope: &Scope) -> bool {
        match (self, scope) {
            (Visibility::Everything, _) => true,
            (Visibility::Nothing, _) | (Visibility::Units(_), Scope::Region) => false,
            (Visibility::Units(scopes), Scope::Unit(u)) => scopes.iter().any(|s| {
                matches!(
                    policy::position(&Scope::Unit(*s), Some(u)),
                    Position::Itself | Position::Inside
                )
            }),
        }
    }

    /// Whether `unit` is visible at all (fully, or as a breadcrumb).
    pub fn can_see(&self, unit: &OrgUnit) -> bool {
        self.sight(unit) != Sight::None
    }
}

/// The scope units that no other scope unit contains, each once: several
/// grants are a union of sets, so a unit under two grants (two at the same
/// unit, or one inside another's subtree) is counted once in every list
/// and aggregate.
pub fn outermost(units: impl IntoIterator<Item = UnitRef>) -> Vec<UnitRef> {
    let all: Vec<UnitRef> = units.into_iter().collect();
    let mut kept: Vec<UnitRef> = Vec::with_capacity(all.len());
    for u in &all {
        let covered = all
            .iter()
            .any(|o| o.id != u.id && u.ancestry.contains(o.id));
        if !covered && !kept.iter().any(|k| k.id == u.id) {
            kept.push(*u);
        }
    }
    kept
}

/// A signed-in account and what it holds.
#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: i64,
    pub username: String,
    pub grants: Vec<Grant>,
    /// Access tokens issued before this (milliseconds) are void.
    pub tokens_valid_after_ms: i64,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// No token: may only sign in (and introspect, where allowed).
    Anonymous,
    /// A signed-in account.
    Account(Arc<Session>),
    /// The server itself (CLI, demo loader, benchmarks): everything.
    System,
}

/// What a write wants to do, and to which unit(s).
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Create a unit under `parent` (`None` for a township).
    CreateUnder(Option<&'a OrgUnit>),
    /// Edit descriptive fields only, or (`structure`) also code, type, form, host.
    Edit {
        unit: &'a OrgUnit,
        structure: bool,
    },
    Move {
        unit: &'a OrgUnit,
        new_parent: &'a OrgUnit,
    },
    Dissolve(&'a OrgUnit),
    Restore(&'a OrgUnit),
}

impl Viewer {
    pub fn visibility(&self) -> Visibility {
        match self {
            Viewer::System => Visibility::Everything,
            Viewer::Anonymous => Visibility::Nothing,
            Viewer::Account(s) => {
                if s.grants.iter().any(|g| g.scope == Scope::Region) {
                    return Visibility::Everything;
                }
                let units = outermost(s.grants.iter().filter_map(|g| match g.scope {
                    Scope::Unit(u) => Some(u),
                    Scope::Region => None,
                }));
                if units.is_empty() {
                    Visibility::Nothing
                } else {
                    Visibility::Units(units.into())
                }
            }
        }
    }

    /// The grants the policy weighs (the system acts as an ADMIN of the region).
    pub fn grants(&self) -> Vec<Grant> {
        match self {
            Viewer::System => vec![Grant {
                id: 0,
                role: policy::Role::Admin,
                scope: Scope::Region,
            }],
            Viewer::Anonymous => Vec::new(),
            Viewer::Account(s) => s.grants.clone(),
        }
    }

    pub fn account_id(&self) -> Option<i64> {
        match self {
            Viewer::Account(s) => Some(s.account_id),
            _ => None,
        }
    }

    /// Whether the viewer sees the birth dates of everyone in `under` (or,
    /// without it, in its whole sight): it may manage people there. Anyone
    /// else gets masked dates, and aggregates over them in whole years.
    pub fn sees_birth_dates(&self, under: Option<&UnitRef>) -> bool {
        let grants = self.grants();
        let manages = |target: Option<&UnitRef>| {
            decide(&grants, ActionKind::ManagePeople, target) == Decision::Allow
        };
        match (under, self.visibility()) {
            (Some(u), _) => manages(Some(u)),
            (None, Visibility::Everything) => manages(None),
            (None, Visibility::Units(scopes)) => scopes.iter().all(|s| manages(Some(s))),
            (None, Visibility::Nothing) => false,
        }
    }

    /// Signed in (or the system), or `UNAUTHENTICATED`.
    pub fn require_signed_in(&self) -> AppResult<()> {
        match self {
            Viewer::Anonymous => Err(AppError::Unauthenticated),
            _ => Ok(()),
        }
    }

    /// Decides one policy question, turning a refusal into `FORBIDDEN` or,
    /// for what the viewer cannot see, `NOT_FOUND` naming `field`.
    pub fn check(
        &self,
        action: ActionKind,
        target: Option<&OrgUnit>,
        field: &str,
    ) -> AppResult<()> {
        self.require_signed_in()?;
        let target = target.map(UnitRef::from);
        decide(&self.grants(), action, target.as_ref())
            .answer(action.describe(), || AppError::unit_not_found(field))
    }

    /// Decides a write; resolvers never decide on their own.
    pub fn authorize(&self, action: Action<'_>) -> AppResult<()> {
        match action {
            Action::CreateUnder(parent) => self.check(ActionKind::CreateUnder, parent, "parentId"),
            Action::Edit { unit, structure } => {
                let kind = if structure {
                    ActionKind::EditStructure
                } else {
                    ActionKind::EditDescriptive
                };
                self.check(kind, Some(unit), "id")
            }
            Action::Move { unit, new_parent } => {
                self.check(ActionKind::Move, Some(unit), "id")?;
                self.check(ActionKind::CreateUnder, Some(new_parent), "newParentId")
            }
            Action::Dissolve(unit) | Action::Restore(unit) => {
                self.check(ActionKind::Dissolve, Some(unit), "id")
            }
        }
    }
}
