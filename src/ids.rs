//! Global ids: `OrgUnit:42` written as opaque URL-safe base64, the same in
//! the API (`Node.id`), in audit lines and in reports. Below every layer
//! that uses them; `graphql::ids` wraps them as GraphQL `ID`s.

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
    const ALL: [Kind; 6] = [
        Kind::OrgUnit,
        Kind::Account,
        Kind::Grant,
        Kind::AuditEntry,
        Kind::Person,
        Kind::Position,
    ];

    /// The GraphQL type name the id belongs to.
    pub fn as_str(self) -> &'static str {
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
pub fn encode(kind: Kind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_str()))
}

/// Any global id, or `BAD_USER_INPUT` naming `field`.
pub fn decode_any(text: &str, field: &str) -> AppResult<(Kind, i64)> {
    let bad = || AppError::bad_input(field, format!("{field} is not a valid id"));
    let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let plain = String::from_utf8(raw).map_err(|_| bad())?;
    let (name, n) = plain.split_once(':').ok_or_else(bad)?;
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(bad)?;
    Ok((kind, n.parse().map_err(|_| bad())?))
}

/// A global id that must be of `kind`.
pub fn decode(text: &str, kind: Kind, field: &str) -> AppResult<i64> {
    match decode_any(text, field)? {
        (k, n) if k == kind => Ok(n),
        _ => Err(AppError::bad_input(
            field,
            format!("{field} is not the id of a {}", kind.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        for kind in Kind::ALL {
            assert_eq!(decode_any(&encode(kind, 42), "id").unwrap(), (kind, 42));
        }
        assert!(decode("nope", Kind::OrgUnit, "id").is_err());
        let person = encode(Kind::Person, 7);
        let err = decode(&person, Kind::OrgUnit, "unitId").unwrap_err();
        assert_eq!(err.field(), Some("unitId"));
    }
}
