//! The rules of the domain, with no I/O: the tree's vocabulary, a unit,
//! the write rules and pagination.

pub mod coverage;
pub mod history;
mod kinds;
pub mod ledger;
mod org_unit;
mod page;
pub mod people;
pub mod period;
pub mod points;
pub mod rules;
pub mod service;
pub mod staffing;
pub mod text;

pub use kinds::{Level, OrgForm, TeamCategory, UnitStatus, UnitType, UnknownValue};
pub use org_unit::{Ancestry, OrgUnit};
pub use page::{Order, Page, PageOf, SortField, SortKey, Sorted, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// A change to an optional field: keep it, clear it, or set it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// Leaves the value as it is.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// The new value, given the current one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(v) => Some(v),
        }
    }
}
