//! Sign-in rate limits (governor), in memory that stays bounded whatever
//! the usernames and addresses sent:
//! - per (username, client address): `limit` attempts, then one more every
//!   `window / limit`: a wrong password from one address never locks the
//!   account out from another;
//! - per client address, all usernames together: ten times that, so an
//!   office behind one NAT address still signs in, but one address cannot
//!   try many accounts quickly;
//! - a global ceiling per second on all attempts, checked first, so keys
//!   are only kept for attempts that got that far (bounding the maps by
//!   the ceiling times the window) and Argon2 never takes every core.
//!
//! Keys are 64-bit hashes of the (case-folded, trimmed) username and the
//! address: a 10 MB username costs the same few bytes as any other.
//!
//! Every request without a token (sign-ins, introspection) is also limited
//! per client address, so one address cannot keep the anonymous execution
//! slot to itself.

use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::DefaultClock;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::error::{AppError, AppResult};

type Keyed = RateLimiter<u64, HashMapStateStore<u64>, DefaultClock>;

/// Most keys either keyed limiter holds before it forgets the idle ones.
const MAX_KEYS: usize = 50_000;

pub struct LoginLimiter {
    pair: Keyed,
    address: Keyed,
    anonymous: Keyed,
    global: RateLimiter<NotKeyed, InMemoryState, DefaultClock>,
    window: Duration,
    limit: u32,
    /// Attempts counted in the shared limits, for their pruning cadence.
    shared_attempts: std::sync::atomic::AtomicU64,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// `burst` attempts at once, refilled evenly over `window`.
fn quota(burst: u32, window: Duration) -> Quota {
    let per = window / burst.max(1);
    Quota::with_period(per.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(nonzero(1)))
        .allow_burst(nonzero(burst))
}

fn key(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// The username as a key: trimmed and case-folded, whatever its length.
fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl LoginLimiter {
    /// `limit` attempts per (username, address) per `window`, ten times
    /// that per address, and at most `global_per_second` in all; and
    /// `anonymous_per_minute` requests without a token per address.
    pub fn new(
        limit: u32,
        window: Duration,
        global_per_second: u32,
        anonymous_per_minute: u32,
    ) -> LoginLimiter {
        LoginLimiter {
            pair: RateLimiter::hashmap(quota(limit, window)),
            address: RateLimiter::hashmap(quota(limit.saturating_mul(10), window)),
            anonymous: RateLimiter::hashmap(quota(anonymous_per_minute, Duration::from_secs(60))),
            global: RateLimiter::direct(
                Quota::per_second(nonzero(global_per_second))
                    .allow_burst(nonzero(global_per_second.saturating_mul(2))),
            ),
            window,
            limit: limit.max(1),
            shared_attempts: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The keys and quotas of a sign-in attempt, for the limits shared
    /// through the database: (key, burst, window) per (username, address)
    /// and per address. Keys are the first 8 bytes of a SHA-256, the same
    /// on every instance and build.
    pub fn shared_keys(&self, username: &str, client: &str) -> [(i64, u32, Duration); 2] {
        use sha2::Digest;
        let key = |parts: &[&str]| {
            let digest = sha2::Sha256::digest(parts.join("\0").as_bytes());
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&digest[..8]);
            i64::from_be_bytes(bytes)
        };
        [
            (
                key(&["address", client]),
                self.limit.saturating_mul(10),
                self.window,
            ),
            (
                key(&["pair", &username_key(username), client]),
                self.limit,
                self.window,
            ),
        ]
    }

    /// Counts an attempt of the shared limits; returns the count before it.
    pub fn count_shared_attempt(&self) -> u64 {
        self.shared_attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The refusal of an attempt past a limit.
    pub fn refusal(&self) -> AppError {
        self.refused()
    }

    fn refused(&self) -> AppError {
        AppError::RateLimited(format!(
            "too many sign-in attempts; try again in up to {} s",
            self.window.as_secs().max(1)
        ))
    }

    fn bound(limiter: &Keyed) {
        if limiter.len() > MAX_KEYS {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Counts an attempt; `RATE_LIMITED` past any limit.
    pub fn attempt(&self, username: &str, client: &str) -> AppResult<()> {
        if self.global.check().is_err() {
            return Err(self.refused());
        }
        let address = key(&[client]);
        if self.address.check_key(&address).is_err() {
            return Err(self.refused());
        }
        let pair = key(&[&username_key(username), client]);
        let outcome = self.pair.check_key(&pair);
        Self::bound(&self.address);
        Self::bound(&self.pair);
        outcome.map_err(|_| self.refused())
    }

    /// Counts a request without a token from `client`; `RATE_LIMITED`
    /// past the per-address limit.
    pub fn anonymous_request(&self, client: &str) -> AppResult<()> {
        let outcome = self.anonymous.check_key(&key(&[client]));
        Self::bound(&self.anonymous);
        outcome.map_err(|_| {
            AppError::RateLimited(
                "too many requests without a token from this address; try again in a minute"
                    .to_owned(),
            )
        })
    }

    /// Keys held (for the memory test).
    pub fn keys_held(&self) -> usize {
        self.pair.len() + self.address.len() + self.anonymous.len()
    }
}
