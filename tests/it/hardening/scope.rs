//! One rule for "not yours": what lies outside a caller's scope answers
//! exactly as what does not exist, in errors, conflicts, imports, posts,
//! exports and aggregates; several grants count each unit once; masked
//! birth dates stay masked in aggregates.

use serde_json::{json, Value};

use super::code;
use crate::common::TestApp;
use grassroots::auth::policy::Role;

const COVERAGE: &str = "{ coverage { total covered gaps } dashboard { units } }";

#[tokio::test]
async fn two_grants_over_one_unit_count_it_once() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, g, ..] = app.chain("甲").await;
    let _ = app.chain("乙").await;
    let single = app.account("single", Role::Viewer, Some(&v));
    let want = app.gql_as(Some(&single), COVERAGE, json!({})).await;
    assert!(want.get("errors").is_none(), "{want}");
    // The same unit twice (two roles), and a unit inside it.
    let double = app.account("double", Role::Viewer, Some(&v));
    let me = app.gql_as(Some(&double), "{ me { id } }", json!({})).await;
    let id = me["data"]["me"]["id"].as_str().expect("id").to_owned();
    for (role, scope) in [("MANAGER", &v), ("VIEWER", &g)] {
        let grant = app
            .gql(
                &format!("mutation($a: ID!, $s: ID) {{ grantRole(accountId: $a, role: {role}, scopeId: $s) {{ id }} }}"),
                json!({ "a": id, "s": scope }),
            )
            .await;
        assert!(grant.get("errors").is_none(), "{grant}");
    }
    let got = app.gql_as(Some(&double), COVERAGE, json!({})).await;
    assert_eq!(got["data"], want["data"], "{got}");
    let list = "{ orgUnits(first: 100) { totalCount nodes { id } } }";
    let a = app.gql_as(Some(&single), list, json!({})).await;
    let b = app.gql_as(Some(&double), list, json!({})).await;
    assert_eq!(a["data"], b["data"]);
}

#[tokio::test]
async fn breadcrumbs_move_targets_and_codes_answer_as_missing() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, ..] = app.chain("甲").await;
    let [_, v2, g2, ..] = app.chain("乙").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"431322001\" }) { id } }",
        json!({ "id": t }),
    )
    .await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"SECRET-1\" }) { id } }",
        json!({ "id": v2 }),
    )
    .await;
    let manager = app.account("manager", Role::Manager, Some(&v));
    // A breadcrumb's code is not part of what it shows.
    let by_code = app
        .gql_as(
            Some(&manager),
            "{ orgUnit(code: \"431322001\") { id } }",
            json!({}),
        )
        .await;
    let missing = app
        .gql_as(
            Some(&manager),
            "{ orgUnit(code: \"NO-SUCH\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&by_code), "NOT_FOUND", "{by_code}");
    assert_eq!(
        by_code["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    // A move of an unseen unit answers the same, whatever `newParentId` is.
    let unknown = grassroots::graphql::ids::encode(grassroots::graphql::ids::Kind::OrgUnit, 99_999)
        .to_string();
    let mv = "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }";
    let answers: Vec<Value> = futures_join(
        &app,
        &manager,
        mv,
        &[(&g2, &unknown), (&g2, &v), (&unknown, &v)],
    )
    .await;
    for a in &answers {
        assert_eq!(code(a), "NOT_FOUND", "{a}");
        assert_eq!(
            a["errors"][0]["message"], answers[0]["errors"][0]["message"],
            "{a}"
        );
        assert_eq!(
            a["errors"][0]["extensions"], answers[0]["errors"][0]["extensions"],
            "{a}"
        );
    }
    // A code held out of sight: CONFLICT, naming nobody.
    let taken = app
        .gql_as(
            Some(&manager),
            "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"SECRET-1\" }) { id } }",
            json!({ "id": g }),
        )
        .await;
    assert_eq!(code(&taken), "CONFLICT", "{taken}");
    let message = taken["errors"][0]["message"].as_str().unwrap_or("");
    assert!(!message.contains("乙"), "{message}");
}

async fn futures_join(
    app: &TestApp,
    token: &str,
    query: &str,
    pairs: &[(&String, &String)],
) -> Vec<Value> {
    let mut out = Vec::new();
    for (id, p) in pairs {
        out.push(
            app.gql_as(Some(token), query, json!({ "id": id, "p": p }))
                .await,
        );
    }
    out
}

#[tokio::test]
async fn posts_and_exports_out_of_sight_are_left_out() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, g, ..] = app.chain("甲").await;
    let [t2, v2, ..] = app.chain("乙").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"HIDDEN-VILLAGE\" }) { id } }",
        json!({ "id": v2 }),
    )
    .await;
    // A township leader of 乙镇 who is also the instructor of a grid of 甲.
    let person = app
        .ok(
            "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"王指导\", gender: MALE, birthDate: \"1980-06-15\" }) { id } }",
            json!({ "u": t2 }),
        )
        .await["createPerson"]["id"]
        .as_str()
        .expect("person")
        .to_owned();
    for (unit, role) in [(&g, "INSTRUCTOR"), (&v2, "LINKED_LEADER")] {
        app.ok(
            &format!("mutation($p: ID!, $u: ID!) {{ startPosition(input: {{ personId: $p, unitId: $u, role: {role}, startedOn: \"2022-01-01\" }}) {{ id }} }}"),
            json!({ "p": person, "u": unit }),
        )
        .await;
    }
    let viewer = app.account("viewer", Role::Viewer, Some(&v));
    let seen = app
        .gql_as(
            Some(&viewer),
            "query($id: ID!) { person(id: $id) { masked positions { role unit { name } } } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(
        seen["data"]["person"]["positions"],
        json!([{ "role": "INSTRUCTOR", "unit": { "name": "甲网格" } }]),
        "{seen}"
    );
    assert_eq!(seen["data"]["person"]["masked"], true);
    let (status, csv) = app.get_as(&viewer, "/reports/people.csv").await;
    assert_eq!(status, 200, "{csv}");
    assert!(
        !csv.contains("HIDDEN-VILLAGE") && !csv.contains("联点领导"),
        "{csv}"
    );
    // Who may manage the grid sees the same post in the export, with the
    // unit it is held in; never the post in 乙.
    let manager = app.account("manager", Role::Manager, Some(&v));
    let (_, csv) = app.get_as(&manager, "/reports/people.csv").await;
    assert!(
        !csv.contains("HIDDEN-VILLAGE") && !csv.contains("联点领导"),
        "{csv}"
    );
}

#[tokio::test]
async fn imports_answer_the_same_for_people_out_of_sight() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    let [_, v2, ..] = app.chain("乙").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { code: \"V-OTHER\" }) { id } }",
        json!({ "id": v2 }),
    )
    .await;
    app.ok(
        "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"李秘\", gender: FEMALE, birthDate: \"1984-03-02\" }) { id } }",
        json!({ "u": v2 }),
    )
    .await;
    let manager = app.account("manager", Role::Manager, Some(&v));
    let import = "mutation($file: Upload!) { importPeople(file: $file, dryRun: true) { rows } }";
    let mut answers = Vec::new();
    for birth in ["1984-03-02", "1984-03-03"] {
        let file = format!(
            "name,gender,birth_date,political_status,unit_code\n李秘,女,{birth},群众,V-OTHER\n"
        );
        let req = TestApp::multipart(Some(&manager), import, json!({}), "p.csv", file.as_bytes());
        let (_, text) = app.send(req).await;
        let mut resp: Value = serde_json::from_str(&text).expect("json");
        // The value cells differ by construction; everything else must not.
        for p in resp["errors"][0]["extensions"]["problems"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            p["value"] = Value::Null;
        }
        answers.push(resp);
    }
    assert_eq!(code(&answers[0]), "BAD_USER_INPUT", "{}", answers[0]);
    assert_eq!(answers[0], answers[1]);
    // The unit is named as a missing one, never described.
    let message = answers[0]["errors"][0]["extensions"]["problems"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.contains("no active unit has code V-OTHER"),
        "{message}"
    );
}

#[tokio::test]
async fn masked_birth_dates_stay_masked_in_secretary_ages() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, ..] = app.chain("甲").await;
    let person = app
        .ok(
            "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"赵书记\", gender: MALE, birthDate: \"1980-06-15\", politicalStatus: FULL_MEMBER }) { id } }",
            json!({ "u": v }),
        )
        .await["createPerson"]["id"]
        .as_str()
        .expect("person")
        .to_owned();
    app.ok(
        "mutation($p: ID!, $u: ID!) { startPosition(input: { personId: $p, unitId: $u, role: SECRETARY, startedOn: \"2010-01-01\" }) { id } }",
        json!({ "p": person, "u": v }),
    )
    .await;
    let ages = "{ before: secretaryStats(asOf: \"2020-06-14\") { averageAge } on: secretaryStats(asOf: \"2020-06-15\") { averageAge } }";
    // Who may manage the village sees exact ages: the birthday shows.
    let manager = app.account("manager", Role::Manager, Some(&v));
    let exact = app.gql_as(Some(&manager), ages, json!({})).await;
    assert_eq!(exact["data"]["before"]["averageAge"], 39.0, "{exact}");
    assert_eq!(exact["data"]["on"]["averageAge"], 40.0, "{exact}");
    // A VIEWER gets whole calendar years: every day of 2020 says 40.
    let viewer = app.account("viewer", Role::Viewer, Some(&v));
    let masked = app.gql_as(Some(&viewer), ages, json!({})).await;
    assert_eq!(masked["data"]["before"]["averageAge"], 40.0, "{masked}");
    assert_eq!(masked["data"]["on"]["averageAge"], 40.0, "{masked}");
}

#[tokio::test]
async fn audit_lines_show_only_the_readers_scope() {
    let Some(app) = TestApp::spawn() else { return };
    let [a, ..] = app.chain("甲").await;
    let [b, bv, ..] = app.chain("乙").await;
    // The county moves a village of 乙 into 甲.
    app.ok(
        "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }",
        json!({ "id": bv, "p": a }),
    )
    .await;
    let admin = app.account("admin-a", Role::Admin, Some(&a));
    let log = app
        .gql_as(
            Some(&admin),
            "query($u: ID) { auditLog(under: $u, action: \"MOVE_UNIT\") { nodes { before after } } }",
            json!({ "u": a }),
        )
        .await;
    let line = &log["data"]["auditLog"]["nodes"][0];
    assert!(line.is_object(), "{log}");
    let b_id = grassroots::graphql::ids::decode(
        &async_graphql::ID(b.clone()),
        grassroots::graphql::ids::Kind::OrgUnit,
        "b",
    )
    .expect("id");
    let a_id = grassroots::graphql::ids::decode(
        &async_graphql::ID(a.clone()),
        grassroots::graphql::ids::Kind::OrgUnit,
        "a",
    )
    .expect("id");
    let before: Value =
        serde_json::from_str(line["before"].as_str().expect("before")).expect("json");
    let after: Value = serde_json::from_str(line["after"].as_str().expect("after")).expect("json");
    assert!(before.get("parent_id").is_none(), "{before}");
    assert!(
        !before["ancestry"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v.as_i64() == Some(b_id)),
        "{before}"
    );
    assert_eq!(before["name"], "乙村");
    assert_eq!(after["parent_id"], a_id, "{after}");
    // The county sees both sides.
    let full = app
        .gql(
            "{ auditLog(action: \"MOVE_UNIT\") { nodes { before } } }",
            json!({}),
        )
        .await;
    let before: Value = serde_json::from_str(
        full["data"]["auditLog"]["nodes"][0]["before"]
            .as_str()
            .expect("before"),
    )
    .expect("json");
    assert_eq!(before["parent_id"], b_id);
}
