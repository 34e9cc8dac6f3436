//! The points system's scenarios (issue 12): recording a point as a
//! village MANAGER, 琅塘镇's year-end ranking, the region's summary of a
//! year, and a village's ledger export. They need the demo's households
//! and 琅塘镇's records (`grassroots demo`).

use std::time::Instant;

use chrono::Datelike;
use diesel::prelude::*;
use serde_json::json;

use super::harness::time_runs;
use super::queries::{figures, Figures};
use crate::auth::{Viewer, Visibility};
use crate::db::schema::households::dsl as h;
use crate::db::schema::org_units::dsl as u;
use crate::db::schema::points_items::dsl as it;
use crate::graphql::ids::{encode, Kind};
use crate::report::points::PointsExport;
use crate::report::Format;
use crate::state::AppState;

const RECORD: &str = "mutation Record($h: ID!, $i: ID!) { recordPoints(householdId: $h, itemId: $i, note: \"压测\") { id points } }";
const RANKING: &str = "query Ranking($u: ID!, $y: Int!) { pointsRanking(under: $u, year: $y, top: 200, bottom: 5, per: VILLAGE) { scored top { rank points household { address } } bottom { unit { name } households { rank points } } } }";
const SUMMARY: &str = "query Summary($y: Int!) { pointsSummary(year: $y) { households scored participationRate records added deducted byCategory { category records added deducted } } }";

/// Every scenario's name, for `--only`.
pub(super) const NAMES: [&str; 4] = [
    "record a point (village MANAGER)",
    "pointsRanking of 琅塘镇: top 200, bottom 5 per village",
    "pointsSummary of the whole region for a year",
    "ledger export of a village (xlsx)",
];

fn wanted(only: &[String], name: &str) -> bool {
    only.is_empty() || only.iter().any(|w| name.contains(w.as_str()))
}

/// Times the points scenarios `only` selects, `n` runs each.
pub(super) async fn run(
    state: &AppState,
    only: &[String],
    n: usize,
) -> anyhow::Result<Vec<Figures>> {
    if !NAMES.iter().any(|name| wanted(only, name)) {
        return Ok(Vec::new());
    }
    let db = state.db.clone();
    let (township, village, households, item) = db
        .read_blocking(|c| {
            let township: i64 = u::org_units
                .filter(u::name.eq("琅塘镇"))
                .select(u::id)
                .order(u::id)
                .first(c)?;
            let village: crate::domain::OrgUnit = {
                let id: i64 = u::org_units
                    .filter(u::township_id.eq(township))
                    .filter(u::level.eq(2))
                    .select(u::id)
                    .order(u::id)
                    .first(c)?;
                crate::tree::read::find(c, &Visibility::Everything, id)?
                    .ok_or_else(|| crate::AppError::internal("the village vanished"))?
            };
            let households: Vec<i64> = h::households
                .filter(h::village_id.eq(village.id))
                .filter(h::closed_on.is_null())
                .select(h::id)
                .order(h::id)
                .limit(500)
                .load(c)?;
            // An hour of volunteer service: one point, capped at 60 a year.
            let list =
                crate::points::lists::in_force(c, &village, chrono::Utc::now().date_naive())?
                    .ok_or_else(|| {
                        crate::AppError::internal("no points list in force in 琅塘镇")
                    })?;
            let item: i64 = it::points_items
                .filter(it::list_id.eq(list.id))
                .filter(it::code.eq("ZY02"))
                .select(it::id)
                .first(c)?;
            Ok((township, village, households, item))
        })
        .map_err(|e| anyhow::anyhow!("the points scenarios need `grassroots demo`: {e}"))?;
    let manager = super::harness::manager(&db, "bench-village-manager", &village)?;
    let last = chrono::Utc::now().year() - 1;
    let mut out = Vec::new();
    let item = json!(encode(Kind::PointsItem, item).to_string());
    out.extend(
        time_runs(state, only, NAMES[0], n, |i| {
            let household = households[i % households.len()];
            let vars = json!({ "h": encode(Kind::Household, household).to_string(), "i": item });
            (manager.clone(), RECORD, vars)
        })
        .await?,
    );
    let under = json!(encode(Kind::OrgUnit, township).to_string());
    out.extend(
        time_runs(state, only, NAMES[1], n, |_| {
            (Viewer::System, RANKING, json!({ "u": under, "y": last }))
        })
        .await?,
    );
    out.extend(
        time_runs(state, only, NAMES[2], n, |_| {
            (Viewer::System, SUMMARY, json!({ "y": last }))
        })
        .await?,
    );
    if wanted(only, NAMES[3]) {
        let runs = (n / 20).max(5);
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let village = village.clone();
            let started = Instant::now();
            let bytes = db.read_blocking(move |c| {
                PointsExport::ledger(c, &village, None)?.render(Format::Xlsx)
            })?;
            times.push(started.elapsed());
            anyhow::ensure!(bytes.len() > 1_000, "an empty ledger");
        }
        out.push(figures(NAMES[3], times));
    }
    Ok(out)
}
