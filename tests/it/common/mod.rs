//! Test harness: a fresh, migrated database per test (in-memory SQLite, or
//! a schema of its own in the PostgreSQL at `TEST_DATABASE_URL`), and the
//! real router driven in-process with `oneshot`.
#![allow(dead_code)]

pub mod process;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use grassroots::auth::policy::Role;
use grassroots::db::{DatabaseTarget, Db, PoolOptions};
use grassroots::{AppState, Config};

/// Which backend this run of the suite tests.
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// `TEST_DATABASE_URL` set: PostgreSQL. `TEST_BACKEND=postgres` without it:
/// a loud failure in CI, a printed skip on a developer's machine.
pub fn backend() -> Option<Backend> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let wants_pg = std::env::var("TEST_BACKEND").is_ok_and(|b| b == "postgres");
    match url {
        Some(url) => Some(Backend::Postgres(url)),
        None if wants_pg => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("TEST_BACKEND=postgres but TEST_DATABASE_URL is not set: CI must test PostgreSQL");
            }
            eprintln!("skipped: TEST_BACKEND=postgres but TEST_DATABASE_URL is not set");
            None
        }
        None => Some(Backend::Sqlite),
    }
}

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
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&url)
                    .unwrap_or_else(|e| panic!("cannot reach TEST_DATABASE_URL: {e}"));
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
                let sep = if url.contains('?') { '&' } else { '?' };
                let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
                (
                    DatabaseTarget::parse(&scoped).expect("postgres url"),
                    Some((url, schema)),
                )
            }
        };
        let options = PoolOptions {
            max_connections: 4,
            ..PoolOptions::default()
        };
        let db = Db::connect(&target, &options).expect("open test database");
        db.migrate().expect("migrate test database");
        Some(TestDb {
            db,
            target,
            cleanup,
            file,
        })
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

/// The app around a fresh database, with a region ADMIN signed in.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub test_db: TestDb,
    /// Access token of `root` (ADMIN of the region), sent by `gql`.
    pub token: String,
}

/// The password of every account the harness creates.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub fn spawn() -> Option<TestApp> {
        Self::spawn_with(|_| {})
    }

    pub fn spawn_with(configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Self::spawn_on(TestDb::new()?, configure)
    }

    /// [`TestApp::spawn`] on an on-disk database (see [`TestDb::on_disk`]).
    pub fn spawn_on_disk() -> Option<TestApp> {
        Self::spawn_on(TestDb::on_disk()?, |_| {})
    }

    fn spawn_on(test_db: TestDb, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let mut config = Config::for_database(test_db.target.clone());
        configure(&mut config);
        let state = AppState::with_db(test_db.db.clone(), &config).expect("app state");
        let root = grassroots::accounts::bootstrap::create_with_grant(
            &state.db,
            "root",
            "县委组织部",
            PASSWORD,
            Role::Admin,
            None,
        )
        .expect("root account");
        let (token, _) = state
            .auth
            .keys
            .issue(root.id, chrono::Utc::now())
            .expect("token");
        Some(TestApp {
            router: grassroots::router(state.clone()),
            state,
            test_db,
            token,
        })
    }

    /// An account holding `role` at `scope` (a unit's global id, or the
    /// region), and an access token for it.
    pub fn account(&self, username: &str, role: Role, scope: Option<&str>) -> String {
        let scope = scope.map(|id| {
            grassroots::graphql::ids::decode(
                &async_graphql::ID(id.to_owned()),
                grassroots::graphql::ids::Kind::OrgUnit,
                "scope",
            )
            .expect("unit id")
        });
        let account = grassroots::accounts::bootstrap::create_with_grant(
            &self.state.db,
            username,
            username,
            PASSWORD,
            role,
            scope,
        )
        .expect("account");
        self.state
            .auth
            .keys
            .issue(account.id, chrono::Utc::now())
            .expect("token")
            .0
    }

    /// POSTs a GraphQL request as `root` and returns the JSON response.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.token), query, variables).await
    }

    /// POSTs a GraphQL request with `token` (or none) and returns the JSON
    /// response, whatever the HTTP status.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (_, text) = self.post(token, query, variables).await;
        serde_json::from_str(&text).expect("json response")
    }

    /// POSTs a GraphQL request: (status, body).
    pub async fn post(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, String) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            let value = if t.starts_with("Basic ") {
                t.to_owned()
            } else {
                format!("Bearer {t}")
            };
            req = req.header(header::AUTHORIZATION, value);
        }
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    /// A GraphQL request that must succeed; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let resp = self.gql(query, variables).await;
        assert!(resp.get("errors").is_none(), "unexpected errors: {resp}");
        resp["data"].clone()
    }

    /// A GraphQL request that must fail; returns (code, field, message) of
    /// its first error.
    pub async fn err(&self, query: &str, variables: Value) -> (String, Option<String>, String) {
        let resp = self.gql(query, variables).await;
        let e = &resp["errors"][0];
        assert!(!e.is_null(), "expected an error: {resp}");
        (
            e["extensions"]["code"].as_str().unwrap_or("").to_owned(),
            e["extensions"]["field"].as_str().map(str::to_owned),
            e["message"].as_str().unwrap_or("").to_owned(),
        )
    }

    /// A GraphQL multipart request (an upload of `bytes` as `$file`,
    /// named `name`), with `variables` besides, and `token` if any.
    pub fn multipart(
        token: Option<&str>,
        query: &str,
        variables: Value,
        name: &str,
        bytes: &[u8],
    ) -> Request<Body> {
        let boundary = "grassroots-test-boundary";
        let mut vars = variables;
        vars["file"] = Value::Null;
        let operations = json!({ "query": query, "variables": vars });
        let mut body = Vec::new();
        let mut part = |headers: String, content: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        part(
            "Content-Disposition: form-data; name=\"operations\"".to_owned(),
            operations.to_string().as_bytes(),
        );
        part(
            "Content-Disposition: form-data; name=\"map\"".to_owned(),
            br#"{ "0": ["variables.file"] }"#,
        );
        part(
            format!("Content-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream"),
            bytes,
        );
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = Request::post("/graphql").header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        req.body(Body::from(body)).expect("request")
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = self.router.clone().oneshot(req).await.expect("router");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// GETs `path` with `token`: (status, body).
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, String) {
        let req = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// Creates a unit and returns its id.
    /// Creates a unit; unless the input says otherwise it joined the tree
    /// on 2020-01-01, so tests may date later changes in the past.
    pub async fn create(&self, mut input: Value) -> String {
        if input.get("effectiveOn").is_none() {
            input["effectiveOn"] = json!("2020-01-01");
        }
        let data = self
            .ok(
                "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        data["createOrgUnit"]["id"]
            .as_str()
            .expect("created id")
            .to_owned()
    }

    /// A full chain township → village → grid → building group → team,
    /// returning the five ids.
    pub async fn chain(&self, tag: &str) -> [String; 5] {
        let t = self
            .create(json!({ "unitType": "TOWNSHIP", "name": format!("{tag}镇"), "orgForm": "COMMITTEE" }))
            .await;
        let v = self
            .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": format!("{tag}村"), "orgForm": "BRANCH" }))
            .await;
        let g = self
            .create(json!({ "parentId": v, "unitType": "RURAL_GRID", "name": format!("{tag}网格"), "orgForm": "PARTY_GROUP" }))
            .await;
        let b = self
            .create(json!({ "parentId": g, "unitType": "COURTYARD", "name": format!("{tag}院落"), "orgForm": "PARTY_GROUP" }))
            .await;
        let team = self
            .create(json!({ "parentId": b, "unitType": "VOLUNTEER_TEAM", "name": format!("{tag}服务队"), "teamCategory": "SANITATION" }))
            .await;
        [t, v, g, b, team]
    }
}

impl TestApp {
    /// Serves the router on a free loopback port (for sockets and
    /// browsers); returns its address. The server lives as long as the
    /// test's runtime.
    pub async fn serve(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("free port");
        let addr = listener.local_addr().expect("address");
        let app = self
            .router
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }
}
