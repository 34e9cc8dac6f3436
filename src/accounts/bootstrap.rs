//! Accounts made by the server itself: the first ADMIN (CLI) and the demo
//! county's accounts.

use chrono::Utc;
use diesel::prelude::*;

use super::{grants, store};
use crate::auth::policy::Role;
use crate::auth::Viewer;
use crate::db::schema::org_units::dsl as u;
use crate::db::Db;
use crate::domain::Level;
use crate::error::{AppError, AppResult};

/// Creates an account with one grant, as the server (no policy check).
pub fn create_with_grant(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
    scope: Option<i64>,
) -> AppResult<super::Account> {
    db.write_blocking(|c| {
        let account = store::create(c, username, display_name, password, Utc::now())?;
        grants::grant(
            c,
            &Viewer::System,
            grants::Grantee::Created(account.id),
            role,
            scope,
            Utc::now(),
        )?;
        Ok(account)
    })
}

/// A unit's id and name.
type Named = (i64, String);

/// One demo account: username, role, scope name.
pub type DemoAccount = (&'static str, Role, String);

/// The demo accounts of docs/design.md's access model, on the demo county:
/// `demo-county` (ADMIN of the region), `demo-township` (ADMIN of 上梅街道),
/// `demo-village` (MANAGER of its first community), `demo-grid` (VIEWER of
/// that community's first grid). Existing ones are left as they are.
pub fn demo_accounts(db: &Db, password: &str) -> AppResult<Vec<DemoAccount>> {
    let first = |c: &mut crate::db::DbConnection,
                 level: Level,
                 parent: Option<i64>,
                 name: Option<&str>|
     -> AppResult<(i64, String)> {
        let mut q = u::org_units
            .filter(u::level.eq(level.number()))
            .filter(u::dissolved_on.is_null())
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(p) = parent {
            q = q.filter(u::parent_id.eq(p));
        }
        if let Some(n) = name {
            q = q.filter(u::name.eq(n.to_owned()));
        }
        q.order(u::id)
            .select((u::id, u::name))
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::conflict("the demo county is not loaded"))
    };
    let (township, village, grid) = db.read_blocking(|c| {
        let t = first(c, Level::Township, None, Some("上梅街道"))?;
        let v = first(c, Level::Village, Some(t.0), None)?;
        let g = first(c, Level::Grid, Some(v.0), None)?;
        Ok((t, v, g))
    })?;
    let wanted: [(&'static str, &str, Role, Option<Named>); 4] = [
        ("demo-county", "新化县委组织部", Role::Admin, None),
        (
            "demo-township",
            "上梅街道党工委",
            Role::Admin,
            Some(township),
        ),
        ("demo-village", "社区党总支", Role::Manager, Some(village)),
        ("demo-grid", "网格长", Role::Viewer, Some(grid)),
    ];
    let mut made = Vec::new();
    for (username, display, role, scope) in wanted {
        let exists = db
            .read_blocking(|c| store::find_by_username(c, username))?
            .is_some();
        let scope_name = scope
            .as_ref()
            .map_or_else(|| "新化县 (region)".to_owned(), |s| s.1.clone());
        if !exists {
            create_with_grant(db, username, display, password, role, scope.map(|s| s.0))?;
        }
        made.push((username, role, scope_name));
    }
    Ok(made)
}
