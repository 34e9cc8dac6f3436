//! Access changes made by any instance, applied by every instance at once.
//! Each instance caches an account's grants and whether a sign-in session
//! is live (`cache`); the instance that changes them forgets its own
//! entries, and every other instance hears of each committed access change
//! (`audit::ACCESS_CHANGES`, announced as such by `db::commits` through
//! PostgreSQL `LISTEN/NOTIFY`) and forgets all its cached access. Without this a revoked grant would keep
//! working on the other instances until their cache entries expired
//! (`GRASSROOTS_GRANTS_CACHE`).

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;

use super::sessions::AuthService;
use crate::db::Db;

/// Starts forgetting `auth`'s cached access whenever a committed write
/// (of any instance) changed it, and when announcements were missed. Runs
/// on the current async runtime; outside one (a command), does nothing.
pub fn watch(db: &Db, auth: &Arc<AuthService>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let _entered = runtime.enter();
    let mut heard = db.commits().subscribe_access();
    let auth = Arc::downgrade(auth);
    runtime.spawn(async move {
        loop {
            match heard.recv().await {
                Ok(()) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            // The app is gone: so is the need to watch.
            let Some(auth) = auth.upgrade() else { return };
            auth.forget_access();
        }
    });
}
