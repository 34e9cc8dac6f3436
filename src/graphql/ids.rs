//! Opaque global ids (`Node.id`) and page cursors.

use async_graphql::connection::CursorType;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{AppError, AppResult};

/// The entity types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OrgUnit,
    Account,
    Grant,
    AuditEntry,
    Person,
    Position,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::OrgUnit => "OrgUnit",
            Kind::Account => "Account",
            Kind::Grant => "Grant",
            Kind::AuditEntry => "AuditEntry",
            Kind::Person => "Person",
            Kind::Position => "Position",
        }
    }
}

/// `OrgUnit:42` → an opaque, URL-safe id.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_str())))
}

/// Any global id, or `BAD_USER_INPUT` naming `field`.
pub fn decode_any(id: &ID, field: &str) -> AppResult<(Kind, i64)> {
    let bad = || AppError::bad_input(field, format!("{field} is not a valid id"));
    let raw = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (kind, n) = text.split_once(':').ok_or_else(bad)?;
    let kind = match kind {
        "OrgUnit" => Kind::OrgUnit,
        "Account" => Kind::Account,
        "Grant" => Kind::Grant,
        "AuditEntry" => Kind::AuditEntry,
        "Person" => Kind::Person,
        "Position" => Kind::Position,
        _ => return Err(bad()),
    };
    Ok((kind, n.parse().map_err(|_| bad())?))
}

/// A global id that must be of `kind`.
pub fn decode(id: &ID, kind: Kind, field: &str) -> AppResult<i64> {
    match decode_any(id, field)? {
        (k, n) if k == kind => Ok(n),
        _ => Err(AppError::bad_input(
            field,
            format!("{field} is not the id of a {}", kind.as_str()),
        )),
    }
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
