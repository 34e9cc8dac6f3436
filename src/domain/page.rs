//! Cursor pagination over units ordered by id (Relay's first/after and
//! last/before), with capped page sizes.

use crate::error::{AppError, AppResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// A validated page request: ids strictly after `after`, strictly before
/// `before`, at most `limit` of them, taken from the end when `from_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: usize,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub from_end: bool,
}

/// What a list of units can be sorted by (besides its default, creation
/// order). Text sorts by code point (UTF-8 byte order) on both backends,
/// not by pinyin; ties, and the default, go by creation (id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Name,
    Code,
    Level,
    Created,
    /// The coverage rate of the management units beneath a unit (from the
    /// counters; the key is in millionths, -1 with none beneath).
    CoverageRate,
}

impl SortField {
    pub fn as_str(self) -> &'static str {
        match self {
            SortField::Name => "NAME",
            SortField::Code => "CODE",
            SortField::Level => "LEVEL",
            SortField::Created => "CREATED",
            SortField::CoverageRate => "COVERAGE_RATE",
        }
    }
}

/// A sort order: a field and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub field: SortField,
    pub descending: bool,
}

impl Order {
    /// How a cursor names the order it belongs to, e.g. `NAME_DESC`.
    pub fn tag(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{}_{dir}", self.field.as_str())
    }

    /// The key of `row` under this order (the id breaks ties).
    pub fn key_of<T: SortKey>(&self, row: &T) -> String {
        row.sort_key(self.field)
    }
}

/// What a row of a sorted list is sorted by.
pub trait SortKey {
    /// The row's key for `field` (empty for creation order).
    fn sort_key(&self, field: SortField) -> String;
}

impl SortKey for crate::domain::OrgUnit {
    fn sort_key(&self, field: SortField) -> String {
        match field {
            SortField::Name => self.name.clone(),
            SortField::Code => self.code.clone().unwrap_or_default(),
            SortField::Level => self.level().number().to_string(),
            // Kept by the counters, not the row: read with the page
            // (`tree::read::rate_keys`).
            SortField::Created | SortField::CoverageRate => String::new(),
        }
    }
}

impl SortKey for crate::domain::people::Person {
    /// People sort by name or creation only.
    fn sort_key(&self, field: SortField) -> String {
        match field {
            SortField::Name => self.name.clone(),
            _ => String::new(),
        }
    }
}

/// A page in a sorted list: the order, and the sort keys of the rows the
/// cursors point at (`Page` holds their ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sorted {
    pub order: Order,
    pub after_key: Option<String>,
    pub before_key: Option<String>,
}

impl Sorted {
    /// Creation order (by id, ascending), the default of every list, past
    /// `page`'s cursors.
    pub fn by_creation(page: &Page) -> Sorted {
        Sorted {
            order: Order {
                field: SortField::Created,
                descending: false,
            },
            after_key: page.after.map(|_| String::new()),
            before_key: page.before.map(|_| String::new()),
        }
    }
}

/// One page of results with Relay's page info.
#[derive(Debug, Clone)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl Page {
    /// Checks `first`/`last` (0 to [`MAX_PAGE_SIZE`], not both) and takes the
    /// already-decoded cursors.
    pub fn new(
        first: Option<i32>,
        after: Option<i64>,
        last: Option<i32>,
        before: Option<i64>,
    ) -> AppResult<Page> {
        let size = |field: &str, n: i32| -> AppResult<usize> {
            usize::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_PAGE_SIZE)
                .ok_or_else(|| {
                    AppError::bad_input(
                        field,
                        format!("{field} must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
                    )
                })
        };
        let (limit, from_end) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "give either first or last, not both",
                ))
            }
            (Some(n), None) => (size("first", n)?, false),
            (None, Some(n)) => (size("last", n)?, true),
            (None, None) => (DEFAULT_PAGE_SIZE, false),
        };
        Ok(Page {
            limit,
            after,
            before,
            from_end,
        })
    }

    /// How many rows to fetch: one more than the page, to learn whether
    /// there is more.
    pub fn fetch_limit(&self) -> i64 {
        self.limit as i64 + 1
    }

    /// Turns the rows fetched (ascending when `!from_end`, descending when
    /// `from_end`, at most `fetch_limit`) into a page in ascending order.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> PageOf<T> {
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        if self.from_end {
            rows.reverse();
            PageOf {
                items: rows,
                has_previous_page: more,
                has_next_page: self.before.is_some(),
            }
        } else {
            PageOf {
                items: rows,
                has_previous_page: self.after.is_some(),
                has_next_page: more,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_caps() {
        assert_eq!(Page::new(None, None, None, None).unwrap().limit, 20);
        assert!(Page::new(Some(101), None, None, None).is_err());
        assert!(Page::new(Some(-1), None, None, None).is_err());
        assert!(Page::new(Some(1), None, Some(1), None).is_err());
        let err = Page::new(None, None, Some(500), None).unwrap_err();
        assert_eq!(err.field(), Some("last"));
    }

    #[test]
    fn finish_reports_more_pages() {
        let p = Page::new(Some(2), Some(10), None, None).unwrap();
        let page = p.finish(vec![11, 12, 13]);
        assert_eq!(page.items, vec![11, 12]);
        assert!(page.has_next_page && page.has_previous_page);

        let p = Page::new(None, None, Some(2), Some(20)).unwrap();
        let page = p.finish(vec![19, 18, 17]);
        assert_eq!(page.items, vec![18, 19]);
        assert!(page.has_previous_page && page.has_next_page);

        let page = p.finish(vec![19]);
        assert_eq!(page.items, vec![19]);
        assert!(!page.has_previous_page);
    }
}
