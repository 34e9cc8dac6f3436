//! Property test of access: random trees, random grants, and what `node`,
//! `orgUnits` and `totalCount` answer, against an oracle that knows only
//! the tree and DESIGN.md §3; a write the oracle forbids is refused with
//! nothing written.

mod common;

use std::collections::BTreeSet;

use common::TestApp;
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
}

fn case() -> impl Strategy<Value = Case> {
    // Parents are drawn among earlier nodes one level up, so the shape is
    // always a valid tree.
    (
        prop::collection::vec((any::<u16>(), 0u8..4), 4..24),
        prop::collection::vec((0u8..3, any::<u16>(), 0u8..8), 1..4),
        (0u8..3, any::<u16>()),
    )
        .prop_map(|(raw, grants, write)| {
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
            let grants = grants
                .into_iter()
                .map(|(r, s, region)| {
                    (
                        Role::ALL[usize::from(r)],
                        (region != 0).then_some(usize::from(s) % n),
                    )
                })
                .collect();
            Case {
                nodes,
                grants,
                write: (write.0, usize::from(write.1) % n),
            }
        })
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
/// node, by DESIGN.md §3 alone.
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
            let mut input = json!({ "parentId": n.parent.map(|p: usize| ids[p].clone()), "unitType": unit_type, "name": format!("u{i}"), "code": format!("c{i}") });
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
            prop_assert_eq!(resp["data"]["node"]["code"].as_str() == Some(&format!("c{i}")), full.contains(&i), "node {} code: {}", i, resp);
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
    match common::backend() {
        Some(common::Backend::Postgres(_)) => 10,
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
