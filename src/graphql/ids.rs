//! Global ids as GraphQL `ID`s (the encoding is `crate::ids`), and page
//! cursors.

use async_graphql::connection::CursorType;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{AppError, AppResult};

pub use crate::ids::Kind;

/// `OrgUnit:42` → an opaque, URL-safe id.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(crate::ids::encode(kind, id))
}

/// Any global id, or `BAD_USER_INPUT` naming `field`.
pub fn decode_any(id: &ID, field: &str) -> AppResult<(Kind, i64)> {
    crate::ids::decode_any(id.as_str(), field)
}

/// A global id that must be of `kind`.
pub fn decode(id: &ID, kind: Kind, field: &str) -> AppResult<i64> {
    crate::ids::decode(id.as_str(), kind, field)
}

/// The position of a unit in an id-ordered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitCursor(pub i64);

impl CursorType for UnitCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let n = text.strip_prefix("c:").ok_or_else(bad)?;
        Ok(UnitCursor(n.parse().map_err(|_| bad())?))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}", self.0))
    }
}

/// A cursor argument, or `BAD_USER_INPUT` naming `field`.
pub fn decode_cursor(cursor: Option<&str>, field: &str) -> AppResult<Option<i64>> {
    cursor
        .map(|c| {
            UnitCursor::decode_cursor(c).map(|c| c.0).map_err(|_| {
                AppError::bad_input(field, format!("{field} is not a cursor of this list"))
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = encode(Kind::OrgUnit, 42);
        assert_eq!(decode(&id, Kind::OrgUnit, "id").unwrap(), 42);
        assert!(decode(&ID("nope".into()), Kind::OrgUnit, "id").is_err());
        let c = UnitCursor(7).encode_cursor();
        assert_eq!(decode_cursor(Some(&c), "after").unwrap(), Some(7));
        let err = decode_cursor(Some("zz"), "before").unwrap_err();
        assert_eq!(err.field(), Some("before"));
    }
}
