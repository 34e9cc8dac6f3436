//! The permission matrix, generated from `policy::RULES`: every role at
//! every scope level, every action, on targets inside the scope, the scope
//! itself, its ancestor, a sibling subtree and another township — each
//! through the API, expecting success, `FORBIDDEN` (visible but not
//! allowed) or `NOT_FOUND` (not visible at all).

use std::collections::HashMap;

use crate::common::TestApp;
use serde_json::{json, Value};

use grassroots::auth::policy::{ActionKind, Position, Role, RULES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
}

/// What the table says, with no help from the code under test.
fn expected(
    role: Role,
    region: bool,
    action: ActionKind,
    pos: Position,
    township_target: bool,
) -> Outcome {
    expected_at(role, (region, None), action, pos, township_target)
}

/// [`expected`] for a grant whose scope unit is at level `scope_level`
/// (`None`: the region).
fn expected_at(
    role: Role,
    (region, scope_level): (bool, Option<u8>),
    action: ActionKind,
    pos: Position,
    township_target: bool,
) -> Outcome {
    let rule = RULES.iter().find(|r| r.action == action).expect("rule");
    let deep_enough = match rule.scope_from {
        None => true,
        Some(from) => scope_level.is_some_and(|l| i32::from(l) >= from.number()),
    };
    let mut allowed = role >= rule.min_role && rule.positions.contains(&pos) && deep_enough;
    let reserved = matches!(action, ActionKind::Move | ActionKind::Dissolve) && township_target;
    if reserved {
        allowed = region && role == Role::Admin;
    }
    let readable = matches!(pos, Position::Itself | Position::Inside);
    match (allowed, readable) {
        (true, _) => Outcome::Allowed,
        (false, true) if action != ActionKind::Read => Outcome::Forbidden,
        _ => Outcome::NotFound,
    }
}

fn outcome(resp: &Value, allowed_code: &str) -> Outcome {
    match resp["errors"][0]["extensions"]["code"].as_str() {
        None => Outcome::Allowed,
        Some(c) if c == allowed_code => Outcome::Allowed,
        Some("FORBIDDEN") => Outcome::Forbidden,
        Some("NOT_FOUND") => Outcome::NotFound,
        Some(other) => panic!("unexpected {other}: {resp}"),
    }
}

/// Targets of a scope, each with its position relative to the scope.
type Targets = Vec<(&'static str, Position)>;

struct Tree {
    ids: HashMap<&'static str, String>,
    parent: HashMap<&'static str, &'static str>,
    level: HashMap<&'static str, u8>,
}

async fn build(app: &TestApp) -> Tree {
    let spec: [(&str, Option<&str>, &str, Option<&str>); 12] = [
        ("A", None, "TOWNSHIP", Some("COMMITTEE")),
        ("B", None, "TOWNSHIP", Some("COMMITTEE")),
        ("A1", Some("A"), "VILLAGE", Some("BRANCH")),
        ("A2", Some("A"), "VILLAGE", Some("BRANCH")),
        ("B1", Some("B"), "VILLAGE", Some("BRANCH")),
        ("A1g", Some("A1"), "RURAL_GRID", Some("PARTY_GROUP")),
        ("A1g2", Some("A1"), "RURAL_GRID", Some("PARTY_GROUP")),
        ("A2g", Some("A2"), "RURAL_GRID", Some("PARTY_GROUP")),
        ("B1g", Some("B1"), "RURAL_GRID", Some("PARTY_GROUP")),
        ("A1gb", Some("A1g"), "COURTYARD", Some("PARTY_GROUP")),
        ("A1g2b", Some("A1g2"), "COURTYARD", Some("PARTY_GROUP")),
        ("B1gb", Some("B1g"), "COURTYARD", Some("PARTY_GROUP")),
    ];
    let mut tree = Tree {
        ids: HashMap::new(),
        parent: HashMap::new(),
        level: HashMap::new(),
    };
    for (name, parent, unit_type, form) in spec {
        let parent_id = parent.map(|p| tree.ids[p].clone());
        let id = app.create(json!({ "parentId": parent_id, "unitType": unit_type, "name": name, "orgForm": form })).await;
        tree.level.insert(
            name,
            match unit_type {
                "TOWNSHIP" => 1,
                "VILLAGE" => 2,
                "RURAL_GRID" => 3,
                _ => 4,
            },
        );
        if let Some(p) = parent {
            tree.parent.insert(name, p);
        }
        tree.ids.insert(name, id);
    }
    // Every building group gets a team, so that nothing is a leaf: a
    // permitted dissolve answers CONFLICT and leaves the tree as it was.
    for b in ["A1gb", "A1g2b", "B1gb"] {
        app.create(json!({ "parentId": tree.ids[b], "unitType": "VOLUNTEER_TEAM", "name": "队", "teamCategory": "OTHER" })).await;
    }
    tree
}

fn child_input(level: u8, parent: &str) -> Value {
    match level {
        1 => json!({ "parentId": parent, "unitType": "VILLAGE", "name": "新" }),
        2 => json!({ "parentId": parent, "unitType": "RURAL_GRID", "name": "新" }),
        3 => json!({ "parentId": parent, "unitType": "COURTYARD", "name": "新" }),
        _ => {
            json!({ "parentId": parent, "unitType": "VOLUNTEER_TEAM", "name": "新", "teamCategory": "OTHER" })
        }
    }
}

#[tokio::test]
async fn every_role_scope_action_and_position_follows_the_table() {
    let Some(app) = TestApp::spawn() else { return };
    let tree = build(&app).await;
    let dummy = app
        .ok("mutation { createAccount(input: { username: \"dummy\", displayName: \"d\", password: \"dummy-password\", role: VIEWER }) { id } }", json!({}))
        .await["createAccount"]["id"]
        .as_str()
        .expect("dummy")
        .to_owned();
    // Grants go only to accounts the granting ADMIN already manages: the
    // dummy holds a VIEWER grant at every unit, so every ADMIN manages it
    // and the table alone decides where a grant may go.
    for id in tree.ids.values() {
        app.ok(
            "mutation($a: ID!, $s: ID) { grantRole(accountId: $a, role: VIEWER, scopeId: $s) { id } }",
            json!({ "a": dummy, "s": id }),
        )
        .await;
    }

    // Households in two groups, under lists of their townships.
    let mut households = HashMap::new();
    let mut township_items = HashMap::new();
    for (group, township) in [("A1gb", "A"), ("B1gb", "B")] {
        households.insert(
            group,
            crate::points::household(&app, &tree.ids[group], "1号").await,
        );
        let (_, ids) = crate::points::adopted_list(&app, &tree.ids[township]).await;
        township_items.insert(township, ids);
    }

    // (scope, [(target, position)]); None: the region.
    use Position::*;
    let scopes: [(Option<&str>, Targets); 4] = [
        (
            None,
            vec![
                ("A", Inside),
                ("A1", Inside),
                ("A1g", Inside),
                ("A1gb", Inside),
                ("B1", Inside),
            ],
        ),
        (
            Some("A"),
            vec![
                ("A", Itself),
                ("A1g", Inside),
                ("A1", Inside),
                ("A1gb", Inside),
                ("B", Outside),
                ("B1", Outside),
            ],
        ),
        (
            Some("A1"),
            vec![
                ("A1", Itself),
                ("A1gb", Inside),
                ("A", Ancestor),
                ("A2", Outside),
                ("B1", Outside),
                ("B1gb", Outside),
            ],
        ),
        (
            Some("A1g"),
            vec![
                ("A1g", Itself),
                ("A1gb", Inside),
                ("A1", Ancestor),
                ("A1g2", Outside),
                ("B1g", Outside),
            ],
        ),
    ];
    let mut checked = 0;
    let mut code_seq = 0;
    for (s, (scope, targets)) in scopes.iter().enumerate() {
        for role in Role::ALL {
            let username = format!("u{s}-{}", role.as_str().to_lowercase());
            let token = app.account(&username, role, scope.map(|n| tree.ids[n].as_str()));
            for (target, pos) in targets {
                let id = tree.ids[target].clone();
                let level = tree.level[target];
                let parent_pos =
                    |p: &str| targets.iter().find(|(t, _)| *t == p).map(|(_, pos)| *pos);
                for rule in RULES {
                    let action = rule.action;
                    let (resp, allowed_code) = match action {
                        ActionKind::Read => (app.gql_as(Some(&token), "query($id: ID!) { node(id: $id) { ... on OrgUnit { code subtreeCounts { total } } } }", json!({ "id": id })).await, ""),
                        ActionKind::CreateUnder => (app.gql_as(Some(&token), "mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }", json!({ "i": child_input(level, &id) })).await, ""),
                        ActionKind::EditDescriptive => (app.gql_as(Some(&token), "mutation($id: ID!) { updateOrgUnit(id: $id, input: { notes: \"检查\" }) { id } }", json!({ "id": id })).await, ""),
                        ActionKind::EditStructure => {
                            code_seq += 1;
                            (app.gql_as(Some(&token), "mutation($id: ID!, $c: String) { updateOrgUnit(id: $id, input: { code: $c }) { id } }", json!({ "id": id, "c": format!("C{code_seq}") })).await, "")
                        }
                        ActionKind::Move => {
                            // Moving a unit to the parent it has: both the unit and the
                            // destination are checked; nothing changes.
                            let Some(parent) = tree.parent.get(target) else { continue };
                            let resp = app.gql_as(Some(&token), "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }", json!({ "id": id, "p": tree.ids[parent] })).await;
                            let want_unit = expected(role, scope.is_none(), ActionKind::Move, *pos, level == 1);
                            let dest_pos = if scope.is_none() { Inside } else { parent_pos(parent).unwrap_or(if *pos == Inside { Inside } else { Outside }) };
                            let want_dest = expected(role, scope.is_none(), ActionKind::CreateUnder, dest_pos, false);
                            let want = if want_unit != Outcome::Allowed { want_unit } else { want_dest };
                            assert_eq!(outcome(&resp, ""), want, "{username} Move {target}: {resp}");
                            checked += 1;
                            continue;
                        }
                        ActionKind::Dissolve => (app.gql_as(Some(&token), "mutation($id: ID!) { dissolveOrgUnit(id: $id, on: \"2024-01-01\", reason: \"检查\") { id } }", json!({ "id": id })).await, "CONFLICT"),
                        ActionKind::ManagePeople => (app.gql_as(Some(&token), "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"检查\", gender: MALE }) { id } }", json!({ "u": id })).await, ""),
                        ActionKind::ManageGrants => (app.gql_as(Some(&token), "mutation($a: ID!, $s: ID) { grantRole(accountId: $a, role: VIEWER, scopeId: $s) { id } }", json!({ "a": dummy, "s": id })).await, ""),
                        ActionKind::ReadAudit => (app.gql_as(Some(&token), "query($id: ID!) { auditLog(under: $id, first: 1) { totalCount } }", json!({ "id": id })).await, ""),
                        // Grids and groups own no list: allowed there means the level is refused after access.
                        ActionKind::ManagePointsLists => (app.gql_as(Some(&token), crate::points::PROPOSE, json!({ "o": id, "t": "清单", "items": crate::points::items() })).await, if level > 2 { "BAD_USER_INPUT" } else { "" }),
                        ActionKind::RecordPoints => {
                            // Only groups hold households.
                            let Some(h) = households.get(target) else { continue };
                            (app.gql_as(Some(&token), crate::points::RECORD, json!({ "h": h, "i": crate::points::item(&township_items[&target[..1]], "XL1"), "on": "2024-03-01" })).await, "")
                        }
                        ActionKind::RecordService => (app.gql_as(Some(&token), "mutation($u: ID!) { recordTraining(input: { unitId: $u, heldOn: \"2024-03-01\", topic: \"党课\", trainees: 12 }) { id } }", json!({ "u": id })).await, ""),
                        // Only grids take problems, and only villages keep incomes: elsewhere
                        // allowed means the level is refused after access.
                        ActionKind::HandleProblems => (app.gql_as(Some(&token), "mutation($u: ID!) { reportProblem(input: { unitId: $u, channel: GRID_VISIT, category: SANITATION, description: \"垃圾未清运\", reporterName: \"王大妈\" }) { id } }", json!({ "u": id })).await, if level == 3 { "" } else { "BAD_USER_INPUT" }),
                        ActionKind::RecordEconomy => (app.gql_as(Some(&token), "mutation($u: ID!) { setVillageIncome(input: { unitId: $u, year: 2024, incomeYuan: 52000 }) { year } }", json!({ "u": id })).await, if level == 2 { "" } else { "BAD_USER_INPUT" }),
                        // The region is its only target: `only_a_region_admin_configures_the_region`.
                        ActionKind::ConfigureRegion => continue,
                    };
                    let scope_level = scope.map(|n| tree.level[n]);
                    let want = expected_at(
                        role,
                        (scope.is_none(), scope_level),
                        action,
                        *pos,
                        level == 1,
                    );
                    assert_eq!(
                        outcome(&resp, allowed_code),
                        want,
                        "{username} {action:?} on {target} ({pos:?}): {resp}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 400, "{checked} cases");
}

#[tokio::test]
async fn only_a_region_admin_configures_the_region() {
    let Some(app) = TestApp::spawn() else { return };
    let tree = build(&app).await;
    for (role, scope, want) in [
        (Role::Admin, None, Outcome::Allowed),
        (Role::Manager, None, Outcome::Forbidden),
        (Role::Viewer, None, Outcome::Forbidden),
        (Role::Admin, Some("A"), Outcome::Forbidden),
    ] {
        let token = app.account(
            &format!(
                "c-{}-{}",
                role.as_str().to_lowercase(),
                scope.unwrap_or("r")
            ),
            role,
            scope.map(|n| tree.ids[n].as_str()),
        );
        for op in [
            "mutation { setEconomyBrackets(bounds: [40000, 60000, 200000]) }",
            "mutation { setProblemDeadline(category: DISPUTE, days: 10) }",
        ] {
            let resp = app.gql_as(Some(&token), op, json!({})).await;
            assert_eq!(outcome(&resp, ""), want, "{role:?} {scope:?} {op}: {resp}");
        }
    }
}

#[tokio::test]
async fn only_a_region_admin_creates_townships() {
    let Some(app) = TestApp::spawn() else { return };
    let tree = build(&app).await;
    let create = "mutation { createOrgUnit(input: { unitType: TOWNSHIP, name: \"新镇\" }) { id } }";
    for (role, scope, want) in [
        (Role::Admin, None, Outcome::Allowed),
        (Role::Manager, None, Outcome::Forbidden),
        (Role::Admin, Some("A"), Outcome::Forbidden),
    ] {
        let token = app.account(
            &format!(
                "t-{}-{}",
                role.as_str().to_lowercase(),
                scope.unwrap_or("r")
            ),
            role,
            scope.map(|n| tree.ids[n].as_str()),
        );
        let resp = app.gql_as(Some(&token), create, json!({})).await;
        assert_eq!(outcome(&resp, ""), want, "{role:?} {scope:?}: {resp}");
    }
}

#[tokio::test]
async fn a_scoped_viewer_sees_its_subtree_and_only_breadcrumbs_above() {
    let Some(app) = TestApp::spawn() else { return };
    let tree = build(&app).await;
    let token = app.account("village-viewer", Role::Viewer, Some(&tree.ids["A1"]));
    let data = app
        .gql_as(
            Some(&token),
            "{ orgUnits(first: 100) { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    // A1, its two grids, their two courtyards and the courtyards' teams.
    assert_eq!(data["data"]["orgUnits"]["totalCount"], 7, "{data}");
    let team = app.gql_as(Some(&token), "{ orgUnits(level: BUILDING_GROUP, first: 1) { nodes { name ancestors { name } parent { name } } } }", json!({})).await;
    assert_eq!(
        team["data"]["orgUnits"]["nodes"][0]["ancestors"],
        json!([{ "name": "A" }, { "name": "A1" }, { "name": "A1g" }])
    );
    // The township above: identity only.
    let crumb = app
        .gql_as(
            Some(&token),
            "query($id: ID!) { node(id: $id) { ... on OrgUnit { name level unitType } } }",
            json!({ "id": tree.ids["A"] }),
        )
        .await;
    assert_eq!(
        crumb["data"]["node"],
        json!({ "name": "A", "level": "TOWNSHIP", "unitType": "TOWNSHIP" })
    );
    for field in [
        "code",
        "orgForm",
        "subtreeCounts { total }",
        "children { totalCount }",
        "notes",
    ] {
        let q = format!("query($id: ID!) {{ node(id: $id) {{ ... on OrgUnit {{ {field} }} }} }}");
        let resp = app
            .gql_as(Some(&token), &q, json!({ "id": tree.ids["A"] }))
            .await;
        assert_eq!(
            resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{field}: {resp}"
        );
    }
    // Elsewhere: as if it did not exist, in lookups, lists and counts.
    let other = app
        .gql_as(
            Some(&token),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": tree.ids["A2"] }),
        )
        .await;
    assert_eq!(other["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let under = app
        .gql_as(
            Some(&token),
            "query($id: ID!) { orgUnits(under: $id) { totalCount } }",
            json!({ "id": tree.ids["B"] }),
        )
        .await;
    assert_eq!(under["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let search = app
        .gql_as(
            Some(&token),
            "{ orgUnits(search: \"B1\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(search["data"]["orgUnits"]["totalCount"], 0);
}

#[test]
fn the_readme_shows_the_matrix_the_code_enforces() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let table = grassroots::auth::policy::matrix_markdown();
    assert!(
        readme.contains(&table),
        "README.md's permission matrix is out of date; paste:\n{table}"
    );
}
