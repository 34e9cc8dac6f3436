//! The staffing rules as SQL conditions on units: a unit fails a rule when
//! no active post of the kind it needs exists. Lists (`staffingGaps`) and
//! counts (`staffingSummary`) share them, so they always agree.

use diesel::prelude::*;

use super::read::Condition;
use crate::db::schema::org_units::dsl as u;
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::dsl as ps;
use crate::domain::people::{PoliticalStatus, PositionRole};
use crate::domain::staffing::{head_of, StaffingRule};
use crate::domain::{Level, OrgForm};

/// Units with no active `role` post of their own.
fn lacking(role: PositionRole) -> Condition {
    let held = ps::positions
        .filter(ps::role.eq(role.as_str()))
        .filter(ps::ended_on.is_null())
        .select(ps::unit_id);
    Box::new(u::id.ne_all(held))
}

fn at(level: Level) -> Condition {
    Box::new(u::level.eq(level.number()))
}

/// The units failing `rule` (active ones: the caller's filter sees to that).
pub fn failing(rule: StaffingRule) -> Condition {
    match rule {
        StaffingRule::Grid3Plus1PlusN => {
            let volunteers = ps::positions
                .filter(ps::role.eq(PositionRole::Volunteer.as_str()))
                .filter(ps::ended_on.is_null())
                .filter(ps::grid_id.is_not_null())
                .select(ps::grid_id.assume_not_null());
            Box::new(
                at(Level::Grid).and(
                    lacking(PositionRole::GridHead)
                        .or(lacking(PositionRole::GridLiaison))
                        .or(u::id.ne_all(volunteers)),
                ),
            )
        }
        StaffingRule::GridInstructor => {
            Box::new(at(Level::Grid).and(lacking(PositionRole::Instructor)))
        }
        StaffingRule::VillageLinkedLeader => {
            Box::new(at(Level::Village).and(lacking(PositionRole::LinkedLeader)))
        }
        StaffingRule::TownshipLinkedLeader => {
            Box::new(at(Level::Township).and(lacking(PositionRole::LinkedLeader)))
        }
        StaffingRule::TeamPartyLeader => {
            let members = p::persons
                .filter(p::political_status.eq_any([
                    PoliticalStatus::FullMember.as_str(),
                    PoliticalStatus::Probationary.as_str(),
                ]))
                .select(p::id);
            let led = ps::positions
                .filter(ps::role.eq(PositionRole::TeamLeader.as_str()))
                .filter(ps::ended_on.is_null())
                .filter(ps::person_id.eq_any(members))
                .select(ps::unit_id);
            Box::new(at(Level::VolunteerTeam).and(u::id.ne_all(led)))
        }
        StaffingRule::SecretaryVacant => {
            let forms = |role: PositionRole| -> Vec<&'static str> {
                OrgForm::ALL
                    .iter()
                    .filter(|f| head_of(**f) == Some(role))
                    .map(|f| f.as_str())
                    .collect()
            };
            let needs_secretary = u::org_form
                .assume_not_null()
                .eq_any(forms(PositionRole::Secretary));
            let needs_leader = u::org_form
                .assume_not_null()
                .eq_any(forms(PositionRole::GroupLeader));
            Box::new(
                needs_secretary
                    .and(lacking(PositionRole::Secretary))
                    .or(needs_leader.and(lacking(PositionRole::GroupLeader))),
            )
        }
    }
}
