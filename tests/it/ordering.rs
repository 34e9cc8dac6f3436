//! `orderBy` on unit lists: the same order on both backends (code point,
//! not the database's locale), stable cursors forwards and backwards, and
//! cursors that belong to their order.

use serde_json::{json, Value};

use crate::common::TestApp;

const LIST: &str =
    "query($o: OrgUnitOrder, $first: Int, $after: String, $last: Int, $before: String) {
  orgUnits(orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { name code level } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  }
}";

/// Every name of the list, walked forwards two at a time.
async fn walk_forward(app: &TestApp, order: Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .ok(LIST, json!({ "o": order, "first": 2, "after": after }))
            .await;
        let list = &data["orgUnits"];
        for e in list["edges"].as_array().expect("edges") {
            names.push(e["node"]["name"].as_str().expect("name").to_owned());
        }
        if list["pageInfo"]["hasNextPage"] != true {
            return names;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// The same, walked backwards from the end.
async fn walk_backward(app: &TestApp, order: Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let data = app
            .ok(LIST, json!({ "o": order, "last": 2, "before": before }))
            .await;
        let list = &data["orgUnits"];
        let page: Vec<String> = list["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
            .collect();
        names.splice(0..0, page);
        if list["pageInfo"]["hasPreviousPage"] != true {
            return names;
        }
        before = list["pageInfo"]["startCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn names_sort_by_code_point_on_both_backends_and_pages_walk_both_ways() {
    let Some(app) = TestApp::spawn() else { return };
    // Mixed scripts and cases, and a tie, so a locale would reorder them.
    for name in ["b镇", "B镇", "甲镇", "乙镇", "a镇", "Ä镇", "甲镇"] {
        app.create(json!({ "unitType": "TOWNSHIP", "name": name, "orgForm": "COMMITTEE" }))
            .await;
    }
    let mut expected: Vec<String> = ["b镇", "B镇", "甲镇", "乙镇", "a镇", "Ä镇", "甲镇"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    expected.sort(); // Rust compares strings by bytes: code point order.

    let asc = json!({ "field": "NAME" });
    assert_eq!(walk_forward(&app, asc.clone()).await, expected);
    assert_eq!(walk_backward(&app, asc).await, expected);
    let desc = json!({ "field": "NAME", "direction": "DESC" });
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(walk_forward(&app, desc.clone()).await, reversed);
    assert_eq!(walk_backward(&app, desc).await, reversed);

    // Default and CREATED: creation order.
    let created = walk_forward(&app, json!({ "field": "CREATED" })).await;
    assert_eq!(created[0], "b镇");
    assert_eq!(created, walk_forward(&app, Value::Null).await);
}

#[tokio::test]
async fn levels_and_codes_sort_and_a_cursor_keeps_to_its_order() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, ..] = app.chain("甲").await;
    app.chain("乙").await;
    let data = app
        .ok(
            LIST,
            json!({ "o": { "field": "LEVEL", "direction": "DESC" }, "first": 100 }),
        )
        .await;
    let levels: Vec<&str> = data["orgUnits"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["level"].as_str().expect("level"))
        .collect();
    assert_eq!(levels.first(), Some(&"VOLUNTEER_TEAM"));
    assert_eq!(levels.last(), Some(&"TOWNSHIP"));

    let by_code = app
        .ok(LIST, json!({ "o": { "field": "CODE" }, "first": 3 }))
        .await;
    let cursor = by_code["orgUnits"]["pageInfo"]["endCursor"].clone();
    // The cursor of one order is refused by another, and by the default.
    for other in [json!({ "field": "NAME" }), Value::Null] {
        let resp = app
            .gql(LIST, json!({ "o": other, "first": 3, "after": cursor }))
            .await;
        assert_eq!(
            resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "after");
    }
    // coverageGaps and chainGaps take the same argument: a childless
    // village and a childless grid without an organization.
    app.create(
        json!({ "parentId": t, "unitType": "VILLAGE", "name": "空村", "orgForm": "BRANCH" }),
    )
    .await;
    app.create(
        json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "空网格", "orgForm": "NONE" }),
    )
    .await;
    let resp = app
        .ok(
            "{ coverageGaps(orderBy: { field: NAME }) { totalCount } chainGaps(orderBy: { field: LEVEL, direction: DESC }, first: 1) { nodes { level } } }",
            json!({}),
        )
        .await;
    assert_eq!(resp["chainGaps"]["nodes"][0]["level"], "GRID", "{resp}");
    assert_eq!(resp["coverageGaps"]["totalCount"], 1, "{resp}");
}

/// The names of every page of `list`, walked forwards with `after` (the
/// query selects `nodes { name } pageInfo { hasNextPage endCursor }`).
async fn names_of_every_page(app: &TestApp, query: &str, vars: Value, list: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut vars = vars;
    loop {
        let data = app.ok(query, vars.clone()).await;
        let page = &data[list];
        seen.extend(
            page["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["name"].as_str().expect("name").to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return seen;
        }
        vars["after"] = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn people_sort_by_name_both_ways() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    let names = ["王芳", "李强", "Zhang Wei", "李强", "阿依古丽"];
    for name in names {
        app.ok(
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }",
            json!({ "input": { "unitId": v, "name": name, "gender": "FEMALE", "politicalStatus": "NON_PARTY" } }),
        )
        .await;
    }
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    let query = "query($o: PersonOrder, $after: String) { persons(orderBy: $o, first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }";
    let vars = json!({ "o": { "field": "NAME" } });
    let seen = names_of_every_page(&app, query, vars, "persons").await;
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn units_rank_by_the_coverage_rate_beneath_them() {
    let Some(app) = TestApp::spawn() else { return };
    // 甲村: all covered; 乙村: one grid of two without an organization;
    // 丙村: its only grid without one; 丁村: nothing beneath.
    let [t, ..] = app.chain("甲").await;
    let village = |name: &str| json!({ "parentId": t, "unitType": "VILLAGE", "name": name, "orgForm": "BRANCH" });
    let grid = |parent: &str, name: &str, form: &str| json!({ "parentId": parent, "unitType": "RURAL_GRID", "name": name, "orgForm": form });
    let b = app.create(village("乙村")).await;
    app.create(grid(&b, "乙一", "PARTY_GROUP")).await;
    app.create(grid(&b, "乙二", "NONE")).await;
    let c = app.create(village("丙村")).await;
    app.create(grid(&c, "丙一", "NONE")).await;
    app.create(village("丁村")).await;

    let query = "query($after: String, $d: OrderDirection) { orgUnits(level: VILLAGE, orderBy: { field: COVERAGE_RATE, direction: $d }, first: 1, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }";
    for (direction, expected) in [
        ("DESC", ["甲村", "乙村", "丙村", "丁村"]),
        ("ASC", ["丁村", "丙村", "乙村", "甲村"]),
    ] {
        let vars = json!({ "d": direction });
        let seen = names_of_every_page(&app, query, vars, "orgUnits").await;
        assert_eq!(seen, expected, "{direction}");
    }
}
