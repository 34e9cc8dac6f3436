//! Reading the tree: lookups, filters, search, cursor pages, and the
//! statement count of a batched page.

use crate::common::TestApp;
use serde_json::{json, Value};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $level: Level) { orgUnits(level: $level, first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } nodes { name } } }";

fn names(conn: &Value) -> Vec<String> {
    conn["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn lookups_by_id_and_code() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, ..] = app.chain("甲").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"431322001201\" }) { id } }",
        json!({ "id": v }),
    )
    .await;
    let data = app.ok("{ orgUnit(code: \"431322001201\") { name levelLabel unitTypeLabel orgFormLabel statusLabel parent { name } } }", json!({})).await;
    assert_eq!(
        data["orgUnit"],
        json!({ "name": "甲村", "levelLabel": "村（社区）", "unitTypeLabel": "村", "orgFormLabel": "党支部", "statusLabel": "正常", "parent": { "name": "甲镇" } })
    );
    let data = app
        .ok(
            "query($id: ID!) { orgUnit(id: $id) { name } node(id: $id) { id } }",
            json!({ "id": t }),
        )
        .await;
    assert_eq!(data["orgUnit"]["name"], "甲镇");
    assert_eq!(data["node"]["id"], json!(t));

    let (code, _, _) = app
        .err("{ orgUnit(code: \"nope\") { name } }", json!({}))
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, field, _) = app
        .err(
            "query($id: ID!) { orgUnit(id: $id, code: \"x\") { name } }",
            json!({ "id": t }),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("id"))
    );
    let (code, field, _) = app.err("{ orgUnit { name } }", json!({})).await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("id"))
    );
    let (code, field, _) = app
        .err("{ node(id: \"T3JnVW5pdDp4\") { id } }", json!({}))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("id"))
    );
}

#[tokio::test]
async fn filters_and_search() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, ..] = app.chain("油溪桥").await;
    app.chain("琅塘").await;
    app.create(json!({ "parentId": v, "unitType": "RELOCATION_SITE", "name": "100%安置点", "code": "R_1", "orgForm": "AFFILIATED", "hostUnitId": v })).await;
    let count = |q: &'static str, vars: Value| {
        let app = &app;
        async move {
            app.ok(q, vars).await["orgUnits"]["totalCount"]
                .as_i64()
                .unwrap_or(-1)
        }
    };
    assert_eq!(
        count("{ orgUnits(level: GRID) { totalCount } }", json!({})).await,
        3
    );
    assert_eq!(
        count(
            "{ orgUnits(unitType: RELOCATION_SITE) { totalCount } }",
            json!({})
        )
        .await,
        1
    );
    assert_eq!(
        count(
            "{ orgUnits(orgForm: AFFILIATED) { totalCount } }",
            json!({})
        )
        .await,
        1
    );
    assert_eq!(
        count("{ orgUnits(search: \"油溪桥\") { totalCount } }", json!({})).await,
        5
    );
    // LIKE wildcards in the search are literal.
    assert_eq!(
        count("{ orgUnits(search: \"100%\") { totalCount } }", json!({})).await,
        1
    );
    assert_eq!(
        count("{ orgUnits(search: \"%\") { totalCount } }", json!({})).await,
        1
    );
    assert_eq!(
        count("{ orgUnits(search: \"R_1\") { totalCount } }", json!({})).await,
        1
    );
    assert_eq!(
        count("{ orgUnits(search: \"R_\") { totalCount } }", json!({})).await,
        1
    );
    // Case does not matter, on either backend.
    assert_eq!(
        count("{ orgUnits(search: \"r_1\") { totalCount } }", json!({})).await,
        1
    );
    assert_eq!(
        count(
            "query($t: ID!) { orgUnits(under: $t, level: VOLUNTEER_TEAM) { totalCount } }",
            json!({ "t": t })
        )
        .await,
        1
    );
    let data = app.ok("query($t: ID!) { node(id: $t) { ... on OrgUnit { children { totalCount nodes { name } } descendants(level: GRID) { totalCount } } } }", json!({ "t": t })).await;
    assert_eq!(
        data["node"]["children"]["nodes"],
        json!([{ "name": "油溪桥村" }])
    );
    assert_eq!(data["node"]["descendants"]["totalCount"], 2);
}

#[tokio::test]
async fn cursor_pages_walk_forwards_and_backwards() {
    let Some(app) = TestApp::spawn() else { return };
    for i in 0..7 {
        app.create(json!({ "unitType": "TOWNSHIP", "name": format!("镇{i}") }))
            .await;
    }
    let first = app.ok(PAGE, json!({ "first": 3 })).await["orgUnits"].clone();
    assert_eq!(names(&first), ["镇0", "镇1", "镇2"]);
    assert_eq!(first["totalCount"], 7);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["edges"][2]["cursor"], first["pageInfo"]["endCursor"]);

    let second = app
        .ok(
            PAGE,
            json!({ "first": 3, "after": first["pageInfo"]["endCursor"] }),
        )
        .await["orgUnits"]
        .clone();
    assert_eq!(names(&second), ["镇3", "镇4", "镇5"]);
    let third = app
        .ok(
            PAGE,
            json!({ "first": 3, "after": second["pageInfo"]["endCursor"] }),
        )
        .await["orgUnits"]
        .clone();
    assert_eq!(names(&third), ["镇6"]);
    assert_eq!(third["pageInfo"]["hasNextPage"], false);

    let back = app
        .ok(
            PAGE,
            json!({ "last": 2, "before": third["pageInfo"]["startCursor"] }),
        )
        .await["orgUnits"]
        .clone();
    assert_eq!(names(&back), ["镇4", "镇5"]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    let tail = app.ok(PAGE, json!({ "last": 2 })).await["orgUnits"].clone();
    assert_eq!(names(&tail), ["镇5", "镇6"]);

    for (vars, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "last": 1000 }), "last"),
        (json!({ "first": 1, "last": 1 }), "last"),
        (json!({ "after": "bogus" }), "after"),
        (json!({ "before": "bogus" }), "before"),
    ] {
        let (code, f, msg) = app.err(PAGE, vars).await;
        assert_eq!(
            (code.as_str(), f.as_deref()),
            ("BAD_USER_INPUT", Some(field)),
            "{msg}"
        );
    }
}

#[tokio::test]
async fn default_page_is_twenty() {
    let Some(app) = TestApp::spawn() else { return };
    for i in 0..25 {
        app.create(json!({ "unitType": "TOWNSHIP", "name": format!("镇{i}") }))
            .await;
    }
    let page = app.ok(PAGE, json!({})).await["orgUnits"].clone();
    assert_eq!(names(&page).len(), 20);
}

#[tokio::test]
async fn a_page_of_one_hundred_costs_a_constant_number_of_statements() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "镇", "orgForm": "COMMITTEE" }))
        .await;
    let query = "query($t: ID!) { orgUnits(under: $t, first: 100) { totalCount nodes { name parent { name } hostUnit { name } ancestors { name } subtreeCounts { total } } } }";
    let mut costs = Vec::new();
    for round in 0..2 {
        // Grow the tree: 25 villages per round, each with a grid affiliated to it.
        for i in 0..25 {
            let v = app.create(json!({ "parentId": t, "unitType": "VILLAGE", "name": format!("村{round}-{i}"), "orgForm": "BRANCH" })).await;
            app.create(json!({ "parentId": v, "unitType": "RURAL_GRID", "name": format!("格{round}-{i}"), "orgForm": "AFFILIATED", "hostUnitId": v })).await;
        }
        let before = app.state.db.stats().statements();
        let data = app.ok(query, json!({ "t": t })).await;
        costs.push(app.state.db.stats().statements() - before);
        let nodes = data["orgUnits"]["nodes"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        assert_eq!(nodes, (round + 1) * 50);
    }
    // 50 units, then 100: the same handful of statements.
    assert_eq!(costs[0], costs[1], "statements per page: {costs:?}");
    assert!(costs[1] <= 8, "statements per page: {costs:?}");
}

#[tokio::test]
async fn deep_or_costly_queries_are_refused() {
    let Some(app) = TestApp::spawn() else { return };
    let deep = "{ orgUnits { nodes { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } } } } }";
    assert_eq!(app.err(deep, json!({})).await.0, "BAD_USER_INPUT");
    let costly = "{ orgUnits(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { name } } } } } } }";
    assert_eq!(app.err(costly, json!({})).await.0, "BAD_USER_INPUT");
}
