//! Test harness: a fresh, migrated database per test (in-memory SQLite, or
//! a schema of its own in the PostgreSQL at `TEST_DATABASE_URL`), and the
//! real router driven in-process with `oneshot`.
#![allow(dead_code)]

pub mod process;
mod test_db;

pub use self::test_db::TestDb;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
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

    /// A second instance of the app on this one's database (reached at
    /// `target` with `options`), with `root` signed in there too. The
    /// database stays this instance's to drop.
    pub fn another_instance(
        &self,
        target: DatabaseTarget,
        options: PoolOptions,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        use diesel::prelude::*;
        use grassroots::db::schema::accounts::dsl as a;
        let db = Db::connect(&target, &options).expect("open the second instance's pool");
        let mut config = Config::for_database(target.clone());
        configure(&mut config);
        let state = AppState::with_db(db.clone(), &config).expect("app state");
        let root: i64 = self
            .state
            .db
            .read_blocking(|c| {
                Ok(a::accounts
                    .filter(a::username.eq("root"))
                    .select(a::id)
                    .first(c)?)
            })
            .expect("root account");
        let (token, _) = state
            .auth
            .keys
            .issue(root, chrono::Utc::now())
            .expect("token");
        TestApp {
            router: grassroots::router(state.clone()),
            state,
            test_db: TestDb::shared(db, target),
            token,
        }
    }

    pub fn spawn_on(test_db: TestDb, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
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
