//! Searches answer what a plain substring match answers, on both backends:
//! with the trigram indexes (PostgreSQL's GIN, SQLite's FTS5) for three
//! characters or more, without them below, after renames and removals,
//! and with LIKE's own characters (`%`, `_`, `\`) and quotes in the text.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::TestApp;

fn names(list: &Value) -> BTreeSet<String> {
    list["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["name"].as_str().map(str::to_owned))
        .collect()
}

/// What a search must answer: every name or code holding it, ignoring the
/// case of ASCII letters.
fn expected(units: &[(&str, &str)], search: &str) -> BTreeSet<String> {
    let s = search.trim().to_lowercase();
    units
        .iter()
        .filter(|(name, code)| name.to_lowercase().contains(&s) || code.to_lowercase().contains(&s))
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

#[tokio::test]
async fn searches_answer_as_a_substring_match_does() {
    let Some(app) = TestApp::spawn() else { return };
    let township = app
        .create(json!({ "unitType": "TOWNSHIP", "name": "吉庆镇", "code": "JQ" }))
        .await;
    let mut units: Vec<(&str, &str)> = vec![("吉庆镇", "JQ")];
    let villages = [
        ("油溪桥村", "YXQ-01"),
        ("油溪桥新村", "YXQ_02"),
        ("ABC社区", "abc.03"),
        ("abcd村", "X100"),
        ("甲\"乙\"丙村", "Q-5"),
        ("百分之100%村", "P.6"),
        ("斜\\杠村", "S9"),
        ("a_b_c村", "AB7"),
        ("老油溪村", "OLD8"),
    ];
    let mut ids = Vec::new();
    for (name, code) in villages {
        ids.push(
            app.create(json!({ "parentId": township, "unitType": "VILLAGE", "name": name, "code": code, "orgForm": "BRANCH" }))
                .await,
        );
        units.push((name, code));
    }
    // A rename: the indexes follow it.
    let old = villages
        .iter()
        .position(|(n, _)| *n == "老油溪村")
        .unwrap_or(0);
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { name: \"老油溪桥村\" }) { id } }",
        json!({ "id": ids[old] }),
    )
    .await;
    units[old + 1].0 = "老油溪桥村";
    let searches = [
        "油溪桥",
        "油溪",
        "溪桥新",
        "油",
        "abc",
        "ABC",
        "Abcd",
        "yxq",
        "YXQ-0",
        "yxq_",
        "_b_",
        "a_b",
        "100%",
        "%",
        "\"乙\"",
        "乙\"丙",
        "p.6",
        "\\",
        "斜\\杠",
        "  油溪桥  ",
        "不存在的名字",
        "x100",
        "老油溪桥",
        "老油溪村",
    ];
    for search in searches {
        let got = app
            .ok(
                "query($s: String!) { orgUnits(search: $s, first: 100) { totalCount nodes { name } } }",
                json!({ "s": search }),
            )
            .await;
        let want = expected(&units, search);
        assert_eq!(
            names(&got["orgUnits"]),
            want,
            "orgUnits(search: {search:?})"
        );
        assert_eq!(
            got["orgUnits"]["totalCount"].as_u64(),
            Some(want.len() as u64),
            "totalCount of {search:?}"
        );
    }

    // People, by name (Chinese names: no letter case to differ on).
    let mut people = vec!["李建国", "李建", "王李建国", "建国李", "李\"建\"国"];
    let mut person_ids = Vec::new();
    for name in &people {
        let id = app
            .ok(
                "mutation($u: ID!, $n: String!) { createPerson(input: { unitId: $u, name: $n, gender: MALE }) { id } }",
                json!({ "u": ids[0], "n": name }),
            )
            .await["createPerson"]["id"]
            .as_str()
            .map(str::to_owned);
        person_ids.push(id.unwrap_or_default());
    }
    app.ok(
        "mutation($id: ID!) { removePerson(id: $id) { id } }",
        json!({ "id": person_ids[2] }),
    )
    .await;
    people.remove(2);
    for search in ["李建国", "李建", "建国", "李", "\"建\"", "王李建", "不在"] {
        let got = app
            .ok(
                "query($s: String!) { persons(search: $s, first: 100) { totalCount nodes { name } } }",
                json!({ "s": search }),
            )
            .await;
        let want: BTreeSet<String> = people
            .iter()
            .filter(|n| n.contains(search))
            .map(|n| (*n).to_owned())
            .collect();
        assert_eq!(names(&got["persons"]), want, "persons(search: {search:?})");
        assert_eq!(
            got["persons"]["totalCount"].as_u64(),
            Some(want.len() as u64),
            "totalCount of people {search:?}"
        );
    }
}
