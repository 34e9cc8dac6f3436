//! Managing accounts and grants inside one's scope, and the audit log.

use crate::common::{TestApp, PASSWORD};
use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Value};

use grassroots::auth::policy::Role;

const CREATE_ACCOUNT: &str = "mutation($u: String!, $r: Role!, $s: ID) { createAccount(input: { username: $u, displayName: $u, password: \"a long password\", role: $r, scopeId: $s }) { id username grants { role scope { name } } } }";

fn code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn admins_manage_accounts_and_grants_inside_their_scope() {
    let Some(app) = TestApp::spawn() else { return };
    let [a, a1, ..] = app.chain("甲").await;
    let [_, b1, ..] = app.chain("乙").await;
    let admin = app.account("admin-a", Role::Admin, Some(&a));
    let manager = app.account("manager-a1", Role::Manager, Some(&a1));

    let made = app
        .gql_as(
            Some(&admin),
            CREATE_ACCOUNT,
            json!({ "u": "clerk-a1", "r": "MANAGER", "s": a1 }),
        )
        .await;
    assert_eq!(
        made["data"]["createAccount"]["grants"],
        json!([{ "role": "MANAGER", "scope": { "name": "甲村" } }]),
        "{made}"
    );
    let clerk = made["data"]["createAccount"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                CREATE_ACCOUNT,
                json!({ "u": "clerk-b1", "r": "VIEWER", "s": b1 })
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                CREATE_ACCOUNT,
                json!({ "u": "clerk-all", "r": "VIEWER", "s": null })
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(
                Some(&manager),
                CREATE_ACCOUNT,
                json!({ "u": "clerk-x", "r": "VIEWER", "s": a1 })
            )
            .await
        ),
        "FORBIDDEN"
    );
    // Usernames are unique; passwords have a minimum length.
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                CREATE_ACCOUNT,
                json!({ "u": "clerk-a1", "r": "VIEWER", "s": a1 })
            )
            .await
        ),
        "CONFLICT"
    );
    let short = app.gql_as(Some(&admin), "mutation($s: ID) { createAccount(input: { username: \"short-pw\", displayName: \"x\", password: \"123\", role: VIEWER, scopeId: $s }) { id } }", json!({ "s": a1 })).await;
    assert_eq!(
        (
            code(&short),
            short["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("password"))
    );

    // Nobody edits their own grants.
    let me = app
        .gql_as(Some(&admin), "{ me { id grants { id } } }", json!({}))
        .await;
    let my_id = me["data"]["me"]["id"].as_str().expect("me").to_owned();
    let my_grant = me["data"]["me"]["grants"][0]["id"]
        .as_str()
        .expect("grant")
        .to_owned();
    let grant = "mutation($a: ID!, $r: Role!, $s: ID) { grantRole(accountId: $a, role: $r, scopeId: $s) { id } }";
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                grant,
                json!({ "a": my_id, "r": "VIEWER", "s": a1 })
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                "mutation($g: ID!) { revokeRole(grantId: $g) { id } }",
                json!({ "g": my_grant })
            )
            .await
        ),
        "FORBIDDEN"
    );
    // Grants go only inside one's scope.
    assert_eq!(
        code(
            &app.gql_as(
                Some(&admin),
                grant,
                json!({ "a": clerk, "r": "ADMIN", "s": b1 })
            )
            .await
        ),
        "NOT_FOUND"
    );
    let ok = app
        .gql_as(
            Some(&admin),
            grant,
            json!({ "a": clerk, "r": "VIEWER", "s": a }),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");

    // An account holding a grant outside the admin's scope is not theirs to disable.
    let outsider = app
        .ok(
            CREATE_ACCOUNT,
            json!({ "u": "clerk-b", "r": "VIEWER", "s": b1 }),
        )
        .await["createAccount"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.ok(grant, json!({ "a": outsider, "r": "VIEWER", "s": a1 }))
        .await;
    let disable = "mutation($a: ID!) { disableAccount(id: $a) { disabled } }";
    assert_eq!(
        code(
            &app.gql_as(Some(&admin), disable, json!({ "a": outsider }))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(Some(&admin), disable, json!({ "a": clerk }))
            .await["data"]["disableAccount"]["disabled"],
        true
    );

    // Lists show what the admin manages.
    let accounts = app
        .gql_as(
            Some(&admin),
            "{ accounts(first: 50) { totalCount nodes { username } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = accounts["data"]["accounts"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["username"].as_str())
        .collect();
    assert!(
        names.contains(&"clerk-a1") && names.contains(&"manager-a1") && !names.contains(&"root"),
        "{names:?}"
    );
    let grants = app
        .gql_as(
            Some(&admin),
            "query($u: ID) { grants(under: $u) { totalCount nodes { role scope { name } } } }",
            json!({ "u": a1 }),
        )
        .await;
    assert!(
        grants["data"]["grants"]["totalCount"].as_i64().unwrap_or(0) >= 3,
        "{grants}"
    );
    assert_eq!(
        code(
            &app.gql_as(Some(&manager), "{ accounts { totalCount } }", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn the_audit_log_records_every_mutation_per_scope() {
    let Some(app) = TestApp::spawn() else { return };
    let [a, a1, ..] = app.chain("甲").await;
    let [b, b1, ..] = app.chain("乙").await;
    let admin = app.account("admin-a", Role::Admin, Some(&a));

    // A move inside township 甲, with a request id.
    let v2 = app
        .create(json!({ "parentId": a, "unitType": "VILLAGE", "name": "甲二村" }))
        .await;
    let grid = app
        .create(json!({ "parentId": a1, "unitType": "RURAL_GRID", "name": "待迁网格" }))
        .await;
    let body = json!({ "query": "mutation($id: ID!, $to: ID!) { moveOrgUnit(id: $id, newParentId: $to) { id } }", "variables": { "id": grid, "to": v2 } }).to_string();
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header("x-request-id", "req-move-1")
        .body(Body::from(body))
        .expect("request");
    let (_, text) = app.send(req).await;
    assert!(!text.contains("errors"), "{text}");
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { notes: \"乙的修改\" }) { id } }",
        json!({ "id": b1 }),
    )
    .await;

    let log = app
        .gql_as(Some(&admin), "query($u: ID) { auditLog(under: $u) { totalCount nodes { action username target before after requestId } } }", json!({ "u": a }))
        .await;
    let nodes = log["data"]["auditLog"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let moved = nodes
        .iter()
        .find(|n| n["action"] == "MOVE_UNIT")
        .expect("move recorded");
    assert_eq!(moved["username"], "admin-a");
    assert_eq!(moved["target"], json!(grid));
    assert_eq!(moved["requestId"], "req-move-1");
    let before: Value =
        serde_json::from_str(moved["before"].as_str().expect("before")).expect("json");
    let after: Value = serde_json::from_str(moved["after"].as_str().expect("after")).expect("json");
    assert_ne!(before["parent_id"], after["parent_id"]);
    // 乙's changes are not in 甲's log; the region's log needs a region ADMIN.
    assert!(nodes.iter().all(|n| n["target"] != json!(b1)), "{nodes:?}");
    assert_eq!(
        code(
            &app.gql_as(Some(&admin), "{ auditLog { totalCount } }", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
    let all = app
        .ok(
            "{ auditLog(first: 100) { totalCount nodes { action } } }",
            json!({}),
        )
        .await;
    let count = all["auditLog"]["totalCount"].as_i64().unwrap_or(0);
    assert!(count >= 14, "{all}");

    // Sign-ins are recorded too.
    app.gql_as(
        None,
        "mutation($p: String!) { login(username: \"admin-a\", password: $p) { accessToken } }",
        json!({ "p": PASSWORD }),
    )
    .await;
    let logins = app
        .ok(
            "{ auditLog(action: \"LOGIN\") { totalCount nodes { username } } }",
            json!({}),
        )
        .await;
    assert_eq!(logins["auditLog"]["nodes"][0]["username"], "admin-a");
    let _ = b;
}

#[tokio::test]
async fn scoped_lists_cost_the_same_statements_as_the_regions() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "镇", "orgForm": "COMMITTEE" }))
        .await;
    for i in 0..30 {
        let v = app.create(json!({ "parentId": t, "unitType": "VILLAGE", "name": format!("村{i}"), "orgForm": "BRANCH" })).await;
        app.create(json!({ "parentId": v, "unitType": "RURAL_GRID", "name": format!("格{i}") }))
            .await;
    }
    let scoped = app.account("township-admin", Role::Admin, Some(&t));
    let query = "query($t: ID!) { orgUnits(under: $t, first: 50) { totalCount nodes { name parent { name } subtreeCounts { total } } } }";
    let mut costs = Vec::new();
    for token in [app.token.clone(), scoped] {
        // Warm the grants cache, then count.
        app.gql_as(Some(&token), "{ me { id } }", json!({})).await;
        let before = app.state.db.stats().statements();
        let resp = app.gql_as(Some(&token), query, json!({ "t": t })).await;
        costs.push(app.state.db.stats().statements() - before);
        assert_eq!(resp["data"]["orgUnits"]["totalCount"], 60, "{resp}");
    }
    assert_eq!(costs[0], costs[1], "region vs scoped: {costs:?}");
}

/// `accounts` and `grants` page in SQL: a page of 20 costs the same
/// statements whether the scope holds 5 accounts or 40, for a region ADMIN
/// and a township ADMIN alike, and the totals count the whole list.
#[tokio::test]
async fn account_and_grant_pages_cost_a_constant_number_of_statements() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "镇", "orgForm": "COMMITTEE" }))
        .await;
    let v = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "村", "orgForm": "BRANCH" }))
        .await;
    let township_admin = app.account("t-admin", Role::Admin, Some(&t));
    let query = "query($u: ID) { accounts(under: $u, first: 20) { totalCount nodes { username } } grants(under: $u, first: 20) { totalCount nodes { id } } }";
    let mut costs = Vec::new();
    let mut made = 0;
    for size in [5, 40] {
        while made < size {
            app.account(&format!("viewer-{made}"), Role::Viewer, Some(&v));
            made += 1;
        }
        for token in [app.token.clone(), township_admin.clone()] {
            app.gql_as(Some(&token), "{ me { id } }", json!({})).await;
            let before = app.state.db.stats().statements();
            let resp = app.gql_as(Some(&token), query, json!({ "u": t })).await;
            costs.push(app.state.db.stats().statements() - before);
            // The township ADMIN itself holds a grant at the township.
            assert_eq!(resp["data"]["accounts"]["totalCount"], size + 1, "{resp}");
            assert_eq!(resp["data"]["grants"]["totalCount"], size + 1, "{resp}");
            let shown = resp["data"]["accounts"]["nodes"].as_array().map(Vec::len);
            assert_eq!(shown, Some((size as usize + 1).min(20)), "{resp}");
        }
    }
    assert!(
        costs.iter().all(|c| *c == costs[0]),
        "statements per page: {costs:?}"
    );
}
