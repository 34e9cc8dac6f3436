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
    Household,
    PointsList,
    PointsItem,
    PointRecord,
    Redemption,
    ServiceActivity,
    Problem,
    DutyLog,
    TrainingSession,
}

impl Kind {
    const ALL: [Kind; 15] = [
        Kind::OrgUnit,
        Kind::Account,
        Kind::Grant,
        Kind::AuditEntry,
        Kind::Person,
        Kind::Position,
        Kind::Household,
        Kind::PointsList,
        Kind::PointsItem,
        Kind::PointRecord,
        Kind::Redemption,
        Kind::ServiceActivity,
        Kind::Problem,
        Kind::DutyLog,
        Kind::TrainingSession,
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
            Kind::Household => "Household",
            Kind::PointsList => "PointsList",
            Kind::PointsItem => "PointsItem",
            Kind::PointRecord => "PointRecord",
            Kind::Redemption => "Redemption",
            Kind::ServiceActivity => "ServiceActivity",
            Kind::Problem => "Problem",
            Kind::DutyLog => "DutyLog",
            Kind::TrainingSession => "TrainingSession",
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

/// An id of one kind of entity, as a type of its own: a unit id cannot be
/// passed where a person id is expected.
pub trait Id: Copy + Sized {
    /// The entity kind its global id names.
    const KIND: Kind;
    fn new(id: i64) -> Self;
    fn get(self) -> i64;

    /// The opaque global id.
    fn encode(self) -> String {
        encode(Self::KIND, self.get())
    }

    /// The id a global id names, or `BAD_USER_INPUT` on `field` when it is
    /// malformed or names another kind.
    fn decode(text: &str, field: &str) -> AppResult<Self> {
        decode(text, Self::KIND, field).map(Self::new)
    }
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident => $kind:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl Id for $name {
            const KIND: Kind = Kind::$kind;
            fn new(id: i64) -> Self {
                $name(id)
            }
            fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A unit of the tree.
    UnitId => OrgUnit
);
id_type!(
    /// A person.
    PersonId => Person
);
id_type!(
    /// A post (任职).
    PositionId => Position
);
id_type!(
    /// A household (户).
    HouseholdId => Household
);
id_type!(
    /// A version of a points list (积分清单).
    PointsListId => PointsList
);
id_type!(
    /// An item of a points list.
    PointsItemId => PointsItem
);
id_type!(
    /// A point record (积分记录).
    PointRecordId => PointRecord
);
id_type!(
    /// An account.
    AccountId => Account
);
id_type!(
    /// A grant.
    GrantId => Grant
);

id_type!(
    /// A volunteer service activity.
    ActivityId => ServiceActivity
);
id_type!(
    /// A resident's problem.
    ProblemId => Problem
);
id_type!(
    /// A cadre's duty log.
    DutyLogId => DutyLog
);
id_type!(
    /// A training session.
    TrainingId => TrainingSession
);

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
        assert_eq!(PersonId::decode(&person, "personId").unwrap(), PersonId(7));
        assert!(UnitId::decode(&person, "unitId").is_err());
        assert_eq!(UnitId(3).encode(), encode(Kind::OrgUnit, 3));
    }
}
