//! Access: who is asking, and what they may see and do (DESIGN.md §3).
//!
//! Every read goes through a [`Visibility`] (applied inside the SQL of
//! every list and count, and to every unit loaded by id), and every write
//! through [`Viewer::authorize`]. Accounts, tokens and grants are the next
//! capability; until then the API is open, which is why `serve` binds to
//! 127.0.0.1 unless told otherwise.

use crate::domain::OrgUnit;
use crate::error::AppResult;

/// The part of the tree a viewer may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// The whole region.
    Everything,
}

impl Visibility {
    /// Whether `unit` is readable.
    pub fn can_see(&self, _unit: &OrgUnit) -> bool {
        match self {
            Visibility::Everything => true,
        }
    }
}

/// What a write wants to do, and to which unit.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Create a unit under `parent` (`None` for a township).
    CreateUnder(Option<&'a OrgUnit>),
    Edit(&'a OrgUnit),
    Move {
        unit: &'a OrgUnit,
        new_parent: &'a OrgUnit,
    },
    Dissolve(&'a OrgUnit),
    Restore(&'a OrgUnit),
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// No sign-in exists yet: the open API of a loopback-bound server.
    Open,
}

impl Viewer {
    pub fn visibility(&self) -> Visibility {
        match self {
            Viewer::Open => Visibility::Everything,
        }
    }

    /// Decides a write; resolvers never decide on their own.
    pub fn authorize(&self, action: Action<'_>) -> AppResult<()> {
        match (self, action) {
            (Viewer::Open, _) => Ok(()),
        }
    }
}
