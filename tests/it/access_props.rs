//! Property test of access: random trees, random grants (several per
//! account, two at one unit among them), and what `node`, `orgUnits`,
//! `totalCount`, `coverage`, `dashboard`, code lookups, moves with unknown
//! ids, a person's posts and the people export answer, against an oracle
//! that knows only the tree and docs/design.md §3; a write the oracle forbids is
//! refused with nothing written.

use std::collections::BTreeSet;

use crate::common::TestApp;
use proptest::prelude::*;
use serde_json::json;

use grassroots::auth::policy::Role;

/// A generated unit: its name and parent index.
#[derive(Debug, Clone)]
struct Node {
    parent: Option<usize>,
    level: u8,
}

#[derive(Debug, Clone)]
struct Case {
    nodes: Vec<Node>,
    /// (role, scope node index or None for the region)
    grants: Vec<(Role, Option<usize>)>,
    /// A write to try: (create under / edit / dissolve) × target.
    write: (u8, usize),
    /// A person: (home node, node of their one post).
    person: (usize, usize),
}

fn case() -> impl Strategy<Value = Case> {
    // Parents are drawn among earlier nodes one level up, so the shape is
    // always a valid tree.
    (
        prop::collection::vec((any::<u16>(), 0u8..4), 4..24),
        prop::collection::vec((0u8..3, any::<u16>(), 0u8..8), 1..4),
        (0u8..3, any::<u16>()),
        (any::<u16>(), any::<u16>(), any::<bool>()),
    )
        .prop_map(|(raw, grants, write, (home, post, twice))| {
            let mut nodes: Vec<Node> = vec![Node {
                parent: None,
                level: 1,
            }];
            for (pick, want_level) in raw {
                let level = want_level + 1;
                if level == 1 {
                    nodes.push(Node {
                        parent: None,
                        level: 1,
                    });
                    continue;
                }
                let parents: Vec<usize> = (0..nodes.len())
                    .filter(|i| nodes[*i].level == level - 1)
                    .collect();
                match parents.get(usize::from(pick) % parents.len().max(1)) {
                    Some(p) => nodes.push(Node {
                        parent: Some(*p),
                        level,
                    }),
                    None => nodes.push(Node {
                        parent: None,
                        level: 1,
                    }),
                }
            }
            let n = nodes.len();
            let mut grants: Vec<(Role, Option<usize>)> = grants
                .into_iter()
                .map(|(r, s, region)| {
                    (
                        Role::ALL[usize::from(r)],
                        (region != 0).then_some(usize::from(s) % n),
                    )
                })
                .collect();
            // Two grants at the same unit, with different roles.
            if twice {
                let (role, scope) = grants[0];
                let other = if role == Role::Viewer {
                    Role::Manager
                } else {
                    Role::Viewer
                };
                grants.push((other, scope));
            }
            Case {
                nodes,
                grants,
                write: (write.0, usize::from(write.1) % n),
                person: (usize::from(home) % n, usize::from(post) % n),
            }
        })
}

/// Node `i`'s code: no code is a prefix of another.
fn code_of(i: usize) -> String {
    format!("c{i}z")
}

fn ancestors(nodes: &[Node], mut i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while let Some(p) = nodes[i].parent {
        out.push(p);
        i = p;
    }
    out
}

/// The oracle: fully visible nodes.
fn visible(case: &Case) -> BTreeSet<usize> {
    (0..case.nodes.len())
        .filter(|i| {
            case.grants.iter().any(|(_, s)| match s {
                None => true,
                Some(s) => s == i || ancestors(&case.nodes, *i).contains(s),
            })
        })
        .collect()
}

fn breadcrumbs(case: &Case, full: &BTreeSet<usize>) -> BTreeSet<usize> {
    case.grants
        .iter()
        .filter_map(|(_, s)| *s)
        .flat_map(|s| ancestors(&case.nodes, s))
        .filter(|a| !full.contains(a))
        .collect()
}

/// The oracle for writes: (create under, edit descriptive, dissolve) on a
/// node, by docs/design.md §3 alone.
fn may_write(case: &Case, kind: u8, target: usize) -> bool {
    let t = &case.nodes[target];
    case.grants.iter().any(|(role, scope)| {
        if *role < Role::Manager {
            return false;
        }
        let (itself, inside) = match scope {
            None => (false, true),
            Some(s) => (*s == target, ancestors(&case.nodes, target).contains(s)),
        };
        match kind {
            0 => (itself || inside) && t.level < 5,
            1 => itself || inside,
            _ => inside && (t.level != 1 || (scope.is_none() && *role == Role::Admin)),
        }
    })
}

fn run(case: Case) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    rt.block_on(async move {
        let Some(app) = TestApp::spawn() else { return Ok(()) };
        let mut ids: Vec<String> = Vec::new();
        for (i, n) in case.nodes.iter().enumerate() {
            let unit_type = ["TOWNSHIP", "VILLAGE", "RURAL_GRID", "COURTYARD", "VOLUNTEER_TEAM"][usize::from(n.level - 1)];
            let mut input = json!({ "parentId": n.parent.map(|p: usize| ids[p].clone()), "unitType": unit_type, "name": format!("u{i}"), "code": code_of(i) });
            if n.level == 5 {
                input["teamCategory"] = json!("OTHER");
            }
            ids.push(app.create(input).await);
        }
        let token = {
            let first = &case.grants[0];
            let t = app.account("subject", first.0, first.1.map(|s| ids[s].as_str()));
            let me = app.gql_as(Some(&t), "{ me { id } }", json!({})).await;
            let account = me["data"]["me"]["id"].as_str().unwrap_or_default().to_owned();
            for (role, scope) in &case.grants[1..] {
                app.ok("mutation($a: ID!, $r: Role!, $s: ID) { grantRole(accountId: $a, role: $r, scopeId: $s) { id } }", json!({ "a": account, "r": role.as_str(), "s": scope.map(|s| ids[s].clone()) })).await;
            }
            t
        };
        let full = visible(&case);
        let crumbs = breadcrumbs(&case, &full);

        // Lists and counts.
        let list = app.gql_as(Some(&token), "{ orgUnits(first: 100) { totalCount nodes { id } } }", json!({})).await;
        let got: BTreeSet<String> = list["data"]["orgUnits"]["nodes"].as_array().into_iter().flatten().filter_map(|n| n["id"].as_str().map(str::to_owned)).collect();
        let want: BTreeSet<String> = full.iter().map(|i| ids[*i].clone()).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(list["data"]["orgUnits"]["totalCount"].as_u64(), Some(want.len() as u64));

        for (i, id) in ids.iter().enumerate() {
            let resp = app.gql_as(Some(&token), "query($id: ID!) { node(id: $id) { ... on OrgUnit { name } } }", json!({ "id": id })).await;
            let named = resp["data"]["node"]["name"].as_str() == Some(&format!("u{i}"));
            prop_assert_eq!(named, full.contains(&i) || crumbs.contains(&i), "node {} name: {}", i, resp);
            let resp = app.gql_as(Some(&token), "query($id: ID!) { node(id: $id) { ... on OrgUnit { code } } }", json!({ "id": id })).await;
            prop_assert_eq!(resp["data"]["node"]["code"].as_str() == Some(code_of(i).as_str()), full.contains(&i), "node {} code: {}", i, resp);
            if !full.contains(&i) {
                prop_assert_eq!(resp["errors"][0]["extensions"]["code"].as_str(), Some("NOT_FOUND"));
            }
            let under = app.gql_as(Some(&token), "query($id: ID!) { orgUnits(under: $id) { totalCount } }", json!({ "id": id })).await;
            if full.contains(&i) {
                let below = (0..ids.len()).filter(|d| ancestors(&case.nodes, *d).contains(&i)).count();
                prop_assert_eq!(under["data"]["orgUnits"]["totalCount"].as_u64(), Some(below as u64));
            } else {
                prop_assert_eq!(under["errors"][0]["extensions"]["code"].as_str(), Some("NOT_FOUND"));
            }
        }

        // Aggregates count every visible unit once, however many grants
        // cover it: management units (levels 1–4) and all five levels.
        let agg = app.gql_as(Some(&token), "{ coverage { total } dashboard { units } }", json!({})).await;
        let managed = full.iter().filter(|i| case.nodes[**i].level <= 4).count();
        prop_assert_eq!(agg["data"]["coverage"]["total"].as_u64(), Some(managed as u64), "{}", agg);
        prop_assert_eq!(agg["data"]["dashboard"]["units"].as_u64(), Some(full.len() as u64), "{}", agg);

        // Codes: found only for units seen in full; anything else answers
        // as a code nobody holds. A move of an unseen unit answers as one
        // of a missing unit, whatever its new parent.
        let by_code = "query($c: String!) { orgUnit(code: $c) { id } }";
        let nobody = app.gql_as(Some(&token), by_code, json!({ "c": "no-such-code" })).await;
        let unknown = grassroots::graphql::ids::encode(grassroots::graphql::ids::Kind::OrgUnit, 9_999_999).to_string();
        let mv = "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }";
        let missing_move = app.gql_as(Some(&token), mv, json!({ "id": unknown, "p": ids[0] })).await;
        for (i, id) in ids.iter().enumerate() {
            let found = app.gql_as(Some(&token), by_code, json!({ "c": code_of(i) })).await;
            if full.contains(&i) {
                prop_assert_eq!(found["data"]["orgUnit"]["id"].as_str(), Some(id.as_str()), "{}", found);
            } else {
                prop_assert_eq!(&found["errors"], &nobody["errors"], "code of {}", i);
                let moved = app.gql_as(Some(&token), mv, json!({ "id": id, "p": unknown })).await;
                prop_assert_eq!(&moved["errors"][0]["message"], &missing_move["errors"][0]["message"], "move {}: {}", i, moved);
                prop_assert_eq!(&moved["errors"][0]["extensions"], &missing_move["errors"][0]["extensions"]);
            }
        }

        // A person at home in one unit, holding one post in another.
        let (home, post) = case.person;
        let person = app
            .ok("mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"甲某\", gender: MALE }) { id } }", json!({ "u": ids[home] }))
            .await["createPerson"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let role = if case.nodes[post].level <= 2 { "LINKED_LEADER" } else { "VOLUNTEER" };
        app.ok(
            "mutation($p: ID!, $u: ID!, $r: PositionRole!) { startPosition(input: { personId: $p, unitId: $u, role: $r, startedOn: \"2022-01-01\" }) { id } }",
            json!({ "p": person, "u": ids[post], "r": role }),
        )
        .await;
        let seen = app
            .gql_as(Some(&token), "query($id: ID!) { person(id: $id) { positions { unit { id } } } }", json!({ "id": person }))
            .await;
        let visible_person = full.contains(&home) || full.contains(&post);
        prop_assert_eq!(seen["data"]["person"].is_object(), visible_person, "person: {}", seen);
        if visible_person {
            let units: Vec<&str> = seen["data"]["person"]["positions"].as_array().into_iter().flatten().filter_map(|p| p["unit"]["id"].as_str()).collect();
            let want: Vec<&str> = if full.contains(&post) { vec![ids[post].as_str()] } else { Vec::new() };
            prop_assert_eq!(units, want, "posts: {}", seen);
        }
        let (_, csv) = app.get_as(&token, "/reports/people.csv").await;
        for i in (0..ids.len()).filter(|i| !full.contains(i)) {
            prop_assert!(!csv.contains(&code_of(i)), "export names unseen unit {}: {}", i, csv);
        }

        // One write; refused ones change nothing.
        let snapshot = "{ orgUnits(first: 100, includeDissolved: true) { nodes { id name notes status } } }";
        let before = app.ok(snapshot, json!({})).await;
        let (kind, target) = case.write;
        let t = &case.nodes[target];
        let resp = match kind {
            0 => {
                let child = ["VILLAGE", "RURAL_GRID", "COURTYARD", "VOLUNTEER_TEAM", "VOLUNTEER_TEAM"][usize::from(t.level - 1)];
                let mut input = json!({ "parentId": ids[target], "unitType": child, "name": "新" });
                if child == "VOLUNTEER_TEAM" {
                    input["teamCategory"] = json!("OTHER");
                }
                app.gql_as(Some(&token), "mutation($i: CreateOrgUnitInput!) { createOrgUnit(input: $i) { id } }", json!({ "i": input })).await
            }
            1 => app.gql_as(Some(&token), "mutation($id: ID!) { updateOrgUnit(id: $id, input: { notes: \"改\" }) { id } }", json!({ "id": ids[target] })).await,
            _ => app.gql_as(Some(&token), "mutation($id: ID!) { dissolveOrgUnit(id: $id, on: \"2024-01-01\", reason: \"测\") { id } }", json!({ "id": ids[target] })).await,
        };
        let code = resp["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
        let refused = code == "FORBIDDEN" || code == "NOT_FOUND";
        let creating_under_team = kind == 0 && t.level == 5;
        if !creating_under_team {
            prop_assert_eq!(!refused, may_write(&case, kind, target), "write {:?} on {}: {}", kind, target, resp);
        }
        if refused {
            prop_assert_eq!(app.ok(snapshot, json!({})).await, before);
        }
        Ok(())
    })
}

fn cases() -> u32 {
    match crate::common::backend() {
        Some(crate::common::Backend::Postgres(_)) => 10,
        _ => 32,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn what_a_viewer_sees_matches_the_oracle(case in case()) {
        run(case)?;
    }
}
