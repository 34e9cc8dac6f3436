//! Sessions (an account and its grants) cached for a few seconds, so a
//! request costs no grant lookups, yet a revoked grant or a disabled
//! account stops working within the TTL on every instance, at once on the
//! one that made the change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::Session;

/// When it was cached, and the session (`None`: not allowed in).
type Entry = (Instant, Option<Arc<Session>>);

pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<i64, Entry>>,
}

impl SessionCache {
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(None)`: cached as not allowed (disabled or gone).
    pub fn get(&self, account_id: i64) -> Option<Option<Arc<Session>>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&account_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, s)| s.clone())
    }

    pub fn put(&self, account_id: i64, session: Option<Arc<Session>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        entries.insert(account_id, (Instant::now(), session));
    }

    /// Forget an account (its grants or status changed).
    pub fn invalidate(&self, account_id: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&account_id);
    }
}
