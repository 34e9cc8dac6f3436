//! `PointsList`: one version of a village's (or township's) points list
//! (积分清单), with its items and the meeting that adopted it; and the
//! inputs that propose and adopt one.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::org_unit::OrgUnit;
use super::scalars::Date;
use crate::domain::ledger;
use crate::domain::points::{ItemDraft, ListStatus, Meeting, MeetingKind};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::points::store;

/// A version of a points list.
pub struct PointsList(pub ledger::PointsList);

/// An item of a points list.
pub struct PointsItem(pub ledger::PointsItem);

/// The meeting that adopted a version.
#[derive(SimpleObject)]
pub struct AdoptingMeeting {
    /// 屋场会, 板凳会, 村民代表大会 or 党员大会.
    pub kind: MeetingKind,
    /// Its Chinese label.
    pub kind_label: &'static str,
    /// The day it was held.
    pub held_on: Date,
    /// People present.
    pub attendance: i32,
    /// Votes for.
    pub votes_for: i32,
    /// Votes against.
    pub votes_against: i32,
}

/// A version of a points list (积分清单): proposed by the two committees
/// (两委), discussed at household meetings, adopted by a meeting on a day,
/// in force from that day until the owner's next adopted version. Past
/// versions stay readable, and every record points at the version in force
/// on its day. A village without a version in force follows its township's.
#[Object]
impl PointsList {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::PointsList, self.0.id)
    }
    /// The village (or township) whose list it is.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.owner_unit_id)
            .await?
            .map(OrgUnit))
    }
    /// 1 for the owner's first version, then 2, 3, …
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Proposed, adopted or withdrawn.
    async fn status(&self) -> ListStatus {
        self.0.status
    }
    /// Its Chinese label (待表决, 已通过, 已撤回).
    async fn status_label(&self) -> &'static str {
        self.0.status.label()
    }
    /// The day it was proposed.
    async fn proposed_on(&self) -> Date {
        Date(self.0.proposed_on)
    }
    /// The day it is in force from; null until adopted.
    async fn adopted_on(&self) -> Option<Date> {
        self.0.adopted_on.map(Date)
    }
    /// The meeting that adopted it; null until adopted.
    async fn meeting(&self) -> Option<AdoptingMeeting> {
        self.0.meeting.map(|m| AdoptingMeeting {
            kind: m.kind,
            kind_label: m.kind.label(),
            held_on: Date(m.held_on),
            attendance: m.attendance,
            votes_for: m.votes_for,
            votes_against: m.votes_against,
        })
    }
    /// Its items, in code order.
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<PointsItem>> {
        let id = self.0.id;
        let items = ctx.db().read(move |c| store::items_of(c, &[id])).await?;
        Ok(items.into_iter().map(PointsItem).collect())
    }
}

/// An item of a points list: what adds or deducts points.
#[Object]
impl PointsItem {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::PointsItem, self.0.id)
    }
    /// Short code, unique in its version; caps count by code across versions.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Its category (环境卫生, 孝老爱亲, 移风易俗, 志愿服务, 遵纪守法, 产业发展, or the village's own).
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// What earns or loses the points.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Points per record: positive adds, negative deducts.
    async fn points(&self) -> i32 {
        self.0.points
    }
    /// At most this many points of the item per household and year (in
    /// either direction); null: no cap.
    async fn cap_per_year(&self) -> Option<i32> {
        self.0.cap_per_year
    }
}

/// An item of a proposed version.
#[derive(InputObject)]
pub struct PointsItemInput {
    /// Short code (ASCII letters, digits, `.`, `_`, `-`), unique in the version.
    pub code: String,
    /// Category: one of the suggested ones or the village's own (at most 20 characters).
    pub category: String,
    /// What earns or loses the points.
    pub description: String,
    /// Points per record: positive adds, negative deducts (1 to 10,000 either way).
    pub points: i32,
    /// At most this many points of the item per household and year.
    pub cap_per_year: Option<i32>,
}

impl From<PointsItemInput> for ItemDraft {
    fn from(i: PointsItemInput) -> Self {
        ItemDraft {
            code: i.code,
            category: i.category,
            description: i.description,
            points: i.points,
            cap_per_year: i.cap_per_year,
        }
    }
}

/// The meeting that adopts a version.
#[derive(InputObject)]
pub struct MeetingInput {
    /// Its kind.
    pub kind: MeetingKind,
    /// The day it was held (not in the future).
    pub held_on: Date,
    /// People present.
    pub attendance: i32,
    /// Votes for: more than half of those present.
    pub votes_for: i32,
    /// Votes against.
    pub votes_against: i32,
}

impl From<MeetingInput> for Meeting {
    fn from(m: MeetingInput) -> Self {
        Meeting {
            kind: m.kind,
            held_on: m.held_on.0,
            attendance: m.attendance,
            votes_for: m.votes_for,
            votes_against: m.votes_against,
        }
    }
}
