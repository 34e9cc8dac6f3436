//! Signing in: login, refresh-token rotation with theft detection, logout,
//! password change, and turning an access token into a [`Session`].

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::cache::{FamilyCache, SessionCache};
pub use super::limiter::LoginLimiter;
use super::{grants, store, Account};
use crate::audit::{self, AuditEntry};
use crate::auth::token::{random_token, token_hash, TokenKeys};
use crate::auth::{password, Session};
use crate::db::schema::refresh_tokens::{self, dsl as r};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// What a sign-in returns.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub account: Account,
}

/// Sign-in settings and state shared by every request.
pub struct AuthService {
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
    pub sessions: SessionCache,
    /// Whether each sign-in session is live, cached like `sessions`.
    pub session_families: FamilyCache,
    pub limiter: LoginLimiter,
    /// How many times the cached access was forgotten because an instance
    /// changed access (see `revocations`); watched by tests.
    pub forgotten: tokio::sync::watch::Sender<u64>,
}

impl AuthService {
    /// Forgets every cached session and sign-in session state.
    pub fn forget_access(&self) {
        self.sessions.clear();
        self.session_families.clear();
        self.forgotten.send_modify(|n| *n += 1);
    }
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefresh {
    account_id: i64,
    token_hash: String,
    family: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct RefreshRow {
    id: i64,
    account_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated
}

impl AuthService {
    fn issue(
        &self,
        conn: &mut DbConnection,
        account: Account,
        family: String,
        now: DateTime<Utc>,
    ) -> AppResult<Tokens> {
        let (access_token, access_expires_at) =
            self.keys.issue_in(account.id, Some(&family), now)?;
        let refresh_token = random_token();
        let refresh_expires_at = now + self.refresh_ttl;
        diesel::insert_into(refresh_tokens::table)
            .values(&NewRefresh {
                account_id: account.id,
                token_hash: token_hash(&refresh_token),
                family,
                created_at: now.naive_utc(),
                expires_at: refresh_expires_at.naive_utc(),
            })
            .execute(conn)?;
        Ok(Tokens {
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
            account,
        })
    }

    /// Checks a password, writing nothing: the slow Argon2 work runs outside
    /// any write lock. Unknown users and wrong passwords fail alike, after
    /// the same Argon2 work.
    pub fn check_password(
        &self,
        conn: &mut DbConnection,
        username: &str,
        password_given: &str,
    ) -> AppResult<Option<Account>> {
        let account = store::find_by_username(conn, username)?;
        let ok = match &account {
            Some(a) => a.password_matches(password_given) && !a.disabled,
            None => {
                password::verify(password_given, password::decoy_hash());
                false
            }
        };
        Ok(account.filter(|_| ok))
    }

    /// Records a sign-in checked by [`AuthService::check_password`] (a short
    /// write) and issues its tokens. Returns the outcome inside `Ok` so the
    /// caller commits the failed-login audit entry too.
    pub fn record_login(
        &self,
        conn: &mut DbConnection,
        checked: Option<Account>,
        username: &str,
        client: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<AppResult<Tokens>> {
        let Some(account) = checked else {
            audit::record(
                conn,
                &AuditEntry::login_failed(username, client, request_id, now),
            )?;
            return Ok(Err(wrong_credentials()));
        };
        store::touch_login(conn, account.id, now)?;
        audit::record(
            conn,
            &AuditEntry::session(account.id, &account.username, "LOGIN", request_id, now),
        )?;
        Ok(Ok(self.issue(conn, account, random_token(), now)?))
    }

    /// Rotates a refresh token. A token presented twice means it was stolen:
    /// its whole family is revoked (committed, then `UNAUTHENTICATED`).
    pub fn refresh(
        &self,
        conn: &mut DbConnection,
        token: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<AppResult<Tokens>> {
        let row: Option<RefreshRow> = r::refresh_tokens
            .filter(r::token_hash.eq(token_hash(token)))
            .select(RefreshRow::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = row else {
            return Ok(Err(wrong_credentials()));
        };
        if row.revoked_at.is_some() || row.expires_at <= now.naive_utc() {
            return Ok(Err(wrong_credentials()));
        }
        if row.used_at.is_some() {
            self.revoke_family(conn, &row.family, now)?;
            audit::record(
                conn,
                &AuditEntry::session(row.account_id, "", "REFRESH_TOKEN_REUSED", request_id, now),
            )?;
            tracing::warn!(
                account = row.account_id,
                "refresh token reused: token family revoked"
            );
            return Ok(Err(wrong_credentials()));
        }
        let account = store::find(conn, row.account_id)?.filter(|a| !a.disabled);
        let Some(account) = account else {
            return Ok(Err(wrong_credentials()));
        };
        // Only one rotation may win: a concurrent one with the same token
        // finds it used (the row lock makes it wait, then re-check) and is
        // treated as reuse.
        let marked = diesel::update(r::refresh_tokens.find(row.id).filter(r::used_at.is_null()))
            .set(r::used_at.eq(Some(now.naive_utc())))
            .execute(conn)?;
        if marked == 0 {
            self.revoke_family(conn, &row.family, now)?;
            return Ok(Err(wrong_credentials()));
        }
        audit::record(
            conn,
            &AuditEntry::session(
                account.id,
                &account.username,
                "REFRESH_TOKEN",
                request_id,
                now,
            ),
        )?;
        Ok(Ok(self.issue(conn, account, row.family, now)?))
    }

    /// Ends the session of `account_id` that a refresh token belongs to.
    pub fn logout(
        &self,
        conn: &mut DbConnection,
        account_id: i64,
        token: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let family: Option<String> = r::refresh_tokens
            .filter(r::token_hash.eq(token_hash(token)))
            .filter(r::account_id.eq(account_id))
            .select(r::family)
            .first(conn)
            .optional()?;
        match family {
            Some(f) => {
                self.revoke_family(conn, &f, now)?;
                audit::record(
                    conn,
                    &AuditEntry::session(account_id, "", "LOGOUT", request_id, now),
                )?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Changes a password and voids every token of the account.
    pub fn change_password(
        &self,
        conn: &mut DbConnection,
        account_id: i64,
        current: &str,
        new: &str,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let account = store::find(conn, account_id)?.ok_or(AppError::Unauthenticated)?;
        if !account.password_matches(current) {
            return Err(AppError::bad_input(
                "currentPassword",
                "the current password is wrong",
            ));
        }
        store::set_password(conn, account_id, new, "newPassword")?;
        audit::record(
            conn,
            &AuditEntry::session(
                account_id,
                &account.username,
                "CHANGE_PASSWORD",
                request_id,
                now,
            ),
        )?;
        self.void_all(conn, account_id, now)
    }

    /// Voids every refresh and access token of an account.
    pub fn void_all(
        &self,
        conn: &mut DbConnection,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        diesel::update(
            r::refresh_tokens
                .filter(r::account_id.eq(account_id))
                .filter(r::revoked_at.is_null()),
        )
        .set(r::revoked_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
        store::void_tokens(conn, account_id, now)?;
        self.sessions.invalidate(&account_id);
        Ok(())
    }

    /// The session behind a valid access token: the account must exist, be
    /// enabled, and not have voided its tokens since this one was issued.
    pub fn session(
        &self,
        conn: &mut DbConnection,
        account_id: i64,
    ) -> AppResult<Option<Arc<Session>>> {
        if let Some(cached) = self.sessions.get(&account_id) {
            return Ok(cached);
        }
        self.load_session(conn, account_id)
    }

    /// [`AuthService::session`] read from the database, whatever is cached
    /// (a socket re-checking after a change, which may reach it before the
    /// writer drops the cache); the cache is refreshed with it.
    pub fn load_session(
        &self,
        conn: &mut DbConnection,
        account_id: i64,
    ) -> AppResult<Option<Arc<Session>>> {
        let session = match store::find(conn, account_id)? {
            Some(a) if !a.disabled => Some(Arc::new(Session {
                account_id: a.id,
                username: a.username.clone(),
                grants: grants::of_account(conn, a.id)?,
                tokens_valid_after_ms: a.tokens_valid_after.and_utc().timestamp_millis(),
            })),
            _ => None,
        };
        self.sessions.put(account_id, session.clone());
        Ok(session)
    }
}

impl AuthService {
    /// Ends a sign-in session: its refresh tokens are revoked and its
    /// access tokens stop working (at once here, within the cache window
    /// on other instances).
    fn revoke_family(
        &self,
        conn: &mut DbConnection,
        family: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        diesel::update(
            r::refresh_tokens
                .filter(r::family.eq(family))
                .filter(r::revoked_at.is_null()),
        )
        .set(r::revoked_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
        self.session_families.put(family.to_owned(), false);
        Ok(())
    }

    /// Whether sign-in session `family` is live: some refresh token of it
    /// is neither revoked nor expired.
    pub fn session_live(&self, conn: &mut DbConnection, family: &str) -> AppResult<bool> {
        if let Some(live) = self.session_families.get(family) {
            return Ok(live);
        }
        self.load_session_live(conn, family)
    }

    /// [`AuthService::session_live`] read from the database, whatever is
    /// cached; the cache is refreshed with it.
    pub fn load_session_live(&self, conn: &mut DbConnection, family: &str) -> AppResult<bool> {
        let live = diesel::select(diesel::dsl::exists(
            r::refresh_tokens
                .filter(r::family.eq(family))
                .filter(r::revoked_at.is_null())
                .filter(r::expires_at.gt(Utc::now().naive_utc())),
        ))
        .get_result::<bool>(conn)?;
        self.session_families.put(family.to_owned(), live);
        Ok(live)
    }
}
