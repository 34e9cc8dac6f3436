//! Property test: random sequences of creates, moves, form changes,
//! dissolves and restores, each with an effective date, keep every tree
//! invariant, a rejected write leaves the database exactly as it was, and
//! coverage as of every past day agrees with a replay of the history.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use proptest::prelude::*;

use grassroots::audit::Actor;
use grassroots::auth::policy::UnitRef;
use grassroots::auth::{Viewer, Visibility};
use grassroots::db::models::OrgUnitRow;
use grassroots::db::schema::org_units;
use grassroots::db::{Db, DbConnection};
use grassroots::domain::coverage::CoverageKey;
use grassroots::domain::history::UnitState;
use grassroots::domain::{Level, OrgForm, OrgUnit, Page, Patch, TeamCategory, UnitType};
use grassroots::ids::UnitId;
use grassroots::tree::{coverage, history, read, write, NewUnit, UnitFilter, UnitPatch};
use grassroots::AppResult;

#[derive(Debug, Clone)]
enum Op {
    Create {
        parent: usize,
        kind: u8,
        form: u8,
        code: u8,
    },
    Move {
        unit: usize,
        parent: usize,
    },
    Form {
        unit: usize,
        form: u8,
        host: usize,
    },
    Dissolve {
        unit: usize,
    },
    Restore {
        unit: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(parent, kind, form, code)| Op::Create { parent, kind, form, code }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(unit, parent)| Op::Move { unit, parent }),
        1 => (any::<usize>(), any::<u8>(), any::<usize>()).prop_map(|(unit, form, host)| Op::Form { unit, form, host }),
        1 => any::<usize>().prop_map(|unit| Op::Dissolve { unit }),
        1 => any::<usize>().prop_map(|unit| Op::Restore { unit }),
    ]
}

fn all_units(conn: &mut DbConnection) -> AppResult<Vec<OrgUnit>> {
    let rows: Vec<OrgUnitRow> = org_units::table
        .select(OrgUnitRow::as_select())
        .order(org_units::id)
        .load(conn)?;
    rows.into_iter().map(OrgUnit::try_from).collect()
}

/// The clock of every write here: 2024-01-01, a second per step.
fn clock(step: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + chrono::Duration::seconds(i64::from(step))
}

/// A write's effective date: three days a step from 2023-01-01, some a few
/// days back (and so sometimes before a change already recorded: refused).
fn effective(step: u32, back: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default()
        + chrono::Duration::days(i64::from(step) * 3 - i64::from(back % 8))
}

fn apply(
    conn: &mut DbConnection,
    units: &[OrgUnit],
    op: &Op,
    step: u32,
    back: Option<u8>,
) -> AppResult<OrgUnit> {
    let viewer = Viewer::System;
    let actor = Actor::new(&viewer, clock(step), None);
    let on = back.map(|b| effective(step, b));
    let pick = |i: usize| units.get(i % units.len().max(1)).cloned();
    match op {
        Op::Create {
            parent,
            kind,
            form,
            code,
        } => {
            let parent = if units.is_empty() || parent % 5 == 0 {
                None
            } else {
                pick(*parent)
            };
            let level = parent.as_ref().map_or(Level::Township, |p| {
                Level::from_number(p.level().number() + 1).unwrap_or(Level::VolunteerTeam)
            });
            // Mostly a type that fits, sometimes any type at all.
            let fitting: Vec<UnitType> = UnitType::ALL
                .iter()
                .copied()
                .filter(|t| t.level() == level)
                .collect();
            let unit_type = if kind % 7 == 0 {
                UnitType::ALL[usize::from(*kind) % UnitType::ALL.len()]
            } else {
                fitting[usize::from(*kind) % fitting.len().max(1)]
            };
            let org_form = (unit_type.level() != Level::VolunteerTeam && form % 3 != 0)
                .then(|| OrgForm::ALL[usize::from(*form) % OrgForm::ALL.len()]);
            let host_unit_id = (org_form == Some(OrgForm::Affiliated))
                .then(|| {
                    parent.as_ref().and_then(|p| {
                        if form % 2 == 0 {
                            Some(p.unit_id())
                        } else {
                            p.ancestry.ids().first().copied().map(UnitId)
                        }
                    })
                })
                .flatten();
            let new = NewUnit {
                parent_id: parent.map(|p| p.unit_id()),
                unit_type,
                name: format!("单元{step}"),
                code: (code % 4 == 0).then(|| format!("C{}", code % 16)),
                org_form,
                host_unit_id,
                team_category: (unit_type.level() == Level::VolunteerTeam)
                    .then_some(TeamCategory::Other),
                founded_on: None,
                service_station: None,
                wechat_group: None,
                notes: None,
                effective_on: on,
            };
            write::create(conn, &actor, new)
        }
        Op::Move { unit, parent } => {
            let (Some(u), Some(p)) = (pick(*unit), pick(*parent)) else {
                return Err(grassroots::AppError::conflict("empty"));
            };
            write::move_unit(conn, &actor, u.unit_id(), p.unit_id(), on)
        }
        Op::Form { unit, form, host } => {
            let Some(u) = pick(*unit) else {
                return Err(grassroots::AppError::conflict("empty"));
            };
            let form = OrgForm::ALL[usize::from(*form) % OrgForm::ALL.len()];
            let patch = UnitPatch {
                org_form: Some(form),
                host_unit_id: if form == OrgForm::Affiliated {
                    pick(*host).map_or(Patch::Keep, |h| Patch::Set(h.unit_id()))
                } else {
                    Patch::Keep
                },
                effective_on: on,
                ..UnitPatch::default()
            };
            write::update(conn, &actor, u.unit_id(), patch)
        }
        Op::Dissolve { unit } => {
            let Some(u) = pick(*unit) else {
                return Err(grassroots::AppError::conflict("empty"));
            };
            write::dissolve(
                conn,
                &actor,
                u.unit_id(),
                on.unwrap_or(clock(step).date_naive()),
                "调整",
            )
        }
        Op::Restore { unit } => {
            let Some(u) = pick(*unit) else {
                return Err(grassroots::AppError::conflict("empty"));
            };
            write::restore(conn, &actor, u.unit_id(), on)
        }
    }
}

/// Every invariant, checked against a brute-force walk of the rows.
/// `totalCount` from the counters equals the count of rows, beneath
/// `under` (or everywhere), for every level, form and chain-gap filter.
fn totals_agree(
    c: &mut DbConnection,
    visibility: &Visibility,
    under: Option<UnitRef>,
) -> AppResult<()> {
    let levels = std::iter::once(None).chain(Level::ALL.iter().copied().map(Some));
    for level in levels {
        for childless in [false, true] {
            for org_form in [None, Some(OrgForm::None), Some(OrgForm::PartyGroup)] {
                let filter = UnitFilter {
                    under,
                    level,
                    org_form,
                    childless,
                    ..UnitFilter::default()
                };
                let (counted, rows) = (
                    read::count(c, visibility, &filter)?,
                    read::count_rows(c, visibility, &filter)?,
                );
                if counted != rows {
                    return Err(grassroots::AppError::internal(format!(
                        "{counted} counted, {rows} rows: {filter:?}"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn check(db: &Db) -> Result<(), TestCaseError> {
    let units = db
        .read_blocking(all_units)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let by_id: HashMap<i64, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    // Each unit's stored count of active children equals a recount.
    let stored: Vec<(i64, i32)> = db
        .read_blocking(|c| {
            Ok(org_units::table
                .select((org_units::id, org_units::active_children))
                .load(c)?)
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (id, n) in stored {
        let recount = units
            .iter()
            .filter(|k| k.parent_id == Some(id) && k.is_active())
            .count();
        prop_assert_eq!(n as usize, recount, "active children of {}", id);
    }
    let mut active_codes = HashSet::new();
    for u in &units {
        // Levels and parents.
        match u.parent_id {
            None => prop_assert_eq!(u.level(), Level::Township),
            Some(p) => {
                let parent = by_id[&p];
                prop_assert_eq!(parent.level().number() + 1, u.level().number());
                if u.is_active() {
                    prop_assert!(parent.is_active(), "active {} under dissolved {}", u.id, p);
                }
            }
        }
        // Stored ancestry equals the walk up the parents.
        let mut walk = [None; 4];
        let mut cur = u.parent_id;
        while let Some(id) = cur {
            let a = by_id[&id];
            walk[a.level().number() as usize - 1] = Some(id);
            cur = a.parent_id;
        }
        prop_assert_eq!(u.ancestry.0, walk, "ancestry of {}", u.id);
        // Forms, hosts, categories.
        prop_assert_eq!(u.org_form.is_none(), u.level() == Level::VolunteerTeam);
        prop_assert_eq!(u.team_category.is_some(), u.level() == Level::VolunteerTeam);
        if let Some(f) = u.org_form {
            prop_assert!(f.allowed_at(u.level()));
        }
        prop_assert_eq!(
            u.host_unit_id.is_some(),
            u.org_form == Some(OrgForm::Affiliated)
        );
        if let Some(h) = u.host_unit_id {
            prop_assert!(
                u.ancestry.contains(h),
                "host {} of {} is not an ancestor",
                h,
                u.id
            );
        }
        if let (true, Some(code)) = (u.is_active(), &u.code) {
            prop_assert!(active_codes.insert(code.clone()), "code {} twice", code);
        }
    }
    // Counts, subtree counts and pages against brute force.
    let keys: Vec<(i64, Level)> = units.iter().map(|u| (u.id, u.level())).collect();
    let visibility = Visibility::Everything;
    let (counts, per_unit) = db
        .read_blocking(|c| {
            let counts = read::subtree_counts(c, &keys)?;
            totals_agree(c, &visibility, None)?;
            let mut per_unit = Vec::new();
            for u in &units {
                let filter = UnitFilter {
                    under: Some(u.into()),
                    ..UnitFilter::default()
                };
                let total = read::count(c, &visibility, &filter)?;
                totals_agree(c, &visibility, Some(u.into()))?;
                let mut ids = Vec::new();
                let mut after = None;
                loop {
                    let page = read::list(
                        c,
                        &visibility,
                        &filter,
                        Page::new(Some(3), after, None, None)?,
                        None,
                    )?;
                    ids.extend(page.items.iter().map(|x| x.id));
                    after = page.items.last().map(|x| x.id);
                    if !page.has_next_page {
                        break;
                    }
                }
                per_unit.push((u.id, total, ids));
            }
            Ok((counts, per_unit))
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (id, total, ids) in per_unit {
        let expected: Vec<i64> = units
            .iter()
            .filter(|d| d.is_active() && d.ancestry.contains(id))
            .map(|d| d.id)
            .collect();
        prop_assert_eq!(total, expected.len() as i64, "count under {}", id);
        prop_assert_eq!(&ids, &expected, "pages under {}", id);
        let mut per_level = [0i64; 5];
        for d in units
            .iter()
            .filter(|d| d.is_active() && d.ancestry.contains(id))
        {
            per_level[d.level().number() as usize - 1] += 1;
        }
        prop_assert_eq!(
            counts.get(&id).copied().unwrap_or_default(),
            per_level,
            "subtree counts of {}",
            id
        );
    }
    // Coverage counters against a recount, for the region and every unit
    // of levels 1-3.
    let mut children: HashMap<i64, i64> = HashMap::new();
    for d in units.iter().filter(|d| d.is_active()) {
        if let Some(p) = d.parent_id {
            *children.entry(p).or_default() += 1;
        }
    }
    let key_of = |d: &OrgUnit| {
        let host = d.host_unit_id.map(|h| by_id[&h]);
        CoverageKey::of(d, host, children.get(&d.id).copied().unwrap_or_default())
    };
    let scopes: Vec<i64> = std::iter::once(coverage::REGION)
        .chain(
            units
                .iter()
                .filter(|u| u.level().number() <= 3)
                .map(|u| u.id),
        )
        .collect();
    for scope in scopes {
        let mut want: HashMap<CoverageKey, i64> = HashMap::new();
        for d in units
            .iter()
            .filter(|d| scope == coverage::REGION || d.ancestry.contains(scope))
        {
            if let Some(k) = key_of(d) {
                *want.entry(k).or_default() += 1;
            }
        }
        let mut got: Vec<(CoverageKey, i64)> = db
            .read_blocking(|c| coverage::counts(c, scope))
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .collect();
        got.sort();
        let mut want: Vec<(CoverageKey, i64)> = want.into_iter().collect();
        want.sort();
        prop_assert_eq!(got, want, "coverage counters of scope {}", scope);
    }
    Ok(())
}

/// One `unit_history` row, as the replay reads it.
type Row = (
    i64,
    i64,
    NaiveDate,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
    bool,
);

/// The state of every unit at the end of `day`, from the history rows alone.
fn states_on(rows: &[Row], day: NaiveDate) -> HashMap<i64, UnitState> {
    let mut out = HashMap::new();
    for (_, unit, on, parent, unit_type, form, host, active) in rows {
        if *on <= day {
            let state = UnitState {
                parent_id: *parent,
                unit_type: unit_type.parse().unwrap_or(UnitType::Township),
                org_form: form.as_ref().and_then(|f| f.parse().ok()),
                host_unit_id: *host,
                active: *active,
            };
            out.insert(*unit, state);
        }
    }
    out
}

/// Coverage as of every day the history mentions (and the day before the
/// first) agrees with a brute-force recount of the tree replayed from
/// `unit_history`, for the region, every scope unit's counters, and each
/// unit's own counter; and the replayed tree of the last day is today's.
fn history_replays(db: &Db) -> Result<(), TestCaseError> {
    use grassroots::db::schema::unit_history::dsl as uh;
    let fail = |e: grassroots::AppError| TestCaseError::fail(e.to_string());
    let rows: Vec<Row> = db
        .read_blocking(|c| {
            Ok(uh::unit_history
                .order(uh::id)
                .select((
                    uh::id,
                    uh::unit_id,
                    uh::effective_on,
                    uh::parent_id,
                    uh::unit_type,
                    uh::org_form,
                    uh::host_unit_id,
                    uh::active,
                ))
                .load(c)?)
        })
        .map_err(fail)?;
    let mut days: Vec<NaiveDate> = rows.iter().map(|r| r.2).collect();
    days.sort();
    days.dedup();
    for w in rows.windows(2).filter(|w| w[0].1 == w[1].1) {
        prop_assert!(w[0].2 <= w[1].2, "history of {} out of date order", w[0].1);
    }
    let Some(first) = days.first().copied() else {
        return Ok(());
    };
    let units = db.read_blocking(all_units).map_err(fail)?;
    let last = states_on(&rows, days[days.len() - 1]);
    for u in &units {
        prop_assert_eq!(
            last.get(&u.id),
            Some(&UnitState::from(u)),
            "history of {} ends elsewhere",
            u.id
        );
    }
    days.insert(0, first.pred_opt().unwrap_or(first));
    for day in days {
        let states = states_on(&rows, day);
        let mut children: HashMap<i64, i64> = HashMap::new();
        for s in states.values().filter(|s| s.active) {
            if let Some(p) = s.parent_id {
                *children.entry(p).or_default() += 1;
            }
        }
        let key = |id: i64| {
            let s = &states[&id];
            let host = s.host_unit_id.and_then(|h| states.get(&h));
            let can_host = host
                .is_some_and(|h| h.active && h.org_form.is_some_and(OrgForm::is_own_organization));
            CoverageKey::from_parts(
                s.unit_type,
                s.org_form,
                s.active,
                can_host,
                children.get(&id).copied().unwrap_or_default(),
            )
        };
        let ancestors = |mut id: i64| {
            let mut out = vec![coverage::REGION];
            while let Some(p) = states[&id].parent_id {
                out.push(p);
                id = p;
            }
            out
        };
        let mut want: HashMap<i64, HashMap<CoverageKey, i64>> = HashMap::new();
        for id in states.keys() {
            if let Some(k) = key(*id) {
                for scope in ancestors(*id) {
                    *want.entry(scope).or_default().entry(k).or_default() += 1;
                }
            }
        }
        let scopes: Vec<i64> = std::iter::once(coverage::REGION)
            .chain(
                units
                    .iter()
                    .filter(|u| u.level().number() <= 3)
                    .map(|u| u.id),
            )
            .collect();
        for scope in scopes {
            let mut got = db
                .read_blocking(|c| history::counts_at(c, scope, day))
                .map_err(fail)?;
            got.sort();
            let mut expected: Vec<(CoverageKey, i64)> = want
                .remove(&scope)
                .unwrap_or_default()
                .into_iter()
                .collect();
            expected.sort();
            prop_assert_eq!(got, expected, "coverage of scope {} as of {}", scope, day);
        }
        for u in &units {
            let got = db
                .read_blocking(|c| history::key_at(c, u.id, day))
                .map_err(fail)?;
            let expected = states.contains_key(&u.id).then(|| key(u.id)).flatten();
            prop_assert_eq!(got, expected, "own counter of {} as of {}", u.id, day);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    match crate::common::backend() {
        Some(crate::common::Backend::Postgres(_)) => 12,
        _ => 48,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_writes_keep_the_tree_valid(ops in prop::collection::vec((op(), any::<u8>()), 1..40)) {
        let Some(test_db) = crate::common::TestDb::new() else { return Ok(()) };
        let db = &test_db.db;
        for (step, (op, back)) in ops.iter().enumerate() {
            let before = db.read_blocking(all_units).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back = (back % 4 != 0).then_some(*back);
            let result = db.write_blocking(|c| apply(c, &before, op, step as u32, back));
            let after = db.read_blocking(all_units).map_err(|e| TestCaseError::fail(e.to_string()))?;
            match result {
                Ok(unit) => {
                    let stored = after.iter().find(|u| u.id == unit.id);
                    prop_assert_eq!(stored, Some(&unit), "returned unit differs from the stored one after {:?}", op);
                }
                Err(e) => {
                    prop_assert!(!matches!(e, grassroots::AppError::Internal(_)), "internal error on {:?}: {}", op, e);
                    prop_assert_eq!(&before, &after, "rejected {:?} changed the data", op);
                }
            }
            check(db)?;
        }
        history_replays(db)?;
    }
}

/// Moves and creates from several threads at once (truly concurrent on
/// PostgreSQL) leave every ancestry consistent.
#[test]
fn concurrent_moves_and_creates_keep_ancestry_consistent() {
    let Some(test_db) = crate::common::TestDb::new() else {
        return;
    };
    let db = test_db.db.clone();
    // Two townships, four villages, eight grids.
    let seed = [
        Op::Create {
            parent: 0,
            kind: 1,
            form: 1,
            code: 1,
        },
        Op::Create {
            parent: 0,
            kind: 1,
            form: 1,
            code: 1,
        },
    ];
    for (i, op) in seed.iter().enumerate() {
        let units = db.read_blocking(all_units).expect("units");
        db.write_blocking(|c| apply(c, &units, op, i as u32, None))
            .expect("seed township");
    }
    let add = |parent_level: Level, unit_type: UnitType, n: usize| {
        for i in 0..n {
            let units = db.read_blocking(all_units).expect("units");
            let parents: Vec<&OrgUnit> =
                units.iter().filter(|u| u.level() == parent_level).collect();
            let parent = parents[i % parents.len()].unit_id();
            let new = NewUnit::named(Some(parent), unit_type, format!("{unit_type}{i}"));
            db.write_blocking(|c| {
                write::create(c, &Actor::new(&Viewer::System, clock(0), None), new)
            })
            .expect("seed");
        }
    };
    add(Level::Township, UnitType::Village, 4);
    add(Level::Village, UnitType::RuralGrid, 8);

    std::thread::scope(|scope| {
        for worker in 0..4u32 {
            let db = db.clone();
            scope.spawn(move || {
                for step in 0..25u32 {
                    let units = db.read_blocking(all_units).expect("units");
                    let n = (worker * 31 + step * 7) as usize;
                    let op = match step % 3 {
                        0 => Op::Move {
                            unit: n,
                            parent: n / 3,
                        },
                        1 => Op::Create {
                            parent: n | 1,
                            kind: 1,
                            form: 2,
                            code: 1,
                        },
                        _ => Op::Move {
                            unit: n + 5,
                            parent: n + 1,
                        },
                    };
                    let _ = db.write_blocking(|c| apply(c, &units, &op, worker * 100 + step, None));
                }
            });
        }
    });
    if let Err(e) = check(&db) {
        panic!("{e}");
    }
}
