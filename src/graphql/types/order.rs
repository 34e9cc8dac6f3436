//! `orderBy` of lists: `OrgUnitOrder`, `PersonOrder`.

use async_graphql::{Enum, InputObject};

use crate::domain::{Order, SortField};

/// What a list of units can be sorted by. Names and codes sort by code
/// point (the same on SQLite and PostgreSQL; not by pinyin); ties go by
/// creation.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrgUnitSortField {
    /// 名称: the name.
    Name,
    /// 代码: the code (units without one first).
    Code,
    /// 层级: the level, township first.
    Level,
    /// 创建时间: when the unit was created (the default order).
    Created,
    /// 覆盖率: the coverage rate of the management units beneath the unit
    /// (as `coverage(under:)` counts it; units with none beneath first).
    CoverageRate,
}

/// Ascending or descending.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// 升序: smallest first.
    #[default]
    Asc,
    /// 降序: largest first.
    Desc,
}

/// A sort order for a list of units; its cursors belong to it (a cursor of
/// another order is `BAD_USER_INPUT`).
#[derive(InputObject, Copy, Clone, Debug)]
pub struct OrgUnitOrder {
    /// The field to sort by.
    pub field: OrgUnitSortField,
    /// The direction (default ascending).
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<OrgUnitOrder> for Order {
    fn from(o: OrgUnitOrder) -> Order {
        Order {
            field: match o.field {
                OrgUnitSortField::Name => SortField::Name,
                OrgUnitSortField::Code => SortField::Code,
                OrgUnitSortField::Level => SortField::Level,
                OrgUnitSortField::Created => SortField::Created,
                OrgUnitSortField::CoverageRate => SortField::CoverageRate,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// What a list of people can be sorted by (names by code point; ties by
/// creation).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PersonSortField {
    /// 姓名: the name.
    Name,
    /// 录入时间: when the person was entered (the default order).
    Created,
}

/// A sort order for a list of people; its cursors belong to it.
#[derive(InputObject, Copy, Clone, Debug)]
pub struct PersonOrder {
    /// The field to sort by.
    pub field: PersonSortField,
    /// The direction (default ascending).
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<PersonOrder> for Order {
    fn from(o: PersonOrder) -> Order {
        Order {
            field: match o.field {
                PersonSortField::Name => SortField::Name,
                PersonSortField::Created => SortField::Created,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}
