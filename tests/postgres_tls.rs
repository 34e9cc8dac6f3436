//! PostgreSQL over TLS (`sslmode=require`) with the bundled libpq and
//! OpenSSL: nothing from the system is needed to build or to connect.

mod common;

use diesel::prelude::*;
use diesel::sql_types::Bool;

use grassroots::db::{DatabaseTarget, Db, DbConnection, PoolOptions};

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

#[test]
fn sslmode_require_gives_an_encrypted_connection() {
    let Some(common::Backend::Postgres(url)) = common::backend() else {
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
