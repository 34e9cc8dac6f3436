//! Global ids as GraphQL `ID`s (the encoding is `crate::ids`).

use async_graphql::ID;

use crate::error::AppResult;

pub use crate::ids::{AccountId, GrantId, Id, Kind, PersonId, PositionId, UnitId};

/// `OrgUnit:42` → an opaque, URL-safe id.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(crate::ids::encode(kind, id))
}

/// Any global id, or `BAD_USER_INPUT` naming `field`.
pub fn decode_any(id: &ID, field: &str) -> AppResult<(Kind, i64)> {
    crate::ids::decode_any(id.as_str(), field)
}

/// The typed id a GraphQL `ID` argument names (`field` for errors).
pub fn id_of<T: Id>(id: &ID, field: &str) -> AppResult<T> {
    T::decode(id.as_str(), field)
}

/// A global id that must be of `kind`.
pub fn decode(id: &ID, kind: Kind, field: &str) -> AppResult<i64> {
    crate::ids::decode(id.as_str(), kind, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = encode(Kind::OrgUnit, 42);
        assert_eq!(decode(&id, Kind::OrgUnit, "id").unwrap(), 42);
        assert!(decode(&ID("nope".into()), Kind::OrgUnit, "id").is_err());
    }
}
