//! The `accounts` table.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::auth::password;
use crate::db::schema::accounts::{self, dsl as a};
use crate::db::DbConnection;
use crate::domain::rules;
use crate::error::{AppError, AppResult};

/// An account that signs in with a password (its hash never leaves storage).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = accounts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[diesel(deserialize_as = String)]
    password_hash: Secret,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
    pub tokens_valid_after: NaiveDateTime,
}

/// Keeps the hash out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Account {
    pub fn password_matches(&self, candidate: &str) -> bool {
        password::verify(candidate, &self.password_hash.0)
    }
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
struct NewAccount<'a> {
    username: &'a str,
    display_name: &'a str,
    password_hash: &'a str,
    disabled: bool,
    created_at: NaiveDateTime,
    tokens_valid_after: NaiveDateTime,
}

/// A username: 3–64 characters of letters, digits, `.`, `_`, `-`.
pub fn check_username(username: &str) -> AppResult<String> {
    let u = username.trim();
    let ok = (3..=64).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(u.to_owned())
    } else {
        Err(AppError::bad_input(
            "username",
            "a username has 3 to 64 letters, digits, '.', '_' or '-'",
        ))
    }
}

pub fn create(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> AppResult<Account> {
    let username = check_username(username)?;
    let display_name = rules::name("displayName", display_name)?;
    password::check_strength(password, "password")?;
    if find_by_username(conn, &username)?.is_some() {
        return Err(AppError::conflict_on(
            "username",
            format!("username {username} is taken"),
        ));
    }
    let hash = password::hash(password)?;
    diesel::insert_into(accounts::table)
        .values(&NewAccount {
            username: &username,
            display_name: &display_name,
            password_hash: &hash,
            disabled: false,
            created_at: now.naive_utc(),
            tokens_valid_after: now.naive_utc(),
        })
        .execute(conn)?;
    find_by_username(conn, &username)?
        .ok_or_else(|| AppError::internal("account vanished after insert"))
}

pub fn find(conn: &mut DbConnection, id: i64) -> AppResult<Option<Account>> {
    Ok(a::accounts
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()?)
}

/// The accounts of `ids` that exist, by id.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(a::accounts
        .filter(a::id.eq_any(ids))
        .order(a::id)
        .select(Account::as_select())
        .load(conn)?)
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> AppResult<Option<Account>> {
    Ok(a::accounts
        .filter(a::username.eq(username.trim()))
        .select(Account::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_all(conn: &mut DbConnection) -> AppResult<Vec<Account>> {
    Ok(a::accounts
        .order(a::id)
        .select(Account::as_select())
        .load(conn)?)
}

pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: bool) -> AppResult<()> {
    diesel::update(a::accounts.find(id))
        .set(a::disabled.eq(disabled))
        .execute(conn)?;
    Ok(())
}

pub fn set_display_name(conn: &mut DbConnection, id: i64, display_name: &str) -> AppResult<()> {
    let display_name = rules::name("displayName", display_name)?;
    diesel::update(a::accounts.find(id))
        .set(a::display_name.eq(display_name))
        .execute(conn)?;
    Ok(())
}

pub fn set_password(
    conn: &mut DbConnection,
    id: i64,
    password: &str,
    field: &str,
) -> AppResult<()> {
    password::check_strength(password, field)?;
    let hash = password::hash(password)?;
    diesel::update(a::accounts.find(id))
        .set(a::password_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

/// Voids every access token issued before `now`.
pub fn void_tokens(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(a::accounts.find(id))
        .set(a::tokens_valid_after.eq(now.naive_utc()))
        .execute(conn)?;
    Ok(())
}

pub fn touch_login(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(a::accounts.find(id))
        .set(a::last_login_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    Ok(())
}
