//! Subscriptions (over `graphql-transport-ws` at `/graphql/ws`): committed
//! changes, each filtered by the subscriber's scope with the same policy as
//! the queries (docs/design.md §4).

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Result, Subscription, ID};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::Instant;

use super::context::ContextExt;
use super::query::{load_unit, scope_unit};
use super::types::audit_entry::AuditEntry;
use super::types::coverage::Coverage;
use super::types::org_unit::OrgUnit;
use super::types::points_ranking::PointsSummary;
use super::types::staffing::RuleCount;
use super::types::unit_change::{UnitChange, UnitChangeKind};
use crate::auth::policy::{position, ActionKind, Position, Scope, Sight, UnitRef};
use crate::auth::Visibility;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::graphql::types::scalars::Date;
use crate::graphql::types::work_summary::{EconomySummary, ProblemsSummary, ServiceSummary};
use crate::live::{Change, Effect, Live, Memo};
use crate::service::summary;
use crate::tree::tally::Counted;

/// Aggregates are sent at most this often per subscription.
pub const AGGREGATE_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Subscription;

/// Whether the subscriber sees all of `place`, beneath `under` (or
/// anywhere in its scope).
fn within(visibility: &Visibility, under: Option<&UnitRef>, place: &UnitRef) -> bool {
    visibility.sight_of(place) == Sight::Full
        && under.is_none_or(|u| {
            matches!(
                position(&Scope::Unit(*u), Some(place)),
                Position::Itself | Position::Inside
            )
        })
}

fn touches(change: &Change, visibility: &Visibility, under: Option<&UnitRef>) -> bool {
    change.places().any(|p| within(visibility, under, &p))
}

/// What the subscriber is told of a change: the change itself (checked),
/// or that it missed some (`None`).
async fn next_change(changes: &mut Receiver<Arc<Change>>) -> Option<Option<Arc<Change>>> {
    match changes.recv().await {
        Ok(change) => Some(Some(change)),
        Err(RecvError::Lagged(_)) => Some(None),
        Err(RecvError::Closed) => None,
    }
}

/// A wake-up right away (the current value), then one per change that
/// `relevant` picks (its seq), at most once per [`AGGREGATE_INTERVAL`]: a
/// burst of writes yields one fresh aggregate right away and one more when
/// the interval is over.
fn paced(
    live: Arc<Live>,
    relevant: impl Fn(&Change) -> bool + Send + 'static,
) -> impl Stream<Item = u64> + Send {
    struct State<F> {
        changes: Receiver<Arc<Change>>,
        live: Arc<Live>,
        relevant: F,
        last: Option<Instant>,
        pending: Option<u64>,
    }
    let state = State {
        changes: live.subscribe(),
        pending: Some(live.last_seq()),
        live,
        relevant,
        last: None,
    };
    stream::unfold(state, |mut s| async move {
        loop {
            let heard = match s.pending {
                Some(needed) => {
                    let due = s.last.map_or_else(Instant::now, |t| t + AGGREGATE_INTERVAL);
                    if Instant::now() >= due {
                        s.pending = None;
                        s.last = Some(Instant::now());
                        return Some((needed, s));
                    }
                    tokio::select! {
                        () = tokio::time::sleep_until(due) => continue,
                        heard = next_change(&mut s.changes) => heard,
                    }
                }
                None => next_change(&mut s.changes).await,
            };
            match heard? {
                Some(change) if (s.relevant)(&change) => s.pending = Some(change.seq),
                Some(_) => {}
                // Missed changes might have been relevant: count again.
                None => s.pending = Some(s.live.last_seq()),
            }
        }
    })
}

/// The scope's memo key: who sees what, beneath which unit, and what else
/// the aggregate depends on (`tag`: a year, say).
fn scope_key(visibility: &Visibility, under: Option<&UnitRef>, tag: &str) -> String {
    format!("{visibility:?}|{:?}|{tag}", under.map(|u| u.id))
}

/// An aggregate of the scope `under` names, as it stands and then after
/// each change of the `effects` there, paced, counted once per scope and
/// change for all its subscribers (`memo`).
async fn aggregate<V, T, C>(
    ctx: &Context<'_>,
    (under, tag): (Option<ID>, String),
    effects: fn(Effect) -> bool,
    memo: fn(&Live) -> &Memo<V>,
    count: C,
    shape: fn(&V) -> T,
) -> Result<impl Stream<Item = Result<T>>>
where
    V: Send + Sync + 'static,
    T: Send + 'static,
    C: Fn(&mut DbConnection, &Visibility, Option<UnitRef>) -> AppResult<V>
        + Clone
        + Send
        + Sync
        + 'static,
{
    ctx.viewer().require_signed_in()?;
    let under = scope_unit(ctx, under).await?;
    let visibility = ctx.visibility();
    let live = ctx.data_unchecked::<Arc<Live>>().clone();
    let key = scope_key(&visibility, under.as_ref(), &tag);
    let seen = visibility.clone();
    let wake = paced(live.clone(), move |c| {
        effects(c.effect) && touches(c, &seen, under.as_ref())
    });
    Ok(wake.then(move |needed| {
        let (live, key, visibility) = (live.clone(), key.clone(), visibility.clone());
        let count = count.clone();
        async move {
            let db = live.db().clone();
            let heard = live.last_seq();
            let value = memo(&live)
                .get(key, needed, heard, || {
                    db.read(move |c| count(c, &visibility, under))
                })
                .await?;
            Ok(shape(&value))
        }
    }))
}

/// Live updates, over `graphql-transport-ws` at `/graphql/ws` (sign in with
/// `connection_init`'s `{"Authorization": "Bearer …"}`): each filtered by the
/// subscriber's scope, as queries are.
#[Subscription]
impl Subscription {
    /// A unit beneath `under` (or anywhere in the subscriber's scope) was
    /// created, updated, moved, dissolved or restored. A unit moved out of
    /// the scope is reported once more, with `unit: null`.
    async fn unit_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit (and itself).")] under: Option<ID>,
    ) -> Result<impl Stream<Item = UnitChange>> {
        ctx.viewer().require_signed_in()?;
        let under = scope_unit(ctx, under).await?;
        let visibility = ctx.visibility();
        let live = ctx.data_unchecked::<Arc<Live>>().clone();
        let changes = live.subscribe();
        Ok(stream::unfold(changes, move |mut changes| {
            let visibility = visibility.clone();
            async move {
                loop {
                    let Some(change) = next_change(&mut changes).await? else {
                        continue;
                    };
                    let Some(kind) = UnitChangeKind::of_action(&change.line.action) else {
                        continue;
                    };
                    if change.effect != Effect::Unit
                        || !touches(&change, &visibility, under.as_ref())
                    {
                        continue;
                    }
                    let Some(unit_id) = change.line.unit_id else {
                        continue;
                    };
                    let unit = change
                        .unit
                        .as_ref()
                        .filter(|u| visibility.sight(u) == Sight::Full)
                        .map(|u| OrgUnit(u.clone()));
                    let item = UnitChange {
                        kind,
                        unit_id,
                        unit,
                        at: change.line.at.and_utc(),
                    };
                    return Some((item, changes));
                }
            }
        }))
    }

    /// The coverage of `under` (or of the subscriber's whole scope): first
    /// as it stands, then anew after units there changed, at most once a
    /// second (so a dashboard needs no query beside it).
    async fn coverage_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Coverage>>> {
        aggregate(
            ctx,
            (under, String::new()),
            |effect| effect == Effect::Unit,
            |live| &live.coverage,
            |c, visibility, under| Counted::new(under, visibility).now(c),
            |tally| Coverage::new(tally.clone(), None),
        )
        .await
    }

    /// The `staffingSummary` of `under` (or of the subscriber's whole
    /// scope): first as it stands, then anew after units, people or posts
    /// there changed, at most once a second.
    async fn staffing_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
    ) -> Result<impl Stream<Item = Result<Vec<RuleCount>>>> {
        aggregate(
            ctx,
            (under, String::new()),
            |effect| matches!(effect, Effect::Unit | Effect::People),
            |live| &live.staffing,
            crate::people::stats::staffing_counts,
            |counts| counts.iter().copied().map(RuleCount::from).collect(),
        )
        .await
    }

    /// The `pointsSummary` of `year` beneath `under` (or of the subscriber's
    /// whole scope): first as it stands, then anew after households,
    /// points lists, records or units there changed, at most once a second.
    async fn points_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<impl Stream<Item = Result<PointsSummary>>> {
        if !(1900..=2999).contains(&year) {
            return Err(AppError::bad_input("year", "a year lies between 1900 and 2999").into());
        }
        aggregate(
            ctx,
            (under, year.to_string()),
            |effect| matches!(effect, Effect::Unit | Effect::Points),
            |live| &live.points,
            move |c, visibility, under| {
                crate::points::ranking::summary_seen(c, visibility, under, year)
            },
            |summary| PointsSummary::from(summary.clone()),
        )
        .await
    }

    /// The `serviceSummary` of the months from `from`'s to `to`'s beneath
    /// `under` (or of the subscriber's whole scope): first as it stands,
    /// then anew after activities or units there changed, at most once a
    /// second.
    async fn service_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<impl Stream<Item = Result<ServiceSummary>>> {
        let months = crate::graphql::query::months(from, to)?;
        aggregate(
            ctx,
            (under, format!("{}-{}", months.first, months.last)),
            |effect| matches!(effect, Effect::Unit | Effect::Work),
            |live| &live.service,
            move |c, visibility, under| {
                summary::service(c, &summary::scopes_seen(visibility, under), months)
            },
            |f| ServiceSummary::from(f.clone()),
        )
        .await
    }

    /// The `problemsSummary` of the months from `from`'s to `to`'s beneath
    /// `under` (or of the subscriber's whole scope): first as it stands,
    /// then anew after problems or units there changed, at most once a
    /// second.
    async fn problems_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<impl Stream<Item = Result<ProblemsSummary>>> {
        let months = crate::graphql::query::months(from, to)?;
        aggregate(
            ctx,
            (under, format!("{}-{}", months.first, months.last)),
            |effect| matches!(effect, Effect::Unit | Effect::Work),
            |live| &live.problems,
            move |c, visibility, under| {
                let today = crate::graphql::context::now().date_naive();
                let scopes = summary::scopes_seen(visibility, under);
                summary::problems(c, &scopes, months, (today, today))
            },
            |f| ProblemsSummary::from(f.clone()),
        )
        .await
    }

    /// The `economySummary` of `year` beneath `under` (or of the
    /// subscriber's whole scope): first as it stands, then anew after
    /// incomes or units there changed, at most once a second.
    async fn economy_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope (default: everything the subscriber sees).")] under: Option<ID>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<impl Stream<Item = Result<EconomySummary>>> {
        if !(1900..=2999).contains(&year) {
            return Err(AppError::bad_input("year", "a year lies between 1900 and 2999").into());
        }
        aggregate(
            ctx,
            (under, year.to_string()),
            |effect| matches!(effect, Effect::Unit | Effect::Work),
            |live| &live.economy,
            move |c, visibility, under| {
                crate::service::economy_summary::economy(
                    c,
                    &summary::scopes_seen(visibility, under),
                    year,
                )
            },
            |f| EconomySummary::new(f.year, f.clone()),
        )
        .await
    }

    /// Each line appended to the audit log beneath `under` (without it, the
    /// whole region's, sign-ins included): ADMINs of that scope, as for
    /// `auditLog`.
    async fn audit_appended(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Lines about this unit or anything beneath it.")] under: Option<ID>,
    ) -> Result<impl Stream<Item = AuditEntry>> {
        let viewer = ctx.viewer().clone();
        viewer.require_signed_in()?;
        let unit = match under {
            Some(id) => {
                let id = super::ids::decode(&id, crate::ids::Kind::OrgUnit, "under")?;
                Some(load_unit(ctx, id, "under").await?.0)
            }
            None => None,
        };
        viewer.check(ActionKind::ReadAudit, unit.as_ref(), "under")?;
        let under = unit.as_ref().map(UnitRef::from);
        let live = ctx.data_unchecked::<Arc<Live>>().clone();
        let changes = live.subscribe();
        Ok(stream::unfold(changes, move |mut changes| async move {
            loop {
                let Some(change) = next_change(&mut changes).await? else {
                    continue;
                };
                if change.filed_beneath(under.as_ref()) {
                    return Some((AuditEntry(change.line.clone()), changes));
                }
            }
        }))
    }
}
