//! `Person`: someone of the tree — party member, activist, capable
//! resident, volunteer or cadre — with their posts. Phone and birth date
//! are sensitive: only those who manage the person's unit read them whole.

use crate::auth::policy::Sight;
use async_graphql::{Context, Object, Result, ID};
use chrono::Datelike;

use super::org_unit::OrgUnit;
use super::position::Position;
use super::scalars::Date;
use crate::auth::policy::ActionKind;
use crate::domain::people::{self, age_on, mask_phone, EducationLevel, Gender, PoliticalStatus};
use crate::graphql::connection::ConnectionOf;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::ids::{encode, Kind};
use crate::graphql::loaders::{Holder, PostsKey};
use crate::people::{store, PersonFilter};

/// A person of the tree (人员).
pub struct Person(pub people::Person);

crate::graphql::connection::listed!(Person, people::Person, "Person");

impl Person {
    /// Whether the viewer reads this person's sensitive fields masked: yes
    /// unless they may manage people in the person's unit.
    async fn is_masked(&self, ctx: &Context<'_>) -> Result<bool> {
        let unit = ctx.request().units.load_one(self.0.unit_id).await?;
        Ok(match unit {
            Some(u) => ctx
                .viewer()
                .check(ActionKind::ManagePeople, Some(&u), "id")
                .is_err(),
            None => true,
        })
    }
}

/// A person of the tree (人员).
#[Object]
impl Person {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Person, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Gender.
    async fn gender(&self) -> Gender {
        self.0.gender
    }
    /// Its Chinese label (男/女).
    async fn gender_label(&self) -> &'static str {
        self.0.gender.label()
    }
    /// Birth date; null when masked (a `VIEWER` sees `birthYear` only).
    async fn birth_date(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(match self.is_masked(ctx).await? {
            true => None,
            false => self.0.birth_date.map(Date),
        })
    }
    /// Year of birth (shown to every reader).
    async fn birth_year(&self) -> Option<i32> {
        self.0.birth_date.map(|d| d.year())
    }
    /// Age in whole years today.
    async fn age(&self) -> Option<i32> {
        self.0.birth_date.map(|b| age_on(b, now().date_naive()))
    }
    /// Phone number; masked as `138****5678` for a `VIEWER`.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let masked = self.is_masked(ctx).await?;
        Ok(self
            .0
            .phone
            .as_deref()
            .map(|p| if masked { mask_phone(p) } else { p.to_owned() }))
    }
    /// Whether `phone` and `birthDate` come back masked to this viewer.
    async fn masked(&self, ctx: &Context<'_>) -> Result<bool> {
        self.is_masked(ctx).await
    }
    /// Highest education completed.
    async fn education(&self) -> Option<EducationLevel> {
        self.0.education
    }
    /// Its Chinese label.
    async fn education_label(&self) -> Option<&'static str> {
        self.0.education.map(EducationLevel::label)
    }
    /// Political status (政治面貌).
    async fn political_status(&self) -> PoliticalStatus {
        self.0.political_status
    }
    /// Its Chinese label.
    async fn political_status_label(&self) -> &'static str {
        self.0.political_status.label()
    }
    /// When the political status was reached (e.g. joined the party).
    async fn status_since(&self) -> Option<Date> {
        self.0.status_since.map(Date)
    }
    /// A capable rural talent (乡村能人).
    async fn capable_talent(&self) -> bool {
        self.0.capable_talent
    }
    /// Free-text notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// The unit they live in or belong to.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The person's volunteer service in the period (activities the
    /// viewer sees, cancelled ones left out): activities and hours.
    async fn service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day.")] from: Date,
        #[graphql(desc = "The last day.")] to: Date,
    ) -> Result<super::work_summary::PersonService> {
        let (person, visibility) = (self.0.id, ctx.visibility());
        let (activities, tenths) = ctx
            .db()
            .read(move |c| {
                crate::service::store::person_service(c, &visibility, person, (from.0, to.0))
            })
            .await?;
        Ok(super::work_summary::PersonService {
            activities,
            hours: tenths as f64 / 10.0,
        })
    }
    /// The duties the person logged in the period (at units the viewer
    /// sees), per kind; every kind, zeros included.
    async fn duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day.")] from: Date,
        #[graphql(desc = "The last day.")] to: Date,
    ) -> Result<Vec<super::work_summary::DutyKindCount>> {
        let (person, visibility) = (self.0.id, ctx.visibility());
        let kinds = ctx
            .db()
            .read(move |c| {
                crate::service::store::person_duties(c, &visibility, person, (from.0, to.0))
            })
            .await?;
        Ok(crate::domain::service::DutyKind::ALL
            .iter()
            .map(|k| super::work_summary::DutyKindCount {
                kind: *k,
                kind_label: k.label(),
                count: kinds.iter().filter(|x| x.as_str() == k.as_str()).count() as i64,
            })
            .collect())
    }
    /// Their posts, earliest first; with `activeOn`, only those held that day.
    async fn positions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only posts held on this day.")] active_on: Option<Date>,
    ) -> Result<Vec<Position>> {
        let key = PostsKey {
            holder: Holder::Person(self.0.id),
            role: None,
            active_on: active_on.map(|d| d.0),
        };
        let posts = ctx.request().posts.load_one(key).await?.unwrap_or_default();
        // Only posts in units the viewer sees in full: a post elsewhere
        // (a linked leader's in another township) is not theirs to see,
        // not even its role or dates.
        let units = ctx
            .request()
            .units
            .load_many(posts.iter().map(|p| p.unit_id))
            .await?;
        let visibility = ctx.request().visibility();
        Ok(posts
            .into_iter()
            .filter(|p| {
                units
                    .get(&p.unit_id)
                    .is_some_and(|u| visibility.sight(u) == Sight::Full)
            })
            .map(Position)
            .collect())
    }
}

/// A page of people.
pub type PersonConnection = ConnectionOf<Person, PersonListTotals>;

/// The list-wide fields of a `PersonConnection`.
pub struct PersonListTotals {
    pub filter: PersonFilter,
}

#[Object]
impl PersonListTotals {
    /// How many people the list holds across all its pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let filter = self.filter.clone();
        let visibility = ctx.visibility();
        let today = now().date_naive();
        Ok(ctx
            .db()
            .read(move |c| store::count(c, &visibility, &filter, today))
            .await?)
    }
}
