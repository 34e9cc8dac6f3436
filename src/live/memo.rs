//! One computation of an aggregate per scope and change, shared by every
//! subscriber of that scope: a thousand dashboards on one township cost
//! one coverage count per change, not a thousand.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::error::AppResult;

/// Scopes kept at most; past this the memo starts afresh (a key is a
/// viewer's scope and a unit it may see, so this bounds what any set of
/// subscribers can make it hold).
const MOST_KEYS: usize = 10_000;

type Slot<V> = Arc<tokio::sync::Mutex<Option<(u64, Arc<V>)>>>;

/// Values by scope, each with the last change it reflects.
pub struct Memo<V> {
    slots: Mutex<HashMap<String, Slot<V>>>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Send + Sync + 'static> Memo<V> {
    /// The value of `key` as of change `needed` or later. The first caller
    /// computes it (`heard` is the last change heard when it starts); the
    /// others wait for that answer instead of computing it again.
    pub async fn get<F, Fut>(
        &self,
        key: String,
        needed: u64,
        heard: u64,
        compute: F,
    ) -> AppResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<V>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if slots.len() >= MOST_KEYS && !slots.contains_key(&key) {
                slots.clear();
            }
            slots.entry(key).or_default().clone()
        };
        let mut held = slot.lock().await;
        if let Some((seen, value)) = held.as_ref() {
            if *seen >= needed {
                return Ok(value.clone());
            }
        }
        // Reads start after every change up to `heard` committed.
        let value = Arc::new(compute().await?);
        *held = Some((heard.max(needed), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_computation_serves_every_caller_of_a_change() {
        let memo: Memo<usize> = Memo::default();
        let runs = AtomicUsize::new(0);
        let compute = || async { Ok(runs.fetch_add(1, Ordering::SeqCst) + 1) };
        let a = memo.get("t1".into(), 5, 5, compute).await.unwrap();
        let b = memo.get("t1".into(), 5, 5, compute).await.unwrap();
        assert_eq!((*a, *b), (1, 1));
        // A later change needs a fresh count; another scope has its own.
        let c = memo.get("t1".into(), 6, 6, compute).await.unwrap();
        let d = memo.get("t2".into(), 6, 6, compute).await.unwrap();
        assert_eq!((*c, *d), (2, 3));
    }
}
