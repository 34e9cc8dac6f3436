//! The Relay `Node` interface.

use async_graphql::{Interface, ID};

use super::account::{Account, Grant};
use super::audit_entry::AuditEntry;
use super::duty_log::{DutyLog, TrainingSession};
use super::household::Household;
use super::org_unit::OrgUnit;
use super::person::Person;
use super::point_record::{PointRecord, Redemption};
use super::points_list::{PointsItem, PointsList};
use super::position::Position;
use super::problem::Problem;
use super::service_activity::ServiceActivity;

/// Anything with a global id that `node(id:)` can fetch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    OrgUnit(OrgUnit),
    Person(Person),
    Position(Position),
    Account(Account),
    Grant(Grant),
    AuditEntry(AuditEntry),
    Household(Household),
    PointsList(PointsList),
    PointsItem(PointsItem),
    PointRecord(PointRecord),
    Redemption(Redemption),
    ServiceActivity(ServiceActivity),
    Problem(Problem),
    DutyLog(DutyLog),
    TrainingSession(TrainingSession),
}
