//! Creating and editing units: every rule of docs/design.md §1, each with its
//! error code and field.

use crate::common::TestApp;
use serde_json::{json, Value};

const CREATE: &str = "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { id level orgForm hostUnit { id } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateOrgUnitInput!) { updateOrgUnit(id: $id, input: $input) { id unitType name code orgForm hostUnit { id } foundedOn notes serviceStation } }";

async fn create_err(app: &TestApp, input: Value) -> (String, Option<String>, String) {
    app.err(CREATE, json!({ "input": input })).await
}

fn bad(field: &str) -> (String, Option<String>) {
    ("BAD_USER_INPUT".to_owned(), Some(field.to_owned()))
}

macro_rules! assert_code {
    ($got:expr, $code:expr, $field:expr) => {{
        let (code, field, message) = $got;
        assert_eq!(
            (code, field),
            ($code.to_owned(), $field.map(|f: &str| f.to_owned())),
            "message: {message}"
        );
        message
    }};
}

#[tokio::test]
async fn placement_follows_the_levels() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("甲").await;

    // Townships have no parent; everything else has one exactly one level up.
    let (c, f, _) = create_err(
        &app,
        json!({ "parentId": t, "unitType": "SUBDISTRICT", "name": "x" }),
    )
    .await;
    assert_eq!((c, f), bad("parentId"));
    let (c, f, _) = create_err(&app, json!({ "unitType": "VILLAGE", "name": "x" })).await;
    assert_eq!((c, f), bad("parentId"));
    for (parent, unit_type) in [
        (&t, "RURAL_GRID"),
        (&v, "COURTYARD"),
        (&g, "VOLUNTEER_TEAM"),
        (&b, "BUILDING"),
        (&team, "VOLUNTEER_TEAM"),
    ] {
        let mut input = json!({ "parentId": parent, "unitType": unit_type, "name": "x" });
        if unit_type == "VOLUNTEER_TEAM" {
            input["teamCategory"] = json!("OTHER");
        }
        let (c, f, m) = create_err(&app, input).await;
        assert_eq!(
            (c, f),
            bad("parentId"),
            "{unit_type} under a wrong level: {m}"
        );
    }

    // The level follows from the type; forms default to NONE.
    let data = app
        .ok(
            CREATE,
            json!({ "input": { "parentId": t, "unitType": "COMMUNITY", "name": "新社区" } }),
        )
        .await;
    assert_eq!(data["createOrgUnit"]["level"], "VILLAGE");
    assert_eq!(data["createOrgUnit"]["orgForm"], "NONE");

    // Unknown and malformed parents.
    let missing =
        grassroots::graphql::ids::encode(grassroots::graphql::ids::Kind::OrgUnit, 999_999)
            .to_string();
    assert_code!(
        create_err(
            &app,
            json!({ "parentId": missing, "unitType": "VILLAGE", "name": "x" })
        )
        .await,
        "NOT_FOUND",
        None::<&str>
    );
    assert_code!(
        create_err(
            &app,
            json!({ "parentId": "garbage", "unitType": "VILLAGE", "name": "x" })
        )
        .await,
        "BAD_USER_INPUT",
        Some("parentId")
    );
}

#[tokio::test]
async fn org_forms_are_checked_per_level() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("乙").await;
    let cases = [
        (None, "TOWNSHIP", "PARTY_GROUP"),
        (None, "TOWNSHIP", "AFFILIATED"),
        (Some(&t), "VILLAGE", "WORKING_COMMITTEE"),
        (Some(&t), "VILLAGE", "FUNCTIONAL_BRANCH"),
        (Some(&v), "RURAL_GRID", "COMMITTEE"),
        (Some(&g), "COURTYARD", "BRANCH"),
        (Some(&g), "BUILDING", "FUNCTIONAL_BRANCH"),
        (Some(&b), "VOLUNTEER_TEAM", "NONE"),
    ];
    for (parent, unit_type, form) in cases {
        let input = json!({ "parentId": parent, "unitType": unit_type, "name": "x", "orgForm": form, "teamCategory": if unit_type == "VOLUNTEER_TEAM" { json!("OTHER") } else { Value::Null } });
        assert_code!(
            create_err(&app, input).await,
            "BAD_USER_INPUT",
            Some("orgForm")
        );
    }
    // And each allowed one passes.
    for (parent, unit_type, form) in [
        (None, "SUBDISTRICT", "WORKING_COMMITTEE"),
        (Some(&t), "VILLAGE", "JOINT_BRANCH"),
        (Some(&v), "RELOCATION_SITE", "FUNCTIONAL_BRANCH"),
        (Some(&g), "BUILDING", "PARTY_GROUP"),
    ] {
        app.ok(CREATE, json!({ "input": { "parentId": parent, "unitType": unit_type, "name": "ok", "orgForm": form } })).await;
    }
}

#[tokio::test]
async fn team_categories_belong_to_teams_only() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, v, _, b, _] = app.chain("丙").await;
    assert_code!(
        create_err(
            &app,
            json!({ "parentId": b, "unitType": "VOLUNTEER_TEAM", "name": "队" })
        )
        .await,
        "BAD_USER_INPUT",
        Some("teamCategory")
    );
    assert_code!(create_err(&app, json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "格", "teamCategory": "TRAFFIC" })).await, "BAD_USER_INPUT", Some("teamCategory"));
}

#[tokio::test]
async fn affiliated_units_need_an_organized_ancestor_as_host() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, _, _] = app.chain("丁").await;
    let [_, other_v, _, _, _] = app.chain("戊").await;
    let site = |host: Value| json!({ "parentId": v, "unitType": "RELOCATION_SITE", "name": "安置点", "orgForm": "AFFILIATED", "hostUnitId": host });

    assert_code!(
        create_err(&app, site(Value::Null)).await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );
    // Not an ancestor.
    assert_code!(
        create_err(&app, site(json!(other_v))).await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );
    assert_code!(
        create_err(&app, site(json!(g))).await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );
    // A host without an organization of its own.
    let bare = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "无组织村" }))
        .await;
    let input = json!({ "parentId": bare, "unitType": "RURAL_GRID", "name": "格", "orgForm": "AFFILIATED", "hostUnitId": bare });
    assert_code!(
        create_err(&app, input).await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );
    // A host for a unit that is not affiliated.
    let input = json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "格", "orgForm": "BRANCH", "hostUnitId": v });
    assert_code!(
        create_err(&app, input).await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );

    let data = app.ok(CREATE, json!({ "input": site(json!(v)) })).await;
    assert_eq!(data["createOrgUnit"]["hostUnit"]["id"], json!(v));
    // The township is an ancestor with its own organization too.
    app.ok(CREATE, json!({ "input": site(json!(t)) })).await;
}

#[tokio::test]
async fn codes_are_unique_among_active_units() {
    let Some(app) = TestApp::spawn() else { return };
    app.create(json!({ "unitType": "TOWNSHIP", "name": "上梅街道", "code": "431322001000" }))
        .await;
    let (code, field, msg) = create_err(
        &app,
        json!({ "unitType": "TOWNSHIP", "name": "重复", "code": " 431322001000 " }),
    )
    .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("CONFLICT", Some("code")),
        "{msg}"
    );
    assert!(msg.contains("上梅街道"), "{msg}");
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "x", "code": "4313 22" })
        )
        .await,
        "BAD_USER_INPUT",
        Some("code")
    );
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "x", "code": "9".repeat(65) })
        )
        .await,
        "BAD_USER_INPUT",
        Some("code")
    );
    // Codes that extend the 12-digit division codes are taken as they are.
    app.create(json!({ "unitType": "TOWNSHIP", "name": "长码", "code": "431322001201003" }))
        .await;
}

#[tokio::test]
async fn names_texts_and_dates_are_validated() {
    let Some(app) = TestApp::spawn() else { return };
    assert_code!(
        create_err(&app, json!({ "unitType": "TOWNSHIP", "name": "   " })).await,
        "BAD_USER_INPUT",
        Some("name")
    );
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "长".repeat(101) })
        )
        .await,
        "BAD_USER_INPUT",
        Some("name")
    );
    assert_code!(
        create_err(&app, json!({ "unitType": "TOWNSHIP", "name": "x\u{7}" })).await,
        "BAD_USER_INPUT",
        Some("name")
    );
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "x", "notes": "n".repeat(4001) })
        )
        .await,
        "BAD_USER_INPUT",
        Some("notes")
    );
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "x", "serviceStation": "s".repeat(201) })
        )
        .await,
        "BAD_USER_INPUT",
        Some("serviceStation")
    );
    assert_code!(
        create_err(
            &app,
            json!({ "unitType": "TOWNSHIP", "name": "x", "foundedOn": "2999-01-01" })
        )
        .await,
        "BAD_USER_INPUT",
        Some("foundedOn")
    );
    // A malformed date in a literal and in a variable.
    let (code, field, _) = app.err(r#"mutation { createOrgUnit(input: { unitType: TOWNSHIP, name: "x", foundedOn: "2020-13-01" }) { id } }"#, json!({})).await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("foundedOn"))
    );
    let (code, _, _) = create_err(
        &app,
        json!({ "unitType": "TOWNSHIP", "name": "x", "foundedOn": "yesterday" }),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    // An unknown enum value.
    let (code, _, _) = create_err(&app, json!({ "unitType": "CITY", "name": "x" })).await;
    assert_eq!(code, "BAD_USER_INPUT");
    // Nothing of the above was written.
    let data = app.ok("{ orgUnits { totalCount } }", json!({})).await;
    assert_eq!(data["orgUnits"]["totalCount"], 0);
}

#[tokio::test]
async fn updates_keep_the_rules() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, _, team] = app.chain("己").await;
    app.create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "邻村", "code": "V-2" }))
        .await;

    // Same-level type changes are edits; level changes are not.
    let data = app.ok(UPDATE, json!({ "id": v, "input": { "unitType": "COMMUNITY", "name": " 己社区 ", "code": "V-1", "notes": "村改居" } })).await;
    assert_eq!(data["updateOrgUnit"]["unitType"], "COMMUNITY");
    assert_eq!(data["updateOrgUnit"]["name"], "己社区");
    assert_code!(
        app.err(
            UPDATE,
            json!({ "id": v, "input": { "unitType": "TOWNSHIP" } })
        )
        .await,
        "BAD_USER_INPUT",
        Some("unitType")
    );
    assert_code!(
        app.err(UPDATE, json!({ "id": v, "input": { "code": "V-2" } }))
            .await,
        "CONFLICT",
        Some("code")
    );
    assert_code!(
        app.err(
            UPDATE,
            json!({ "id": v, "input": { "orgForm": "PARTY_GROUP" } })
        )
        .await,
        "BAD_USER_INPUT",
        Some("orgForm")
    );
    assert_code!(
        app.err(
            UPDATE,
            json!({ "id": team, "input": { "orgForm": "NONE" } })
        )
        .await,
        "BAD_USER_INPUT",
        Some("orgForm")
    );
    assert_code!(
        app.err(
            UPDATE,
            json!({ "id": g, "input": { "teamCategory": "OTHER" } })
        )
        .await,
        "BAD_USER_INPUT",
        Some("teamCategory")
    );

    // Becoming affiliated needs a host; leaving the form drops it.
    assert_code!(
        app.err(
            UPDATE,
            json!({ "id": g, "input": { "orgForm": "AFFILIATED" } })
        )
        .await,
        "BAD_USER_INPUT",
        Some("hostUnitId")
    );
    let data = app
        .ok(
            UPDATE,
            json!({ "id": g, "input": { "orgForm": "AFFILIATED", "hostUnitId": v } }),
        )
        .await;
    assert_eq!(data["updateOrgUnit"]["hostUnit"]["id"], json!(v));
    let data = app
        .ok(UPDATE, json!({ "id": g, "input": { "orgForm": "BRANCH" } }))
        .await;
    assert!(data["updateOrgUnit"]["hostUnit"].is_null());

    // null clears, absence keeps.
    let data = app
        .ok(
            UPDATE,
            json!({ "id": v, "input": { "notes": null, "foundedOn": "2001-07-01" } }),
        )
        .await;
    assert!(data["updateOrgUnit"]["notes"].is_null());
    assert_eq!(data["updateOrgUnit"]["code"], "V-1");
    assert_eq!(data["updateOrgUnit"]["foundedOn"], "2001-07-01");
}
