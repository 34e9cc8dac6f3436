//! `node(id:)` for every kind with a global id: what its own lookup shows,
//! and one NOT_FOUND, word for word, for what is missing or out of sight.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

async fn node(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql_as(Some(token), NODE, json!({ "id": id })).await
}

#[tokio::test]
async fn node_fetches_every_kind_in_scope_and_nothing_outside() {
    let Some(app) = TestApp::spawn() else { return };
    let [t1, _, g1, _, _] = app.chain("甲").await;
    let [t2, _, g2, _, _] = app.chain("乙").await;
    let person = |unit: String, name: &'static str| {
        let app = &app;
        async move {
            let data = app
                .ok(
                    "mutation($u: ID!, $n: String!) { createPerson(input: { unitId: $u, name: $n, gender: MALE, politicalStatus: FULL_MEMBER }) { id } }",
                    json!({ "u": unit, "n": name }),
                )
                .await;
            data["createPerson"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let p1 = person(g1.clone(), "张一").await;
    let p2 = person(g2.clone(), "张二").await;
    let post = |who: String, unit: String| {
        let app = &app;
        async move {
            let data = app
                .ok(
                    "mutation($p: ID!, $u: ID!) { startPosition(input: { personId: $p, unitId: $u, role: GRID_HEAD, startedOn: \"2022-01-01\" }) { id } }",
                    json!({ "p": who, "u": unit }),
                )
                .await;
            data["startPosition"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let post1 = post(p1.clone(), g1.clone()).await;
    let post2 = post(p2.clone(), g2.clone()).await;
    let admin1 = app.account("admin-t1", Role::Admin, Some(&t1));
    let viewer2 = app.account("viewer-t2", Role::Viewer, Some(&t2));
    let me = app
        .gql_as(Some(&admin1), "{ me { id grants { id } } }", json!({}))
        .await;
    let admin1_id = me["data"]["me"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let grant1 = me["data"]["me"]["grants"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let other = app
        .gql_as(Some(&viewer2), "{ me { id grants { id } } }", json!({}))
        .await;
    let viewer2_id = other["data"]["me"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let grant2 = other["data"]["me"]["grants"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let log = app
        .gql_as(
            Some(&admin1),
            "query($u: ID) { auditLog(under: $u, first: 1) { nodes { id } } }",
            json!({ "u": t1 }),
        )
        .await;
    let line1 = log["data"]["auditLog"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let log = app
        .gql(
            "query($u: ID) { auditLog(under: $u, first: 1) { nodes { id } } }",
            json!({ "u": t2 }),
        )
        .await;
    let line2 = log["data"]["auditLog"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // In the township ADMIN's scope: every kind, with its own id.
    for (id, typename) in [
        (&g1, "OrgUnit"),
        (&p1, "Person"),
        (&post1, "Position"),
        (&admin1_id, "Account"),
        (&grant1, "Grant"),
        (&line1, "AuditEntry"),
    ] {
        let resp = node(&app, &admin1, id).await;
        assert_eq!(resp["data"]["node"]["__typename"], typename, "{resp}");
        assert_eq!(resp["data"]["node"]["id"], id.as_str(), "{resp}");
    }
    // The region ADMIN sees the other township's too.
    for id in [&p2, &post2, &viewer2_id, &grant2, &line2] {
        let resp = node(&app, &app.token, id).await;
        assert_eq!(resp["data"]["node"]["id"], id.as_str(), "{resp}");
    }
    // Outside the scope, and missing: the same answer, whatever the kind.
    let missing = |kind: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:999999"))
    };
    let mut answers = Vec::new();
    for id in [
        p2.clone(),
        post2.clone(),
        viewer2_id.clone(),
        grant2.clone(),
        line2.clone(),
        missing("Person"),
        missing("Position"),
        missing("Account"),
        missing("Grant"),
        missing("AuditEntry"),
    ] {
        let resp = node(&app, &admin1, &id).await;
        assert!(resp["data"]["node"].is_null(), "{resp}");
        let e = &resp["errors"][0];
        answers.push((
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            e["message"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    assert!(
        answers
            .iter()
            .all(|a| *a == ("NOT_FOUND".to_owned(), "no node found for id".to_owned())),
        "{answers:?}"
    );
    // A VIEWER reads no audit line, and no grant but its own.
    let resp = node(&app, &viewer2, &line2).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{resp}"
    );
    let resp = node(&app, &viewer2, &grant2).await;
    assert_eq!(resp["data"]["node"]["id"], grant2.as_str(), "{resp}");
    let resp = node(&app, &viewer2, &grant1).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{resp}"
    );
}

/// GraphQL's rule for errors: a failed nullable field is `null` in `data`,
/// beside its error; the other fields still answer.
#[tokio::test]
async fn a_failed_nullable_field_is_null_in_data() {
    let Some(app) = TestApp::spawn() else { return };
    let resp = app
        .gql(
            "{ a: orgUnit(code: \"nope\") { id } b: me { username } }",
            json!({}),
        )
        .await;
    let data = resp["data"].as_object().cloned().unwrap_or_default();
    assert!(data.contains_key("a") && data["a"].is_null(), "{resp}");
    assert_eq!(resp["data"]["b"]["username"], "root", "{resp}");
    assert_eq!(resp["errors"][0]["path"][0], "a", "{resp}");
}

/// A non-null field that fails makes its nearest nullable parent `null`.
#[tokio::test]
async fn a_failed_non_null_field_nulls_its_nullable_parent() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, ..] = app.chain("甲").await;
    let viewer = app.account("village-viewer", Role::Viewer, Some(&v));
    // The township is only a breadcrumb to this viewer: its posts are not
    // theirs to see, and `positions` is a non-null list.
    let resp = app
        .gql_as(
            Some(&viewer),
            "query($t: ID!) { orgUnit(id: $t) { name positions { id } } me { username } }",
            json!({ "t": t }),
        )
        .await;
    let data = resp["data"].as_object().cloned().unwrap_or_default();
    assert!(
        data.contains_key("orgUnit") && data["orgUnit"].is_null(),
        "{resp}"
    );
    assert_eq!(resp["data"]["me"]["username"], "village-viewer", "{resp}");
    assert_eq!(
        resp["errors"][0]["path"],
        json!(["orgUnit", "positions"]),
        "{resp}"
    );
}
