//! The test database: a fresh, migrated one per test (in-memory SQLite,
//! or a schema of its own in the PostgreSQL at `TEST_DATABASE_URL`, or on
//! the primary of `.ci/standby`), and a proxy that plays a database outage.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use grassroots::db::{DatabaseTarget, Db, PoolOptions};

use super::{backend, Backend};

/// A migrated database of its own; dropped with the test.
pub struct TestDb {
    pub db: Db,
    pub target: DatabaseTarget,
    cleanup: Option<(String, String)>,
    /// The SQLite file of an on-disk test database, removed with it.
    file: Option<std::path::PathBuf>,
}

impl TestDb {
    pub fn new() -> Option<TestDb> {
        Self::open(false)
    }

    /// On SQLite, a database in a file of its own rather than in memory:
    /// several connections, so that one can read while another writes.
    pub fn on_disk() -> Option<TestDb> {
        Self::open(true)
    }

    fn open(on_disk: bool) -> Option<TestDb> {
        let mut file = None;
        let (target, cleanup) = match backend()? {
            Backend::Sqlite if on_disk => {
                let path = std::env::temp_dir().join(format!(
                    "grassroots-test-{}.db",
                    uuid::Uuid::new_v4().simple()
                ));
                let target = DatabaseTarget::SqliteFile(path.to_string_lossy().into_owned());
                file = Some(path);
                (target, None)
            }
            Backend::Sqlite => (DatabaseTarget::SqliteMemory, None),
            Backend::Postgres(url) => {
                let (target, schema) = Self::schema_of_its_own(&url);
                (target, Some((url, schema)))
            }
        };
        Some(Self::migrated(target, cleanup, file))
    }

    /// A fresh schema in the PostgreSQL at `url`: the target that uses it,
    /// and its name.
    fn schema_of_its_own(url: &str) -> (DatabaseTarget, String) {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            PgConnection::establish(url).unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
        // Extensions are one per database: made once, before any
        // test schema's migrations ask for them at the same time.
        static EXTENSIONS: std::sync::Once = std::sync::Once::new();
        EXTENSIONS.call_once(|| {
            admin
                .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
                .expect("pg_trgm");
        });
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create test schema");
        (scoped(url, &schema), schema)
    }

    fn migrated(
        target: DatabaseTarget,
        cleanup: Option<(String, String)>,
        file: Option<std::path::PathBuf>,
    ) -> TestDb {
        let options = PoolOptions {
            max_connections: 4,
            ..PoolOptions::default()
        };
        let db = Db::connect(&target, &options).expect("open test database");
        db.migrate().expect("migrate test database");
        TestDb {
            db,
            target,
            cleanup,
            file,
        }
    }

    /// On the primary of `.ci/standby` (`TEST_REPLICA_PRIMARY_URL`), a
    /// schema of its own, and the same schema on the standby
    /// (`TEST_REPLICA_STANDBY_URL`). Missing: a loud failure in CI, a
    /// printed skip elsewhere.
    pub fn replicated() -> Option<(TestDb, DatabaseTarget)> {
        let var = |name: &str| std::env::var(name).ok().filter(|u| !u.is_empty());
        let (Some(primary), Some(standby)) = (
            var("TEST_REPLICA_PRIMARY_URL"),
            var("TEST_REPLICA_STANDBY_URL"),
        ) else {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("TEST_REPLICA_PRIMARY_URL and TEST_REPLICA_STANDBY_URL are not set: CI must test read replicas (.ci/standby)");
            }
            eprintln!("skipped: no PostgreSQL standby (run .ci/standby start DIR and set TEST_REPLICA_PRIMARY_URL, TEST_REPLICA_STANDBY_URL)");
            return None;
        };
        let (target, schema) = Self::schema_of_its_own(&primary);
        let standby = scoped(&standby, &schema);
        Some((
            Self::migrated(target, Some((primary, schema)), None),
            standby,
        ))
    }

    /// The PostgreSQL URL of this test's schema, with `extra` options
    /// (`-csynchronous_commit%3Dlocal`, say).
    pub fn url_with(&self, extra: &str) -> Option<DatabaseTarget> {
        let (url, schema) = self.cleanup.as_ref()?;
        Some(scoped(url, &format!("{schema}%20{extra}")))
    }
}

/// `url` with `schema` first on its search path.
fn scoped(url: &str, schema: &str) -> DatabaseTarget {
    let sep = if url.contains('?') { '&' } else { '?' };
    DatabaseTarget::parse(&format!("{url}{sep}options=-csearch_path%3D{schema}"))
        .expect("postgres url")
}

impl TestDb {
    /// Another pool on a database some other `TestDb` owns (and drops).
    pub fn shared(db: Db, target: DatabaseTarget) -> TestDb {
        TestDb {
            db,
            target,
            cleanup: None,
            file: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.cleanup.is_some()
    }
}

/// A TCP proxy between the app and PostgreSQL that can cut every
/// connection and refuse new ones: a database outage, for one test only.
pub struct Outage {
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
    live: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Outage {
    /// Listens on a free loopback port, forwarding to `upstream`
    /// (`host:port`); returns the proxy's address.
    fn proxy(upstream: String) -> (Outage, String) {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let addr = listener.local_addr().expect("proxy address").to_string();
        let outage = Outage {
            down: Default::default(),
            live: Default::default(),
        };
        let (down, live) = (outage.down.clone(), outage.live.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if down.load(Ordering::SeqCst) {
                    let _ = client.shutdown(std::net::Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let pairs = [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ];
                if let Ok(mut held) = live.lock() {
                    held.extend([client, server]);
                }
                for pair in pairs {
                    if let (Ok(mut from), Ok(mut to)) = pair {
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut from, &mut to);
                            let _ = to.shutdown(std::net::Shutdown::Both);
                        });
                    }
                }
            }
        });
        (outage, addr)
    }

    /// The database goes away: open connections die, new ones are refused.
    pub fn start(&self) {
        self.down.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut held) = self.live.lock() {
            for s in held.drain(..) {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
    }

    /// The database is back.
    pub fn end(&self) {
        self.down.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl TestDb {
    /// On PostgreSQL: a second pool on the same test schema, reached
    /// through an [`Outage`] proxy. `None` on SQLite.
    pub fn behind_proxy(&self) -> Option<(Db, Outage)> {
        let (url, schema) = self.cleanup.as_ref()?;
        let at = url.find('@')? + 1;
        let end = url[at..].find('/').map_or(url.len(), |i| at + i);
        let (outage, addr) = Outage::proxy(url[at..end].to_owned());
        let proxied = format!("{}{}{}", &url[..at], addr, &url[end..]);
        let sep = if proxied.contains('?') { '&' } else { '?' };
        let scoped = format!("{proxied}{sep}options=-csearch_path%3D{schema}");
        let target = DatabaseTarget::parse(&scoped).expect("proxied url");
        let options = PoolOptions {
            max_connections: 4,
            ..PoolOptions::default()
        };
        let db = Db::connect(&target, &options).expect("open proxied database");
        Some((db, outage))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.cleanup.take() {
            if let Ok(mut admin) = PgConnection::establish(&url) {
                let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
        if let Some(path) = self.file.take() {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = path.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(name);
            }
        }
    }
}
