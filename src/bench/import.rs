//! The import benchmark: a generated roster of people in the tree's
//! building groups (a fifth of them volunteers). It times the two passes of
//! an import separately, and leaves the database as it was, so runs can
//! repeat: the dry run (the rehearsal on a read snapshot, which takes no
//! write lock), and the apply pass alone in a transaction that is then
//! rolled back (how long a real import holds the write lock). And it times
//! one unrelated write made while that apply runs: how long it waits.

use std::time::Instant;

use diesel::prelude::*;

use chrono::Utc;

use super::queries::{figures, Figures};
use crate::audit::Actor;
use crate::auth::Viewer;
use crate::db::schema::org_units::dsl as u;
use crate::db::Db;
use crate::domain::Patch;
use crate::error::AppError;
use crate::ids::UnitId;
use crate::import::{apply, import, read, Format, ImportKind};
use crate::limits::ReadLimits;
use crate::tree::{write, UnitPatch};

/// Rows in the generated roster.
pub const ROWS: usize = 100_000;

/// A CSV of `rows` people spread over the building groups.
fn roster(db: &Db, rows: usize) -> anyhow::Result<Vec<u8>> {
    let codes: Vec<String> = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(4))
            .filter(u::dissolved_on.is_null())
            .filter(u::code.is_not_null())
            .select(u::code.assume_not_null())
            .order(u::id)
            .limit(rows as i64 / 4)
            .load::<String>(c)?)
    })?;
    anyhow::ensure!(
        !codes.is_empty(),
        "no building groups to import people into"
    );
    let mut csv = String::from(
        "name,gender,birth_date,phone,education,political_status,unit_code,role,started_on\n",
    );
    for i in 0..rows {
        let gender = if i % 2 == 0 { "男" } else { "女" };
        let status = ["群众", "正式党员", "入党积极分子", "群众"][i % 4];
        let role = if i % 5 == 0 { "志愿者" } else { "" };
        csv.push_str(&format!(
            "导入{i},{gender},{}-{:02}-{:02},139{:08},高中/中专,{status},{},{role},2024-01-01\n",
            1950 + i % 50,
            1 + i % 12,
            1 + i % 28,
            i,
            codes[i % codes.len()]
        ));
    }
    Ok(csv.into_bytes())
}

/// Names of the import scenarios (for `--only`).
pub const NAMES: [&str; 3] = [
    "import 100,000 people: dry run (no write lock)",
    "import 100,000 people: apply (write lock held)",
    "one unrelated write during that apply",
];

/// Times `runs` of each import scenario on the generated roster.
pub async fn time_import(db: &Db, runs: usize) -> anyhow::Result<Vec<Figures>> {
    let bytes = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || roster(&db, ROWS)).await??
    };
    let db = db.clone();
    tokio::task::spawn_blocking(move || time_blocking(&db, &bytes, runs.max(1))).await?
}

fn time_blocking(db: &Db, bytes: &[u8], runs: usize) -> anyhow::Result<Vec<Figures>> {
    let sheet = read(bytes, Format::Csv, &ReadLimits::default())?;
    let (mut dry, mut held, mut waited) = (Vec::new(), Vec::new(), Vec::new());
    let other = unrelated_unit(db)?;
    for _ in 0..runs {
        let actor = Actor::new(&Viewer::System, Utc::now(), None);
        let started = Instant::now();
        let report = import(db, &actor, ImportKind::People, &sheet, true)?;
        dry.push(started.elapsed());
        anyhow::ensure!(report.rows == ROWS, "rehearsed {} rows", report.rows);

        // The apply pass on one thread; one write on this one, sent once
        // the apply holds the lock.
        let (began_tx, began_rx) = std::sync::mpsc::channel();
        let (report, wait) = std::thread::scope(|s| {
            let applying = s.spawn(|| {
                let actor = Actor::new(&Viewer::System, Utc::now(), None);
                let mut answer = None;
                let started = Instant::now();
                let _ = db.write_blocking(|c| {
                    let _ = began_tx.send(());
                    answer = Some(apply(c, &actor, ImportKind::People, &sheet));
                    Err::<(), _>(AppError::internal("rolled back: a benchmark"))
                });
                (answer, started.elapsed())
            });
            let _ = began_rx.recv();
            let asked = Instant::now();
            let wrote = db.write_blocking(|c| {
                let actor = Actor::new(&Viewer::System, Utc::now(), None);
                let patch = UnitPatch {
                    notes: Patch::Set(format!("bench {}", Utc::now())),
                    ..UnitPatch::default()
                };
                write::update(c, &actor, other, patch)?;
                Err::<(), _>(AppError::internal("rolled back: a benchmark"))
            });
            let wait = asked.elapsed();
            (applying.join(), (wrote, wait))
        });
        let (answer, took) = report.map_err(|_| anyhow::anyhow!("the apply thread panicked"))?;
        let answer = answer.ok_or_else(|| anyhow::anyhow!("the apply never ran"))??;
        anyhow::ensure!(answer.rows == ROWS, "applied {} rows", answer.rows);
        held.push(took);
        anyhow::ensure!(
            matches!(&wait.0, Err(AppError::Internal(m)) if m.contains("benchmark")),
            "the unrelated write failed: {:?}",
            wait.0
        );
        waited.push(wait.1);
    }
    Ok(vec![
        figures(NAMES[0], dry),
        figures(NAMES[1], held),
        figures(NAMES[2], waited),
    ])
}

/// A village none of the roster's people live in (the last one made).
fn unrelated_unit(db: &Db) -> anyhow::Result<UnitId> {
    let id: i64 = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(2))
            .filter(u::dissolved_on.is_null())
            .order(u::id.desc())
            .select(u::id)
            .first(c)?)
    })?;
    Ok(UnitId(id))
}
