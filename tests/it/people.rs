//! People and posts through the HTTP API: the rules of docs/design.md §2, who may
//! manage whom, masking for viewers, and lists narrowed by scope.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const CREATE: &str = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id name phone birthDate birthYear masked politicalStatusLabel } }";
const START: &str = "mutation($input: StartPositionInput!) { startPosition(input: $input) { id role roleLabel active alsoVillageDirector person { name } unit { name } } }";
const END: &str =
    "mutation($id: ID!, $on: Date) { endPosition(id: $id, endedOn: $on) { id endedOn active } }";
const PERSONS: &str = "query($u: ID, $s: PoliticalStatus, $r: PositionRole, $q: String) { persons(under: $u, politicalStatus: $s, role: $r, search: $q) { totalCount nodes { name } } }";

fn pair(e: (String, Option<String>, String)) -> (String, Option<String>) {
    (e.0, e.1)
}

fn names(v: &Value) -> Vec<String> {
    v["persons"]["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| n["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn person(app: &TestApp, unit: &str, name: &str, status: &str) -> String {
    let data = app
        .ok(
            CREATE,
            json!({ "input": { "unitId": unit, "name": name, "gender": "FEMALE", "birthDate": "1984-03-02",
                               "phone": "13812345678", "education": "JUNIOR_COLLEGE", "politicalStatus": status } }),
        )
        .await;
    data["createPerson"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn people_are_managed_in_scope_and_masked_for_viewers() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("甲").await;
    let [_, _, g2, b2, _] = app.chain("乙").await;
    let data = app
        .ok(
            CREATE,
            json!({ "input": { "unitId": b, "name": "李梅", "gender": "FEMALE", "birthDate": "1984-03-02",
                               "phone": "13812345678", "politicalStatus": "FULL_MEMBER", "statusSince": "2010-07-01" } }),
        )
        .await;
    let p = &data["createPerson"];
    assert_eq!(
        (
            p["phone"].clone(),
            p["birthDate"].clone(),
            p["masked"].clone(),
            p["politicalStatusLabel"].clone()
        ),
        (
            json!("13812345678"),
            json!("1984-03-02"),
            json!(false),
            json!("正式党员")
        )
    );
    let id = p["id"].as_str().unwrap_or_default().to_owned();

    // A township VIEWER reads the person masked; the grid MANAGER whole.
    let viewer = app.account("viewer-t", Role::Viewer, Some(&t));
    let q =
        "query($id: ID!) { person(id: $id) { phone birthDate birthYear masked unit { name } } }";
    let seen = app.gql_as(Some(&viewer), q, json!({ "id": id })).await;
    assert_eq!(
        seen["data"]["person"],
        json!({ "phone": "138****5678", "birthDate": null, "birthYear": 1984, "masked": true, "unit": { "name": "甲院落" } }),
        "{seen}"
    );
    let manager = app.account("manager-g", Role::Manager, Some(&g));
    let full = app.gql_as(Some(&manager), q, json!({ "id": id })).await;
    assert_eq!(full["data"]["person"]["phone"], "13812345678");

    // The grid manager manages its grid's people, and nobody else's.
    let ok = app
        .gql_as(
            Some(&manager),
            CREATE,
            json!({ "input": { "unitId": b, "name": "王强", "gender": "MALE" } }),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
    let elsewhere = app
        .gql_as(
            Some(&manager),
            CREATE,
            json!({ "input": { "unitId": b2, "name": "外人", "gender": "MALE" } }),
        )
        .await;
    assert_eq!(
        elsewhere["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{elsewhere}"
    );
    let viewer_writes = app
        .gql_as(
            Some(&viewer),
            CREATE,
            json!({ "input": { "unitId": b, "name": "只读", "gender": "MALE" } }),
        )
        .await;
    assert_eq!(
        viewer_writes["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let other = app.account("manager-g2", Role::Manager, Some(&g2));
    let hidden = app.gql_as(Some(&other), q, json!({ "id": id })).await;
    assert_eq!(hidden["errors"][0]["extensions"]["code"], "NOT_FOUND");

    // Bad input names its field and writes nothing.
    for (input, field) in [
        (
            json!({ "unitId": b, "name": "x", "gender": "MALE", "phone": "call me" }),
            "phone",
        ),
        (
            json!({ "unitId": b, "name": "x", "gender": "MALE", "birthDate": "2999-01-01" }),
            "birthDate",
        ),
        (
            json!({ "unitId": b, "name": "  ", "gender": "MALE" }),
            "name",
        ),
        (
            json!({ "unitId": b, "name": "x", "gender": "MALE", "birthDate": "1990-01-01", "statusSince": "1980-01-01" }),
            "statusSince",
        ),
    ] {
        let e = app.err(CREATE, json!({ "input": input })).await;
        assert_eq!(
            pair(e),
            ("BAD_USER_INPUT".to_owned(), Some(field.to_owned()))
        );
    }
    let all = app.ok(PERSONS, json!({})).await;
    assert_eq!(all["persons"]["totalCount"], 2);
    let _ = v;
}

#[tokio::test]
async fn posts_fit_their_units_and_keep_their_history() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("丙").await;
    let li = person(&app, &b, "李书记", "FULL_MEMBER").await;
    let wang = person(&app, &b, "王委员", "PROBATIONARY").await;
    let start = |who: &str, unit: &str, role: &str, extra: Value| {
        let mut input =
            json!({ "personId": who, "unitId": unit, "role": role, "startedOn": "2021-01-04" });
        if let Value::Object(m) = extra {
            for (k, x) in m {
                input[k] = x;
            }
        }
        json!({ "input": input })
    };
    let sec = app
        .ok(
            START,
            start(&li, &v, "SECRETARY", json!({ "alsoVillageDirector": true })),
        )
        .await;
    assert_eq!(sec["startPosition"]["alsoVillageDirector"], true);
    assert_eq!(sec["startPosition"]["roleLabel"], "书记");
    let sec_id = sec["startPosition"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // A second secretary, the same post twice, posts that do not fit.
    let e = app
        .err(START, start(&wang, &v, "SECRETARY", json!({})))
        .await;
    assert_eq!(pair(e), ("CONFLICT".to_owned(), Some("role".to_owned())));
    let e = app.err(START, start(&li, &v, "SECRETARY", json!({}))).await;
    assert_eq!(pair(e), ("CONFLICT".to_owned(), Some("role".to_owned())));
    for (unit, role) in [
        (&v, "GRID_HEAD"),
        (&team, "SECRETARY"),
        (&g, "LINKED_LEADER"),
        (&t, "TEAM_LEADER"),
    ] {
        let e = app.err(START, start(&wang, unit, role, json!({}))).await;
        assert_eq!(
            pair(e),
            ("BAD_USER_INPUT".to_owned(), Some("role".to_owned())),
            "{role}"
        );
    }
    let e = app
        .err(
            START,
            start(
                &wang,
                &g,
                "SECRETARY",
                json!({ "alsoVillageDirector": true }),
            ),
        )
        .await;
    assert_eq!(
        pair(e),
        (
            "BAD_USER_INPUT".to_owned(),
            Some("alsoVillageDirector".to_owned())
        )
    );
    app.ok(START, start(&wang, &g, "GRID_HEAD", json!({})))
        .await;
    app.ok(START, start(&wang, &team, "TEAM_LEADER", json!({})))
        .await;
    app.ok(START, start(&li, &team, "VOLUNTEER", json!({})))
        .await;

    // Ending a post keeps it; the unit can then take a new secretary.
    let e = app
        .err(END, json!({ "id": sec_id, "on": "2020-12-31" }))
        .await;
    assert_eq!(
        pair(e),
        ("BAD_USER_INPUT".to_owned(), Some("endedOn".to_owned()))
    );
    let ended = app
        .ok(END, json!({ "id": sec_id, "on": "2023-06-30" }))
        .await;
    assert_eq!(ended["endPosition"]["active"], false);
    let e = app.err(END, json!({ "id": sec_id })).await;
    assert_eq!(e.0, "CONFLICT");
    app.ok(
        START,
        start(&wang, &v, "SECRETARY", json!({ "startedOn": "2023-07-01" })),
    )
    .await;
    let q = "query($v: ID!) { node(id: $v) { ... on OrgUnit { then: positions(activeOn: \"2022-01-01\", role: SECRETARY) { person { name } } now: positions(role: SECRETARY) { person { name } endedOn } } } }";
    let posts = app.ok(q, json!({ "v": v })).await;
    assert_eq!(
        posts["node"]["then"],
        json!([{ "person": { "name": "李书记" } }])
    );
    assert_eq!(posts["node"]["now"].as_array().map(Vec::len), Some(2));

    // Lists by post and status; removal waits for the posts to end.
    let holders = app.ok(PERSONS, json!({ "u": t, "r": "GRID_HEAD" })).await;
    assert_eq!(names(&holders), ["王委员"]);
    let members = app
        .ok(PERSONS, json!({ "u": v, "s": "PROBATIONARY" }))
        .await;
    assert_eq!(names(&members), ["王委员"]);
    let found = app.ok(PERSONS, json!({ "q": "李" })).await;
    assert_eq!(names(&found), ["李书记"]);
    let rm = "mutation($id: ID!) { removePerson(id: $id) { name } }";
    let e = app.err(rm, json!({ "id": li })).await;
    assert_eq!(e.0, "CONFLICT");
    let li_posts = app
        .ok(
            "query($id: ID!) { person(id: $id) { positions { id active } } }",
            json!({ "id": li }),
        )
        .await;
    for post in li_posts["person"]["positions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        if post["active"] == true {
            app.ok(END, json!({ "id": post["id"] })).await;
        }
    }
    app.ok(rm, json!({ "id": li })).await;
    let after = app.ok(PERSONS, json!({})).await;
    assert_eq!(names(&after), ["王委员"]);
}

#[tokio::test]
async fn people_move_with_their_units() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, _, g, b, _] = app.chain("丁").await;
    let [t2, v2, ..] = app.chain("戊").await;
    person(&app, &b, "随迁者", "NON_PARTY").await;
    person(&app, &g, "网格员", "ACTIVIST").await;
    assert_eq!(names(&app.ok(PERSONS, json!({ "u": t })).await).len(), 2);
    app.ok(
        "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }",
        json!({ "id": g, "p": v2 }),
    )
    .await;
    assert_eq!(names(&app.ok(PERSONS, json!({ "u": t })).await).len(), 0);
    assert_eq!(
        names(&app.ok(PERSONS, json!({ "u": t2 })).await),
        ["随迁者", "网格员"]
    );
    let viewer = app.account("viewer-t2", Role::Viewer, Some(&t2));
    let seen = app.gql_as(Some(&viewer), PERSONS, json!({})).await;
    assert_eq!(seen["data"]["persons"]["totalCount"], 2, "{seen}");
    let people = app
        .ok("query($g: ID!) { node(id: $g) { ... on OrgUnit { people { totalCount nodes { name } } } } }", json!({ "g": g }))
        .await;
    assert_eq!(
        people["node"]["people"]["nodes"],
        json!([{ "name": "网格员" }])
    );
}

/// `persons { nodes { positions { person } } }` and a unit page's
/// `positions` load through the request's loaders: 10 people or 40, the
/// same number of statements.
#[tokio::test]
async fn posts_of_a_page_cost_a_constant_number_of_statements() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, _, team] = app.chain("甲").await;
    // One root field per request: two lists resolving side by side share
    // the loaders, and how their batches interleave is up to the executor.
    let people_query = "query($u: ID!) { persons(under: $u, first: 100) { nodes { name positions { role person { name } unit { name } } } } }";
    let units_query = "query($u: ID!) { orgUnits(under: $u, first: 100) { nodes { name positions(role: VOLUNTEER) { person { name } } } } }";
    let mut costs = Vec::new();
    let mut made = 0;
    for size in [10, 40] {
        while made < size {
            let who = person(&app, &g, &format!("志愿者{made}"), "NON_PARTY").await;
            app.ok(
                START,
                json!({ "input": { "personId": who, "unitId": team, "role": "VOLUNTEER", "startedOn": "2022-01-01" } }),
            )
            .await;
            made += 1;
        }
        let before = app.state.db.stats().statements();
        let data = app.ok(people_query, json!({ "u": t })).await;
        let units = app.ok(units_query, json!({ "u": t })).await;
        costs.push(app.state.db.stats().statements() - before);
        let people = data["persons"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(people.len(), size);
        assert!(
            people
                .iter()
                .all(|p| p["positions"][0]["person"]["name"] == p["name"]),
            "{data}"
        );
        let volunteers = units["orgUnits"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| u["positions"].as_array().map_or(0, Vec::len))
            .sum::<usize>();
        assert_eq!(volunteers, size, "{data}");
    }
    let _ = v;
    assert_eq!(costs[0], costs[1], "statements per page: {costs:?}");
}
