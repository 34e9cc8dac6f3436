//! Which key signs tokens: a configured secret, configured key files, or a
//! secret generated once and kept in the database (so restarts and several
//! instances on one PostgreSQL agree).

use std::time::Duration as StdDuration;

use chrono::Duration;
use diesel::prelude::*;
use jsonwebtoken::Algorithm;

use super::cache::{FamilyCache, SessionCache};
use super::sessions::{AuthService, LoginLimiter};
use crate::auth::token::{random_token, TokenKeys};
use crate::config::AuthArgs;
use crate::db::schema::settings::dsl as s;
use crate::db::Db;
use crate::error::{AppError, AppResult};

const SECRET_KEY: &str = "jwt_hs256_secret";

fn generated_secret(db: &Db) -> AppResult<String> {
    db.write_blocking(|c| {
        let existing: Option<String> = s::settings
            .filter(s::key.eq(SECRET_KEY))
            .select(s::value)
            .first(c)
            .optional()?;
        if let Some(v) = existing {
            return Ok(v);
        }
        let secret = format!("{}{}", random_token(), random_token());
        diesel::insert_into(s::settings)
            .values((s::key.eq(SECRET_KEY), s::value.eq(&secret)))
            .execute(c)?;
        Ok(secret)
    })
}

/// The sign-in service for `args`.
pub fn auth_service(db: &Db, args: &AuthArgs) -> AppResult<AuthService> {
    let ttl = Duration::seconds(i64::try_from(args.access_token_ttl).unwrap_or(900).max(1));
    let keys = match (&args.jwt_secret, &args.jwt_algorithm) {
        (Some(secret), None) => TokenKeys::hs256(secret.as_bytes(), ttl)?,
        (None, Some(alg)) => {
            let algorithm = match alg.as_str() {
                "EdDSA" => Algorithm::EdDSA,
                "RS256" => Algorithm::RS256,
                other => {
                    return Err(AppError::internal(format!(
                        "GRASSROOTS_JWT_ALGORITHM {other:?}: use EdDSA or RS256"
                    )))
                }
            };
            let read = |p: &Option<std::path::PathBuf>, what: &str| -> AppResult<Vec<u8>> {
                let p = p.as_ref().ok_or_else(|| {
                    AppError::internal(format!("GRASSROOTS_JWT_ALGORITHM needs {what}"))
                })?;
                std::fs::read(p).map_err(|e| AppError::internal(format!("{}: {e}", p.display())))
            };
            let private = read(
                &args.jwt_private_key_file,
                "GRASSROOTS_JWT_PRIVATE_KEY_FILE",
            )?;
            let public = read(&args.jwt_public_key_file, "GRASSROOTS_JWT_PUBLIC_KEY_FILE")?;
            TokenKeys::from_pem(algorithm, &private, &public, ttl)?
        }
        (Some(_), Some(_)) => return Err(AppError::internal(
            "set either GRASSROOTS_JWT_SECRET or GRASSROOTS_JWT_ALGORITHM with key files, not both",
        )),
        (None, None) => TokenKeys::hs256(generated_secret(db)?.as_bytes(), ttl)?,
    };
    Ok(AuthService {
        keys,
        refresh_ttl: Duration::seconds(
            i64::try_from(args.refresh_token_ttl)
                .unwrap_or(2_592_000)
                .max(1),
        ),
        sessions: SessionCache::new(StdDuration::from_secs(args.grants_cache)),
        session_families: FamilyCache::new(StdDuration::from_secs(args.grants_cache)),
        limiter: LoginLimiter::new(
            args.login_limit.max(1),
            StdDuration::from_secs(args.login_window.max(1)),
            args.login_global_per_second.max(1),
            args.anonymous_per_minute.max(1),
        ),
        forgotten: tokio::sync::watch::Sender::new(0),
    })
}
