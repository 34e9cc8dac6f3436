//! Live updates: every committed write, as the audit lines it added, turned
//! into [`Change`]s that subscriptions filter by the subscriber's scope
//! (docs/design.md §4). One hub per instance; it starts with its first
//! subscriber and costs nothing before.
//!
//! The audit log is the source because every write records its lines in
//! the same transaction as the change (`crate::audit`), each filed under the
//! unit it concerns with that unit's ancestry: the same facts the
//! `auditLog` query is scoped by.

mod memo;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use diesel::prelude::*;
use tokio::sync::broadcast;

pub use self::memo::Memo;
use crate::audit::AuditRow;
use crate::auth::policy::UnitRef;
use crate::db::schema::audit_log::dsl as l;
use crate::db::Db;
use crate::domain::{Ancestry, Level, OrgUnit};
use crate::error::AppResult;
use crate::tree::read;

/// How many changes the hub buffers for a slow subscriber before the
/// oldest are dropped (that subscriber is told it lagged).
pub const BUFFER: usize = 4096;

/// How many audit lines are loaded per statement.
const CHUNK: usize = 500;

/// What a committed audit line changed, in terms of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A unit was created, edited, moved, dissolved or restored.
    Unit,
    /// A person or a post changed (staffing, not coverage).
    People,
    /// Households, points lists, point records or redemptions.
    Points,
    /// Grassroots work: activities, problems, duties, trainings, incomes.
    Work,
    /// Accounts, grants, sessions.
    Access,
}

/// One committed audit line, with the unit it is filed under as it stands
/// after the commit, and (for a move) where that unit stood before.
#[derive(Debug, Clone)]
pub struct Change {
    /// Increases by one per change this instance has heard.
    pub seq: u64,
    pub line: AuditRow,
    pub effect: Effect,
    /// The unit the line is filed under, as it is now.
    pub unit: Option<OrgUnit>,
    /// Where that unit stood before the write (from the line's `before`).
    pub before: Option<UnitRef>,
}

impl Change {
    /// The places the change touches: the unit now, and before a move.
    pub fn places(&self) -> impl Iterator<Item = UnitRef> + '_ {
        self.unit
            .as_ref()
            .map(UnitRef::from)
            .into_iter()
            .chain(self.before)
    }

    /// Whether the line concerns account `id`: done by it, done to it, or
    /// about one of its grants (`{"account": id, …}` before or after).
    pub fn concerns_account(&self, id: i64) -> bool {
        let l = &self.line;
        let names = |json: &Option<String>| {
            json.as_deref()
                .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
                .is_some_and(|v| v["account"].as_i64() == Some(id))
        };
        l.account_id == Some(id)
            || l.target.as_deref()
                == Some(crate::ids::encode(crate::ids::Kind::Account, id).as_str())
            || names(&l.before_json)
            || names(&l.after_json)
    }

    /// Whether the line is filed at or beneath `under` (`None`: anywhere),
    /// as the `auditLog` query files it.
    pub fn filed_beneath(&self, under: Option<&UnitRef>) -> bool {
        let Some(under) = under else { return true };
        let l = &self.line;
        let column = match under.level.number() {
            1 => l.township_id,
            2 => l.village_id,
            3 => l.grid_id,
            4 => l.building_group_id,
            _ => None,
        };
        l.unit_id == Some(under.id) || column == Some(under.id)
    }
}

fn effect_of(action: &str) -> Effect {
    match action {
        a if a.ends_with("_UNIT") => Effect::Unit,
        a if a.contains("HOUSEHOLD") || a.contains("POINT") => Effect::Points,
        a if a.ends_with("_ACTIVITY")
            || a.ends_with("_PROBLEM")
            || a == "LOG_DUTY"
            || a == "RECORD_TRAINING"
            || a == "SET_VILLAGE_INCOME" =>
        {
            Effect::Work
        }
        a if a.ends_with("_PERSON") || a.ends_with("_POSITION") => Effect::People,
        _ => Effect::Access,
    }
}

/// Where a unit stood, from an audit line's JSON of it (`id`, `ancestry`).
fn place_in(json: Option<&str>) -> Option<UnitRef> {
    #[derive(serde::Deserialize)]
    struct Place {
        id: i64,
        ancestry: [Option<i64>; 4],
    }
    let place: Place = serde_json::from_str(json?).ok()?;
    // Strict ancestry: one slot filled per level above the unit.
    let depth = place.ancestry.iter().flatten().count() as i32;
    Some(UnitRef {
        id: place.id,
        level: Level::from_number(depth + 1)?,
        ancestry: Ancestry(place.ancestry),
    })
}

/// The hub of one instance.
pub struct Live {
    db: Db,
    changes: broadcast::Sender<Arc<Change>>,
    seq: Arc<AtomicU64>,
    started: OnceLock<()>,
    subscribed: tokio::sync::Notify,
    /// Aggregates shared by every subscriber of the same scope.
    pub coverage: Memo<crate::domain::coverage::Coverage>,
    pub staffing: Memo<Vec<(crate::domain::staffing::StaffingRule, i64)>>,
    pub points: Memo<crate::points::ranking::Summary>,
    pub service: Memo<crate::service::summary::ServiceFigures>,
    pub problems: Memo<crate::service::summary::ProblemFigures>,
    pub economy: Memo<crate::service::economy_summary::EconomyFigures>,
}

impl Live {
    pub fn new(db: Db) -> Live {
        Live {
            db,
            changes: broadcast::channel(BUFFER).0,
            seq: Arc::new(AtomicU64::new(0)),
            started: OnceLock::new(),
            subscribed: tokio::sync::Notify::new(),
            coverage: Memo::default(),
            staffing: Memo::default(),
            points: Memo::default(),
            service: Memo::default(),
            problems: Memo::default(),
            economy: Memo::default(),
        }
    }

    /// The database the hub reads.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The last change heard so far (0: none).
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    /// Every change from now on. The first call starts the hub (it must
    /// run on the async runtime).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        let receiver = self.changes.subscribe();
        self.started.get_or_init(|| {
            let commits = self.db.commits().subscribe();
            tokio::spawn(pump(
                self.db.clone(),
                commits,
                self.changes.clone(),
                self.seq.clone(),
            ));
        });
        self.subscribed.notify_waiters();
        receiver
    }

    /// Waits until the hub hears every instance's commits (see
    /// [`crate::db::commits::Commits::heard`]); call after `subscribe`.
    pub async fn heard(&self) {
        self.db.commits().heard().await
    }

    /// Receivers of changes now open (subscriptions, and one per socket).
    pub fn subscribers(&self) -> usize {
        self.changes.receiver_count()
    }

    /// Waits until at least `n` receivers are open and the hub hears
    /// commits (tests and benches use it to know a subscription is in
    /// place before they write).
    pub async fn wait_for_subscribers(&self, n: usize) {
        loop {
            let notified = self.subscribed.notified();
            if self.subscribers() >= n {
                break;
            }
            notified.await;
        }
        self.heard().await;
    }
}

/// Turns announcements into changes, in commit order.
async fn pump(
    db: Db,
    mut commits: broadcast::Receiver<crate::db::commits::Announcement>,
    changes: broadcast::Sender<Arc<Change>>,
    seq: Arc<AtomicU64>,
) {
    loop {
        let ids = match commits.recv().await {
            Ok(ids) => ids,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "live updates fell behind the commits");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        for chunk in ids.chunks(CHUNK) {
            let chunk = chunk.to_vec();
            let loaded = db.read(move |c| load(c, &chunk)).await;
            match loaded {
                Ok(list) => {
                    for (line, unit) in list {
                        let effect = effect_of(&line.action);
                        let change = Change {
                            seq: seq.fetch_add(1, Ordering::AcqRel) + 1,
                            // Only a unit's own JSON holds its strict ancestry.
                            before: (effect == Effect::Unit)
                                .then(|| place_in(line.before_json.as_deref()))
                                .flatten(),
                            effect,
                            line,
                            unit,
                        };
                        let _ = changes.send(Arc::new(change));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not load committed audit lines"),
            }
        }
    }
}

type Loaded = Vec<(AuditRow, Option<OrgUnit>)>;

/// The lines and the units they are filed under, in two statements.
fn load(conn: &mut crate::db::DbConnection, ids: &[i64]) -> AppResult<Loaded> {
    let lines: Vec<AuditRow> = crate::db::schema::audit_log::table
        .filter(l::id.eq_any(ids))
        .order(l::id.asc())
        .select(AuditRow::as_select())
        .load(conn)?;
    let unit_ids: Vec<i64> = lines.iter().filter_map(|l| l.unit_id).collect();
    let units: std::collections::HashMap<i64, OrgUnit> =
        read::find_many(conn, &crate::auth::Visibility::Everything, &unit_ids)?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    Ok(lines
        .into_iter()
        .map(|line| {
            let unit = line.unit_id.and_then(|id| units.get(&id).cloned());
            (line, unit)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_read_from_a_units_json() {
        let json = r#"{"id":9,"ancestry":[1,4,null,null],"name":"网格"}"#;
        let place = place_in(Some(json)).unwrap();
        assert_eq!((place.id, place.level), (9, Level::Grid));
        assert_eq!(place_in(Some(r#"{"role":"SECRETARY"}"#)), None);
        assert_eq!(effect_of("MOVE_UNIT"), Effect::Unit);
        assert_eq!(effect_of("END_POSITION"), Effect::People);
        assert_eq!(effect_of("GRANT_ROLE"), Effect::Access);
    }
}
