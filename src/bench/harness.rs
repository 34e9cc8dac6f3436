//! What the scenarios share: sampling targets, timing runs of a GraphQL
//! request through the schema, and a scoped ADMIN to ask as.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::{Request, Variables};
use diesel::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::queries::{figures, Figures};
use crate::auth::policy::{Grant, Role, Scope};
use crate::auth::{Session, Viewer, Visibility};
use crate::db::schema::org_units::dsl as u;
use crate::db::Db;
use crate::graphql::RequestContext;
use crate::state::AppState;

pub(crate) fn sample_ids(
    db: &Db,
    level: i32,
    n: usize,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<i64>> {
    let (lo, hi): (Option<i64>, Option<i64>) = db.read_blocking(|c| {
        Ok(u::org_units
            .filter(u::level.eq(level))
            .select((diesel::dsl::min(u::id), diesel::dsl::max(u::id)))
            .first(c)?)
    })?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        anyhow::bail!("no units at level {level}");
    };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let from = rng.random_range(lo..=hi);
        let id: i64 = db.read_blocking(|c| {
            Ok(u::org_units
                .filter(u::level.eq(level).and(u::id.ge(from)))
                .filter(u::dissolved_on.is_null())
                .select(u::id)
                .order(u::id)
                .first(c)?)
        })?;
        out.push(id);
    }
    Ok(out)
}

/// One request of a scenario: who asks, what, with which variables.
type Run = (Viewer, &'static str, serde_json::Value);

pub(crate) async fn time_runs(
    state: &AppState,
    only: &[String],
    name: &'static str,
    iterations: usize,
    mut next: impl FnMut(usize) -> Run,
) -> anyhow::Result<Option<Figures>> {
    if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
        return Ok(None);
    }
    let warmup = iterations / 10;
    let mut times = Vec::with_capacity(iterations);
    for i in 0..warmup + iterations {
        let (viewer, query, vars) = next(i);
        let request = Request::new(query)
            .variables(Variables::from_json(vars))
            .data(RequestContext::new(state.db.clone(), viewer));
        let started = Instant::now();
        let resp = state.schema.execute(request).await;
        let elapsed = started.elapsed();
        if !resp.errors.is_empty() {
            anyhow::bail!("{name}: {:?}", resp.errors);
        }
        if i >= warmup {
            times.push(elapsed);
        }
    }
    Ok(Some(figures(name, times)))
}

/// A signed-in ADMIN of one township, as the server sees them once the
/// token is resolved (grants cached).
pub(crate) fn township_admin(db: &Db, township: i64) -> anyhow::Result<Viewer> {
    let unit = db
        .read_blocking(|c| crate::tree::read::find(c, &Visibility::Everything, township))?
        .ok_or_else(|| anyhow::anyhow!("township {township} vanished"))?;
    Ok(Viewer::Account(Arc::new(Session {
        account_id: 0,
        username: "bench-admin".to_owned(),
        grants: vec![Grant {
            id: 0,
            role: Role::Admin,
            scope: Scope::Unit((&unit).into()),
        }],
        tokens_valid_after_ms: 0,
    })))
}

/// A MANAGER account at `unit` (made on first use), as a viewer: the
/// audit log names who wrote.
pub(crate) fn manager(
    db: &crate::db::Db,
    username: &str,
    unit: &crate::domain::OrgUnit,
) -> anyhow::Result<crate::auth::Viewer> {
    use crate::auth::policy::{Grant, Role, Scope};
    use crate::auth::{Session, Viewer};
    let name = username.to_owned();
    let existing = db.read_blocking(move |c| crate::accounts::store::find_by_username(c, &name))?;
    let account_id = match existing {
        Some(a) => a.id,
        None => {
            crate::accounts::bootstrap::create_with_grant(
                db,
                username,
                "压测管理员",
                &format!("{username}-password"),
                Role::Manager,
                Some(unit.id),
            )?
            .id
        }
    };
    Ok(Viewer::Account(std::sync::Arc::new(Session {
        account_id,
        username: username.to_owned(),
        grants: vec![Grant {
            id: 0,
            role: Role::Manager,
            scope: Scope::Unit(unit.into()),
        }],
        tokens_valid_after_ms: 0,
    })))
}
