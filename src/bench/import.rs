//! The import benchmark: a generated roster of people in the tree's
//! building groups (a fifth of them volunteers), imported as a dry run:
//! every row checked and written through the API's writes, then rolled
//! back, so the database stays as it was and runs can repeat.

use std::time::Instant;

use diesel::prelude::*;

use super::queries::{figures, Figures};
use crate::auth::Viewer;
use crate::db::schema::org_units::dsl as u;
use crate::db::Db;
use crate::import::{import_bytes, ImportKind};

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

/// Times `runs` dry-run imports of the generated roster.
pub async fn time_import(db: &Db, runs: usize) -> anyhow::Result<Figures> {
    let bytes = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || roster(&db, ROWS)).await??
    };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (db, bytes) = (db.clone(), bytes.clone());
        let started = Instant::now();
        let report = tokio::task::spawn_blocking(move || {
            import_bytes(
                &db,
                &Viewer::System,
                ImportKind::People,
                "roster.csv",
                &bytes,
                true,
            )
        })
        .await??;
        times.push(started.elapsed());
        anyhow::ensure!(report.rows == ROWS, "imported {} rows", report.rows);
    }
    Ok(figures("import 100,000 people from CSV (dry run)", times))
}
