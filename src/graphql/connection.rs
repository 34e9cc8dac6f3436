//! The one Relay connection: every paged list (units, people, accounts,
//! grants, audit lines) is a [`ConnectionOf`] its node type, with cursors
//! typed by that type, so a cursor of one list is refused by another, in
//! Rust and on the wire.

use std::marker::PhantomData;

use std::borrow::Cow;

use async_graphql::connection::{CursorType, Edge, EmptyFields, PageInfo};
use async_graphql::{Object, ObjectType, OutputType, TypeName};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::domain::{Order, Page, PageOf, Sorted};
use crate::error::{AppError, AppResult};

/// A GraphQL node type that lists page through, ordered by its rows' ids.
pub trait Listed: OutputType + Sized {
    /// What the service layer hands back.
    type Row;
    /// The name a cursor of this list carries.
    const NAME: &'static str;
    /// The row's id: its position in the list.
    fn id(row: &Self::Row) -> i64;
    fn wrap(row: Self::Row) -> Self;
}

/// Makes a node type `Listed`: `listed!(Type, Row, "Name")` for a
/// newtype `Type(Row)` whose rows have an `id` field.
macro_rules! listed {
    ($node:ident, $row:ty, $name:literal) => {
        impl $crate::graphql::connection::Listed for $node {
            type Row = $row;
            const NAME: &'static str = $name;
            fn id(row: &Self::Row) -> i64 {
                row.id
            }
            fn wrap(row: Self::Row) -> Self {
                $node(row)
            }
        }
    };
}
pub(crate) use listed;

/// Declares the list-wide fields of a page of grassroots work's records
/// (`crate::service::store`'s `$module`): `within_totals!(Name, module,
/// "type doc", "totalCount doc")`.
macro_rules! within_totals {
    ($name:ident, $module:ident, $doc:literal, $count_doc:literal) => {
        #[doc = $doc]
        pub struct $name {
            pub within: $crate::service::store::Within,
        }

        #[async_graphql::Object]
        impl $name {
            #[doc = $count_doc]
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i64> {
                use $crate::graphql::context::ContextExt;
                let (within, visibility) = (self.within, ctx.visibility());
                Ok(ctx
                    .db()
                    .read(move |c| $crate::service::store::$module::count(c, &visibility, within))
                    .await?)
            }
        }
    };
}
pub(crate) use within_totals;

/// The position of a row in a list of `T`: its id, and in a sorted list
/// the order's tag and the row's sort key (`T:id` or `T:id:TAG:key`).
pub struct Cursor<T> {
    pub id: i64,
    pub sort: Option<(String, String)>,
    of: PhantomData<fn() -> T>,
}

impl<T> Cursor<T> {
    pub fn new(id: i64) -> Self {
        Cursor {
            id,
            sort: None,
            of: PhantomData,
        }
    }
}

impl<T: Listed> CursorType for Cursor<T> {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let rest = text
            .strip_prefix(T::NAME)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or_else(bad)?;
        let (id, sort) = match rest.split_once(':') {
            None => (rest, None),
            Some((id, sorted)) => {
                let (tag, key) = sorted.split_once(':').ok_or_else(bad)?;
                (id, Some((tag.to_owned(), key.to_owned())))
            }
        };
        Ok(Cursor {
            id: id.parse().map_err(|_| bad())?,
            sort,
            of: PhantomData,
        })
    }

    fn encode_cursor(&self) -> String {
        let text = match &self.sort {
            None => format!("{}:{}", T::NAME, self.id),
            Some((tag, key)) => format!("{}:{}:{tag}:{key}", T::NAME, self.id),
        };
        URL_SAFE_NO_PAD.encode(text)
    }
}

/// A page of `T`, with `Totals` as its list-wide fields: async-graphql's
/// connection, with a description of its own (`XConnection` types have
/// none there).
pub struct ConnectionOf<T: Listed, Totals> {
    edges: Vec<Edge<Cursor<T>, T, EmptyFields>>,
    has_previous_page: bool,
    has_next_page: bool,
    totals: Totals,
}

/// A page of a list (Relay connection): its `edges` with their cursors, or
/// just its `nodes`; `pageInfo` to walk on from either end; and the list's
/// totals (`totalCount`, computed only when asked for).
#[Object(name_type)]
impl<T, Totals> ConnectionOf<T, Totals>
where
    T: Listed,
    Totals: ObjectType,
{
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|e| e.cursor.encode_cursor()),
            end_cursor: self.edges.last().map(|e| e.cursor.encode_cursor()),
        }
    }

    /// A list of edges.
    async fn edges(&self) -> &[Edge<Cursor<T>, T, EmptyFields>] {
        &self.edges
    }

    /// A list of nodes.
    async fn nodes(&self) -> Vec<&T> {
        self.edges.iter().map(|e| &e.node).collect()
    }

    #[graphql(flatten)]
    async fn totals(&self) -> &Totals {
        &self.totals
    }
}

impl<T: Listed, Totals: ObjectType> TypeName for ConnectionOf<T, Totals> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::type_name()).into()
    }
}

/// Relay's paging arguments, as every list takes them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// The four arguments as a list field takes them.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> PageArgs {
        PageArgs {
            first,
            after,
            last,
            before,
        }
    }

    /// Forward only (`first`/`after`).
    pub fn forward(first: Option<i32>, after: Option<String>) -> PageArgs {
        PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
    }

    /// The page these arguments ask of a list of `T`; `BAD_USER_INPUT` on
    /// the argument at fault (a size out of range, a cursor of another list).
    pub fn page<T: Listed>(&self) -> AppResult<Page> {
        Page::new(
            self.first,
            cursor_id::<T>(self.after.as_deref(), "after")?,
            self.last,
            cursor_id::<T>(self.before.as_deref(), "before")?,
        )
    }

    /// The page these arguments ask of a list of `T` sorted by `order`
    /// (`None`: creation order): a cursor must come from the same list in
    /// the same order.
    pub fn sorted_page<T: Listed>(
        &self,
        order: Option<Order>,
    ) -> AppResult<(Page, Option<Sorted>)> {
        let Some(order) = order else {
            return Ok((self.page::<T>()?, None));
        };
        let tag = order.tag();
        let at = |cursor: Option<&str>, field: &str| -> AppResult<Option<(i64, String)>> {
            let Some(c) = cursor else { return Ok(None) };
            let wrong = || {
                AppError::bad_input(
                    field,
                    format!("{field} is not a cursor of this list in this order"),
                )
            };
            let c = Cursor::<T>::decode_cursor(c).map_err(|_| wrong())?;
            match c.sort {
                Some((t, key)) if t == tag => Ok(Some((c.id, key))),
                _ => Err(wrong()),
            }
        };
        let after = at(self.after.as_deref(), "after")?;
        let before = at(self.before.as_deref(), "before")?;
        let page = Page::new(
            self.first,
            after.as_ref().map(|a| a.0),
            self.last,
            before.as_ref().map(|b| b.0),
        )?;
        let sorted = Sorted {
            order,
            after_key: after.map(|a| a.1),
            before_key: before.map(|b| b.1),
        };
        Ok((page, Some(sorted)))
    }
}

/// The id a cursor argument of a list of `T` (in creation order) points at.
pub fn cursor_id<T: Listed>(cursor: Option<&str>, field: &str) -> AppResult<Option<i64>> {
    cursor
        .map(|c| match Cursor::<T>::decode_cursor(c) {
            Ok(Cursor { id, sort: None, .. }) => Ok(id),
            _ => Err(AppError::bad_input(
                field,
                format!("{field} is not a cursor of this list"),
            )),
        })
        .transpose()
}

/// Wraps a loaded page as a connection.
pub fn connection<T, Totals>(page: PageOf<T::Row>, totals: Totals) -> ConnectionOf<T, Totals>
where
    T: Listed,
    Totals: ObjectType,
{
    sorted_connection(page, totals, |_| None)
}

/// Wraps a loaded page of a sorted list: `sort` gives each row's order tag
/// and sort key, for its cursor.
pub fn sorted_connection<T, Totals>(
    page: PageOf<T::Row>,
    totals: Totals,
    sort: impl Fn(&T::Row) -> Option<(String, String)>,
) -> ConnectionOf<T, Totals>
where
    T: Listed,
    Totals: ObjectType,
{
    ConnectionOf {
        edges: page
            .items
            .into_iter()
            .map(|row| {
                let cursor = Cursor {
                    id: T::id(&row),
                    sort: sort(&row),
                    of: PhantomData,
                };
                Edge::new(cursor, T::wrap(row))
            })
            .collect(),
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::types::account::Account;
    use crate::graphql::types::org_unit::OrgUnit;

    #[test]
    fn cursors_belong_to_their_list() {
        let c = Cursor::<OrgUnit>::new(7).encode_cursor();
        assert_eq!(cursor_id::<OrgUnit>(Some(&c), "after").unwrap(), Some(7));
        let err = cursor_id::<Account>(Some(&c), "before").unwrap_err();
        assert_eq!(err.field(), Some("before"));
        assert!(cursor_id::<OrgUnit>(Some("zz"), "after").is_err());
        assert_eq!(cursor_id::<OrgUnit>(None, "after").unwrap(), None);
    }
}
