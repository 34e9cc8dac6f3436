//! Checks only PostgreSQL can answer: TLS (`sslmode=require`) with the
//! bundled libpq and OpenSSL, and the lock that serializes tree writes.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::PgConnection;

use grassroots::db::{DatabaseTarget, Db, DbConnection, PoolOptions};

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

#[test]
fn sslmode_require_gives_an_encrypted_connection() {
    let Some(crate::common::Backend::Postgres(url)) = crate::common::backend() else {
        eprintln!("skipped: a PostgreSQL check, and this run tests SQLite");
        return;
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let target = DatabaseTarget::parse(&format!("{url}{sep}sslmode=require")).expect("url");
    let db = match Db::connect(&target, &PoolOptions::default()) {
        Ok(db) => db,
        Err(e) if e.to_string().contains("does not support SSL") => {
            eprintln!("skipped: this PostgreSQL server has TLS turned off ({e})");
            return;
        }
        Err(e) => panic!("cannot connect with sslmode=require: {e}"),
    };
    let ssl: Ssl = db
        .read_blocking(|c: &mut DbConnection| {
            Ok(
                diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    .get_result(c)?,
            )
        })
        .expect("query pg_stat_ssl");
    assert!(ssl.ssl, "connection is not encrypted");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// Tree writes hold the advisory lock that serializes them across every
/// instance sharing the database, for the whole transaction.
#[test]
fn tree_writes_hold_the_tree_lock() {
    let Some(test_db) = crate::common::TestDb::new() else {
        return;
    };
    let Some(crate::common::Backend::Postgres(url)) = crate::common::backend() else {
        eprintln!("skipped: a PostgreSQL check, and this run tests SQLite");
        return;
    };
    let held_by = |pid: i32| -> i64 {
        let mut observer = PgConnection::establish(&url).expect("observer connection");
        let held: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock' AND pid = $1",
        )
        .bind::<diesel::sql_types::Integer, _>(pid)
        .get_result(&mut observer)
        .expect("pg_locks");
        held.n
    };
    let (pid, inside) = test_db
        .db
        .write_blocking(|c| {
            let pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(c)?;
            Ok((pid.pid, held_by(pid.pid)))
        })
        .expect("write");
    assert_eq!(inside, 1, "the write transaction holds the tree lock");
    assert_eq!(held_by(pid), 0, "released at commit");

    // Session writes (sign-in, rotation) do not take it: a login storm never
    // queues tree edits behind Argon2 or each other.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let observer_url = url.clone();
    let sessions = rt
        .block_on(test_db.db.write_rows(move |c| {
            let pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(c)?;
            let mut observer = PgConnection::establish(&observer_url).expect("observer connection");
            let held: Count = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1",
            )
            .bind::<diesel::sql_types::Integer, _>(pid.pid)
            .get_result(&mut observer)?;
            Ok(held.n)
        }))
        .expect("session write");
    assert_eq!(sessions, 0);
}
