//! Checks only PostgreSQL can answer: TLS (`sslmode=require`) with the
//! bundled libpq and OpenSSL, and the township locks of tree writes.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::PgConnection;

use grassroots::audit::Actor;
use grassroots::auth::Viewer;
use grassroots::db::{DatabaseTarget, Db, DbConnection, PoolOptions};
use grassroots::domain::UnitType;
use grassroots::ids::UnitId;
use grassroots::tree::{write, NewUnit, UnitPatch};
use grassroots::AppResult;

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

fn township_with_village(db: &Db, (tag, code): (&str, &str)) -> (UnitId, UnitId) {
    db.write_blocking(|c| {
        let actor = Actor::new(&Viewer::System, chrono::Utc::now(), None);
        let unit = |parent: Option<UnitId>, unit_type: UnitType, name: String| NewUnit {
            code: Some(format!("{code}{}", unit_type.level().number())),
            ..NewUnit::named(parent, unit_type, name)
        };
        let t = write::create(
            c,
            &actor,
            unit(None, UnitType::Township, format!("{tag}镇")),
        )?;
        let v = write::create(
            c,
            &actor,
            unit(Some(t.unit_id()), UnitType::Village, format!("{tag}村")),
        )?;
        Ok((t.unit_id(), v.unit_id()))
    })
    .expect("a township and a village")
}

/// Renames `unit` in a write transaction; `hold` runs inside it, after the
/// rename, before the commit.
fn rename(db: &Db, unit: UnitId, name: &str, hold: impl FnOnce(i32)) -> AppResult<()> {
    db.write_blocking(|c| {
        let actor = Actor::new(&Viewer::System, chrono::Utc::now(), None);
        let patch = UnitPatch {
            name: Some(name.to_owned()),
            ..UnitPatch::default()
        };
        write::update(c, &actor, unit, patch)?;
        let pid: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(c)?;
        hold(pid.pid);
        Ok(())
    })
}

/// Tree writes lock the townships they touch, one advisory lock each, for
/// the whole transaction: a write in one township runs beside a write in
/// another, and waits for one in its own.
#[test]
fn tree_writes_lock_their_townships_only() {
    let Some(test_db) = crate::common::TestDb::new() else {
        return;
    };
    let Some(crate::common::Backend::Postgres(url)) = crate::common::backend() else {
        eprintln!("skipped: a PostgreSQL check, and this run tests SQLite");
        return;
    };
    let locks = |pid: i32, granted: bool| -> i64 {
        let mut observer = PgConnection::establish(&url).expect("observer connection");
        let held: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted = $2 AND mode = 'ExclusiveLock' AND pid = $1",
        )
        .bind::<diesel::sql_types::Integer, _>(pid)
        .bind::<Bool, _>(granted)
        .get_result(&mut observer)
        .expect("pg_locks");
        held.n
    };
    let db = test_db.db.clone();
    let (township_a, village_a) = township_with_village(&db, ("甲", "A"));
    let (_, village_b) = township_with_village(&db, ("乙", "B"));

    let mut holder = 0;
    rename(&db, village_a, "甲村一", |pid| {
        holder = pid;
        assert_eq!(locks(pid, true), 1, "one township locked");
    })
    .expect("rename");
    assert_eq!(locks(holder, true), 0, "released at commit");

    // A writer in township 甲 holds its lock until told.
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let first = {
        let db = db.clone();
        std::thread::spawn(move || {
            rename(&db, village_a, "甲村二", |_| {
                let _ = held_tx.send(());
                let _ = release_rx.recv();
            })
        })
    };
    held_rx.recv().expect("the first writer holds 甲");
    // A write in township 乙 does not wait for it: it commits while the
    // first is still open (were it to wait, this would never return, as
    // the first is released only afterwards).
    rename(&db, village_b, "乙村一", |_| {}).expect("a write in another township");
    // A write in township 甲 waits for it.
    let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
    let second = {
        let db = db.clone();
        std::thread::spawn(move || {
            rename(&db, village_a, "甲村三", |pid| {
                let _ = waiting_tx.send(pid);
            })
        })
    };
    // Wait for a waiter on 甲's lock (tests in other schemas of the
    // database may have a township of the same id: at least one).
    let mut waiters = 0;
    let mut observer = PgConnection::establish(&url).expect("observer connection");
    for _ in 0..100_000 {
        let waiting: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
             AND objid::bigint = ($1 % 2147483647) \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .bind::<diesel::sql_types::BigInt, _>(township_a.0)
        .get_result(&mut observer)
        .expect("pg_locks");
        waiters = waiting.n;
        if waiters > 0 {
            break;
        }
    }
    assert!(waiters >= 1, "the second writer in 甲 waits for the first");
    assert!(waiting_rx.try_recv().is_err(), "and has not written yet");
    release_tx.send(()).expect("release");
    first.join().expect("first thread").expect("first write");
    second.join().expect("second thread").expect("second write");
    assert!(waiting_rx.try_recv().is_ok(), "the second wrote after");
    let name: Vec<String> = db
        .read_blocking(|c| {
            use grassroots::db::schema::org_units::dsl as u;
            Ok(u::org_units
                .filter(u::id.eq(village_a.0))
                .select(u::name)
                .load(c)?)
        })
        .expect("read");
    assert_eq!(name, ["甲村三"]);

    // Session writes (sign-in, rotation) lock no township: a login storm
    // never queues tree edits behind Argon2 or each other.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let observer_url = url.clone();
    let sessions = rt
        .block_on(db.write_rows(move |c| {
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

/// An import locks the townships it touches, all of them before its first
/// row, and no others: it goes in while a writer holds another township.
#[test]
fn an_import_locks_only_its_townships() {
    let Some(test_db) = crate::common::TestDb::new() else {
        return;
    };
    if !test_db.is_postgres() {
        eprintln!("skipped: a PostgreSQL check, and this run tests SQLite");
        return;
    }
    let db = test_db.db.clone();
    let _ = township_with_village(&db, ("甲", "A"));
    let (_, village_b) = township_with_village(&db, ("乙", "B"));
    let parent = "A2"; // 甲村
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let db = db.clone();
        std::thread::spawn(move || {
            rename(&db, village_b, "乙村二", |_| {
                let _ = held_tx.send(());
                let _ = release_rx.recv();
            })
        })
    };
    held_rx.recv().expect("the writer holds 乙");
    let csv = format!(
        "code,name,unit_type,parent_code\nNG,甲村一格,RURAL_GRID,{parent}\nNB,院落,COURTYARD,NG\n"
    );
    let sheet = grassroots::import::read(
        csv.as_bytes(),
        grassroots::import::Format::Csv,
        &Default::default(),
    )
    .expect("csv");
    let actor = Actor::new(&Viewer::System, chrono::Utc::now(), None);
    let report = grassroots::import::import(
        &db,
        &actor,
        grassroots::import::ImportKind::Units,
        &sheet,
        false,
    )
    .expect("the import goes in while 乙 is held");
    assert_eq!(report.created, 2);
    release_tx.send(()).expect("release");
    writer.join().expect("writer thread").expect("writer");
}
