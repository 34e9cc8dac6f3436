//! The audit log: every mutation (and every failed sign-in) records who,
//! when, what, on which target, before and after, and the request id —
//! in the same transaction as the change itself.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::Viewer;
use crate::db::ancestry::Beneath;
use crate::db::schema::audit_log::{self, dsl as l};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{Level, OrgUnit};
use crate::error::AppResult;
use crate::ids::{self, Kind};

/// Who is writing, when, and in which request.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub viewer: &'a Viewer,
    pub now: DateTime<Utc>,
    pub request_id: Option<&'a str>,
}

impl<'a> Actor<'a> {
    pub fn new(viewer: &'a Viewer, now: DateTime<Utc>, request_id: Option<&'a str>) -> Actor<'a> {
        Actor {
            viewer,
            now,
            request_id,
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub account_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub unit_id: Option<i64>,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

/// A line to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub at: NaiveDateTime,
    pub account_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub unit_id: Option<i64>,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

fn json<T: Serialize>(v: Option<&T>) -> Option<String> {
    v.and_then(|v| serde_json::to_string(v).ok())
}

impl AuditEntry {
    /// A change by `actor`, filed under `unit` (so the unit's and every
    /// ancestor scope's admins see it).
    pub fn new<T: Serialize>(
        actor: &Actor<'_>,
        action: &str,
        target: String,
        unit: Option<&OrgUnit>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> AuditEntry {
        let (username, account_id) = match actor.viewer {
            Viewer::Account(s) => (Some(s.username.clone()), Some(s.account_id)),
            Viewer::System => (Some("system".to_owned()), None),
            Viewer::Anonymous => (None, None),
        };
        let anc = unit.map(|u| u.ancestry.0).unwrap_or_default();
        AuditEntry {
            at: actor.now.naive_utc(),
            account_id,
            username,
            action: action.to_owned(),
            target: Some(target),
            unit_id: unit.map(|u| u.id),
            township_id: anc[0],
            village_id: anc[1],
            grid_id: anc[2],
            building_group_id: anc[3],
            before_json: json(before),
            after_json: json(after),
            request_id: actor.request_id.map(str::to_owned),
        }
    }

    /// A change to a unit of the tree.
    pub fn unit(
        actor: &Actor<'_>,
        action: &str,
        before: Option<&OrgUnit>,
        after: &OrgUnit,
    ) -> AuditEntry {
        let target = ids::encode(Kind::OrgUnit, after.id);
        AuditEntry::new(actor, action, target, Some(after), before, Some(after))
    }

    /// Something an account did to its own session (sign-in, rotation,
    /// sign-out, password change).
    pub fn session(
        account_id: i64,
        username: &str,
        action: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AuditEntry {
        AuditEntry {
            account_id: Some(account_id),
            action: action.to_owned(),
            target: Some(ids::encode(Kind::Account, account_id)),
            ..AuditEntry::login_failed(username, "", request_id, now)
        }
    }

    /// A failed sign-in (no account is known to have acted).
    pub fn login_failed(
        username: &str,
        client: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AuditEntry {
        AuditEntry {
            at: now.naive_utc(),
            account_id: None,
            username: Some(username.chars().take(64).collect()),
            action: "LOGIN_FAILED".to_owned(),
            target: Some(format!("client {client}")),
            unit_id: None,
            township_id: None,
            village_id: None,
            grid_id: None,
            building_group_id: None,
            before_json: None,
            after_json: None,
            request_id: request_id.map(str::to_owned),
        }
    }
}

/// Appends a line; once the transaction commits, it is announced to live
/// subscribers (`crate::db::commits`).
pub fn record(conn: &mut DbConnection, entry: &AuditEntry) -> AppResult<()> {
    let id: i64 = diesel::insert_into(audit_log::table)
        .values(entry)
        .returning(l::id)
        .get_result(conn)?;
    crate::db::commits::note(id);
    if ACCESS_CHANGES.contains(&entry.action.as_str()) {
        crate::db::commits::note_access_change();
    }
    Ok(())
}

/// The audited actions after which cached grants and sign-in sessions may
/// be wrong: their commits are announced as access changes, and every
/// instance forgets its cached access (`accounts::revocations`).
pub const ACCESS_CHANGES: [&str; 7] = [
    "GRANT_ROLE",
    "REVOKE_ROLE",
    "DISABLE_ACCOUNT",
    "UPDATE_ACCOUNT",
    "CHANGE_PASSWORD",
    "LOGOUT",
    "REFRESH_TOKEN_REUSED",
];

/// Which lines to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Lines filed under this unit or beneath it; `None`: the whole region
    /// (including sign-ins and grants at region level).
    pub under: Option<(i64, Level)>,
    pub account_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

type Boxed<'a> = audit_log::BoxedQuery<'a, MultiBackend>;

fn filtered(f: &AuditFilter) -> Boxed<'_> {
    let mut q: Boxed<'_> = audit_log::table.into_boxed();
    if let Some((id, level)) = f.under {
        q = q.filter(audit_log::table::at_or_beneath(id, level));
    }
    if let Some(a) = f.account_id {
        q = q.filter(l::account_id.eq(a));
    }
    if let Some(action) = &f.action {
        q = q.filter(l::action.eq(action.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(l::at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(l::at.lt(to));
    }
    q
}

/// One line, by id.
pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Option<AuditRow>> {
    Ok(audit_log::table
        .find(id)
        .select(AuditRow::as_select())
        .first(conn)
        .optional()?)
}

/// Newest first: lines with id below `before`, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    f: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let mut q = filtered(f);
    if let Some(b) = before {
        q = q.filter(l::id.lt(b));
    }
    Ok(q.order(l::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection, f: &AuditFilter) -> AppResult<i64> {
    Ok(filtered(f).select(diesel::dsl::count_star()).first(conn)?)
}

/// Keys of the audit JSON that hold a unit id (units, people, posts, grants).
const UNIT_ID_KEYS: [&str; 4] = ["parent_id", "host_unit_id", "unit_id", "scope"];

fn walk_ids(value: &serde_json::Value, out: &mut Vec<i64>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("ancestry", Value::Array(ids)) => {
                        out.extend(ids.iter().filter_map(Value::as_i64))
                    }
                    (k, Value::Number(n)) if UNIT_ID_KEYS.contains(&k) => out.extend(n.as_i64()),
                    _ => walk_ids(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk_ids(v, out)),
        _ => {}
    }
}

/// The unit ids an audit line's JSON refers to.
pub fn unit_ids_in(json: &str) -> Vec<i64> {
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        walk_ids(&value, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// `json` with every unit id that `seen` does not hold left out: an audit
/// line shows only the reader's own scope (a unit moved in from outside
/// keeps its name, not where it came from).
pub fn redact(json: &str, seen: &dyn Fn(i64) -> bool) -> String {
    use serde_json::Value;
    fn go(value: &mut Value, seen: &dyn Fn(i64) -> bool) {
        match value {
            Value::Object(map) => {
                map.retain(|k, v| {
                    !(UNIT_ID_KEYS.contains(&k.as_str()) && v.as_i64().is_some_and(|id| !seen(id)))
                });
                for (k, v) in map.iter_mut() {
                    if let ("ancestry", Value::Array(ids)) = (k.as_str(), &mut *v) {
                        for id in ids.iter_mut() {
                            if id.as_i64().is_some_and(|i| !seen(i)) {
                                *id = Value::Null;
                            }
                        }
                    } else {
                        go(v, seen);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| go(v, seen)),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(json) {
        Ok(mut value) => {
            go(&mut value, seen);
            value.to_string()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseen_unit_ids_are_left_out() {
        let line =
            r#"{"id":7,"parent_id":3,"host_unit_id":4,"ancestry":[1,3,null,null],"name":"网格"}"#;
        assert_eq!(unit_ids_in(line), vec![1, 3, 4]);
        let seen = |id: i64| id == 7 || id == 4;
        let out: serde_json::Value = serde_json::from_str(&redact(line, &seen)).unwrap();
        assert_eq!(
            out,
            serde_json::json!({ "id": 7, "host_unit_id": 4, "ancestry": [null, null, null, null], "name": "网格" })
        );
    }
}
