//! The write scenarios: create a grid, change a grid's form, move a
//! village between two townships (each target in turn, so no write repeats
//! on a warm row).

use diesel::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::harness::{sample_ids, time_runs};
use super::queries::{Figures, CREATE, FORM, MOVE};
use crate::auth::Viewer;
use crate::db::schema::org_units::dsl as u;
use crate::graphql::ids::{encode, Kind};
use crate::state::AppState;

/// Times the writes `only` selects, `n` runs each, on villages and
/// townships sampled by the caller.
pub(super) async fn run(
    state: &AppState,
    only: &[String],
    n: usize,
    (townships, villages): (&[i64], &[i64]),
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<Figures>> {
    let db = state.db.clone();
    let id = |n: i64| json!(encode(Kind::OrgUnit, n).to_string());
    let region = || Viewer::System;
    let mut results = Vec::new();
    results.extend(
        time_runs(state, only, "create a grid", n, |i| {
            let parent = id(villages[i % villages.len()]);
            (
                region(),
                CREATE,
                json!({ "parent": parent, "name": format!("压测网格{i}") }),
            )
        })
        .await?,
    );
    let grids = sample_ids(&db, 3, 256, rng)?;
    results.extend(
        time_runs(state, only, "change a grid's organization form", n, |i| {
            // Each grid flips between two forms, never to or from AFFILIATED.
            let form = if (i / grids.len()) % 2 == 0 {
                "BRANCH"
            } else {
                "PARTY_GROUP"
            };
            (
                region(),
                FORM,
                json!({ "id": id(grids[i % grids.len()]), "form": form }),
            )
        })
        .await?,
    );
    // Villages of other townships, each moved back and forth between two
    // townships (never to where it already is).
    let (a, b) = (townships[1], townships[2]);
    let movers: Vec<i64> = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(2))
            .filter(u::township_id.ne(a).and(u::township_id.ne(b)))
            .filter(u::dissolved_on.is_null())
            .select(u::id)
            .order(u::id)
            .limit(64)
            .load::<i64>(c)?)
    })?;
    results.extend(
        time_runs(state, only, "move a village to another township", n, |i| {
            let village = movers[i % movers.len()];
            let to = if (i / movers.len()) % 2 == 0 { a } else { b };
            (region(), MOVE, json!({ "id": id(village), "to": id(to) }))
        })
        .await?,
    );
    Ok(results)
}
