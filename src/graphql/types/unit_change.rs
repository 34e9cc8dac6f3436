//! `UnitChange`: what `unitChanged` delivers.

use async_graphql::{Enum, Object, ID};
use chrono::{DateTime, Utc};

use super::org_unit::OrgUnit;
use crate::graphql::ids::{encode, Kind};

/// What happened to a unit.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UnitChangeKind {
    /// 新建: created.
    Created,
    /// 修改: name, code, type, form, host or description edited.
    Updated,
    /// 调整隶属: moved under another parent.
    Moved,
    /// 撤销: dissolved.
    Dissolved,
    /// 恢复: restored after being dissolved.
    Restored,
}

impl UnitChangeKind {
    /// The kind an audit action records, if it is a unit's.
    pub fn of_action(action: &str) -> Option<UnitChangeKind> {
        Some(match action {
            "CREATE_UNIT" => UnitChangeKind::Created,
            "UPDATE_UNIT" => UnitChangeKind::Updated,
            "MOVE_UNIT" => UnitChangeKind::Moved,
            "DISSOLVE_UNIT" => UnitChangeKind::Dissolved,
            "RESTORE_UNIT" => UnitChangeKind::Restored,
            _ => return None,
        })
    }
}

/// A committed change to a unit within the subscriber's scope.
pub struct UnitChange {
    pub kind: UnitChangeKind,
    pub unit_id: i64,
    /// The unit as it is now, when the subscriber still sees all of it.
    pub unit: Option<OrgUnit>,
    pub at: DateTime<Utc>,
}

/// A committed change to a unit within the subscriber's scope.
#[Object]
impl UnitChange {
    /// What happened.
    async fn kind(&self) -> UnitChangeKind {
        self.kind
    }

    /// The unit's global id.
    async fn unit_id(&self) -> ID {
        encode(Kind::OrgUnit, self.unit_id)
    }

    /// The unit as it stands after the change; null when it left the
    /// subscriber's scope (moved elsewhere).
    async fn unit(&self) -> Option<&OrgUnit> {
        self.unit.as_ref()
    }

    /// When the change was made (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.at
    }
}
