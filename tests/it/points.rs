//! Households and the points system through the HTTP API: every rule with
//! its code and field, versions in force, reversals, caps, closed
//! households, rankings with ties, summaries, and what a viewer sees.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

pub const HOUSEHOLD: &str = "mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) { id address registeredOn } }";
pub const PROPOSE: &str = "mutation($o: ID!, $t: String!, $items: [PointsItemInput!]!) { proposePointsList(ownerId: $o, title: $t, items: $items) { id version status items { id code points } } }";
pub const ADOPT: &str = "mutation($id: ID!, $on: Date!, $m: MeetingInput!) { adoptPointsList(id: $id, adoptedOn: $on, meeting: $m) { id status adoptedOn meeting { kindLabel votesFor } } }";
pub const RECORD: &str = "mutation($h: ID!, $i: ID!, $on: Date, $p: Int) { recordPoints(householdId: $h, itemId: $i, recordedOn: $on, points: $p, note: \"村务公开栏\") { id points year category reverses } }";
pub const REVERSE: &str = "mutation($id: ID!, $on: Date) { reversePointRecord(id: $id, note: \"录入错误\", recordedOn: $on) { id points year reverses } }";

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Creates a household in `group` registered on 2023-01-01.
pub async fn household(app: &TestApp, group: &str, address: &str) -> String {
    let d = app
        .ok(
            HOUSEHOLD,
            json!({ "i": { "unitId": group, "address": address, "registeredOn": "2023-01-01" } }),
        )
        .await;
    s(&d["createHousehold"]["id"])
}

pub fn meeting(votes_for: i32) -> Value {
    json!({ "kind": "BENCH_MEETING", "heldOn": "2024-01-02", "attendance": 40, "votesFor": votes_for, "votesAgainst": 3 })
}

pub fn items() -> Value {
    json!([
        { "code": "HJ1", "category": "环境卫生", "description": "房前屋后干净整洁", "points": 5, "capPerYear": 10 },
        { "code": "XL1", "category": "孝老爱亲", "description": "赡养老人被评为孝亲户", "points": 10 },
        { "code": "WG1", "category": "遵纪守法", "description": "乱倒垃圾", "points": -3, "capPerYear": 6 },
    ])
}

/// Proposes and adopts (from 2024-01-02) a list for `owner`; the item ids
/// by code.
pub async fn adopted_list(app: &TestApp, owner: &str) -> (String, Vec<(String, String)>) {
    let d = app
        .ok(
            PROPOSE,
            json!({ "o": owner, "t": "积分清单", "items": items() }),
        )
        .await;
    let list = s(&d["proposePointsList"]["id"]);
    let ids = d["proposePointsList"]["items"]
        .as_array()
        .map(|a| a.iter().map(|i| (s(&i["code"]), s(&i["id"]))).collect())
        .unwrap_or_default();
    app.ok(
        ADOPT,
        json!({ "id": list, "on": "2024-01-02", "m": meeting(30) }),
    )
    .await;
    (list, ids)
}

pub fn item<'a>(ids: &'a [(String, String)], code: &str) -> &'a str {
    ids.iter().find(|(c, _)| c == code).map_or("", |(_, id)| id)
}

fn code(resp: &Value) -> (String, String) {
    let e = &resp["errors"][0];
    (s(&e["extensions"]["code"]), s(&e["extensions"]["field"]))
}

#[tokio::test]
async fn every_rule_of_the_points_system_has_its_code_and_field() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("甲").await;
    let [_, v2, _, b2, _] = app.chain("乙").await;
    // Households live in level-4 groups only.
    let (c, f, _) = app
        .err(HOUSEHOLD, json!({ "i": { "unitId": g, "address": "1号" } }))
        .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("unitId"))
    );
    let h = household(&app, &b, "1号").await;
    let (c, f, _) = app
        .err(HOUSEHOLD, json!({ "i": { "unitId": b, "address": "1号" } }))
        .await;
    assert_eq!((c.as_str(), f.as_deref()), ("CONFLICT", Some("address")));
    let h2 = household(&app, &b2, "8号").await;

    // A list is adopted by more than half of those present.
    let d = app
        .ok(
            PROPOSE,
            json!({ "o": v, "t": "油溪桥村积分清单", "items": items() }),
        )
        .await;
    let list = s(&d["proposePointsList"]["id"]);
    let ids: Vec<(String, String)> = d["proposePointsList"]["items"]
        .as_array()
        .map(|a| a.iter().map(|i| (s(&i["code"]), s(&i["id"]))).collect())
        .unwrap_or_default();
    let (c, f, _) = app
        .err(
            ADOPT,
            json!({ "id": list, "on": "2024-01-02", "m": meeting(20) }),
        )
        .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("meeting.votesFor"))
    );
    let bad = json!([{ "code": "A", "category": "环境卫生", "description": "x", "points": 0 }]);
    let (c, f, _) = app
        .err(PROPOSE, json!({ "o": v, "t": "x", "items": bad }))
        .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("items[0].points"))
    );
    let (c, f, _) = app
        .err(PROPOSE, json!({ "o": g, "t": "x", "items": items() }))
        .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("ownerId"))
    );
    let d = app
        .ok(
            ADOPT,
            json!({ "id": list, "on": "2024-01-02", "m": meeting(30) }),
        )
        .await;
    assert_eq!(d["adoptPointsList"]["status"], "ADOPTED");
    assert_eq!(d["adoptPointsList"]["meeting"]["kindLabel"], "板凳会");
    let (c, f, _) = app
        .err(
            ADOPT,
            json!({ "id": list, "on": "2024-02-01", "m": meeting(30) }),
        )
        .await;
    assert_eq!((c.as_str(), f.as_deref()), ("CONFLICT", Some("id")));
    let (_, ids2) = adopted_list(&app, &v2).await;

    // Recording needs a MANAGER grant at the village or below.
    let region = app
        .gql(
            RECORD,
            json!({ "h": h, "i": item(&ids, "HJ1"), "on": "2024-03-01" }),
        )
        .await;
    assert_eq!(code(&region), ("FORBIDDEN".into(), "".into()));
    let township = app.account("township-manager", Role::Manager, Some(&t));
    let resp = app
        .gql_as(
            Some(&township),
            RECORD,
            json!({ "h": h, "i": item(&ids, "HJ1"), "on": "2024-03-01" }),
        )
        .await;
    assert_eq!(code(&resp).0, "FORBIDDEN");
    let village = app.account("village-manager", Role::Manager, Some(&v));
    let record = |h: &str, i: &str, on: &str| {
        let (h, i, on) = (h.to_owned(), i.to_owned(), on.to_owned());
        let token = village.clone();
        let app = &app;
        async move {
            app.gql_as(Some(&token), RECORD, json!({ "h": h, "i": i, "on": on }))
                .await
        }
    };
    // Another village's household is out of sight; another village's item is refused.
    assert_eq!(
        code(&record(&h2, item(&ids, "HJ1"), "2024-03-01").await).0,
        "NOT_FOUND"
    );
    assert_eq!(
        code(&record(&h, item(&ids2, "HJ1"), "2024-03-01").await),
        ("BAD_USER_INPUT".into(), "itemId".into())
    );
    // Before the list is in force, there is none.
    assert_eq!(
        code(&record(&h, item(&ids, "HJ1"), "2024-01-01").await),
        ("BAD_USER_INPUT".into(), "recordedOn".into())
    );
    let first = record(&h, item(&ids, "HJ1"), "2024-03-01").await;
    assert_eq!(first["data"]["recordPoints"]["points"], 5, "{first}");
    let first = s(&first["data"]["recordPoints"]["id"]);
    assert!(record(&h, item(&ids, "HJ1"), "2024-04-01").await["errors"].is_null());
    // The cap of 10 a year is reached.
    assert_eq!(
        code(&record(&h, item(&ids, "HJ1"), "2024-05-01").await),
        ("BAD_USER_INPUT".into(), "points".into())
    );
    // A record of the next year starts again.
    assert!(record(&h, item(&ids, "HJ1"), "2025-01-05").await["errors"].is_null());
    // Points keep the item's sign.
    let resp = app
        .gql_as(
            Some(&village),
            RECORD,
            json!({ "h": h, "i": item(&ids, "WG1"), "on": "2024-03-02", "p": 2 }),
        )
        .await;
    assert_eq!(code(&resp), ("BAD_USER_INPUT".into(), "points".into()));

    // A reversal frees the cap; a reversal is not reversed; a record is reversed once.
    let rev = app
        .gql_as(
            Some(&village),
            REVERSE,
            json!({ "id": first, "on": "2024-06-01" }),
        )
        .await;
    assert_eq!(rev["data"]["reversePointRecord"]["points"], -5, "{rev}");
    assert_eq!(rev["data"]["reversePointRecord"]["year"], 2024);
    let rev_id = s(&rev["data"]["reversePointRecord"]["id"]);
    let again = app
        .gql_as(Some(&village), REVERSE, json!({ "id": rev_id }))
        .await;
    assert_eq!(code(&again), ("BAD_USER_INPUT".into(), "id".into()));
    let twice = app
        .gql_as(Some(&village), REVERSE, json!({ "id": first }))
        .await;
    assert_eq!(code(&twice), ("CONFLICT".into(), "id".into()));
    assert!(record(&h, item(&ids, "HJ1"), "2024-07-01").await["errors"].is_null());

    // A new version may not start before a record already made.
    let d = app
        .ok(PROPOSE, json!({ "o": v, "t": "第二版", "items": items() }))
        .await;
    let v2_list = s(&d["proposePointsList"]["id"]);
    let (c, f, _) = app
        .err(
            ADOPT,
            json!({ "id": v2_list, "on": "2025-01-01", "m": meeting(30) }),
        )
        .await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("adoptedOn"))
    );

    // Closing: not before the last record; nothing recorded from that day.
    let close = "mutation($id: ID!, $on: Date!) { closeHousehold(id: $id, on: $on, reason: \"迁出\") { closedOn } }";
    let (c, f, _) = app.err(close, json!({ "id": h, "on": "2025-01-01" })).await;
    assert_eq!(
        (c.as_str(), f.as_deref()),
        ("BAD_USER_INPUT", Some("closedOn"))
    );
    app.ok(close, json!({ "id": h, "on": "2025-02-01" })).await;
    assert_eq!(
        code(&record(&h, item(&ids, "XL1"), "2025-02-01").await),
        ("BAD_USER_INPUT".into(), "recordedOn".into())
    );

    // The ledger: 2024 holds 5 + 5 - 5 + 5 = 10 points of 环境卫生.
    let q = "query($id: ID!) { household(id: $id) { points(year: 2024) { total byCategory { category records added deducted } } records(year: 2024) { totalCount } } }";
    let d = app.gql_as(Some(&village), q, json!({ "id": h })).await;
    let points = &d["data"]["household"]["points"];
    assert_eq!(points["total"], 10, "{d}");
    assert_eq!(points["byCategory"][0]["records"], 2);
    assert_eq!(d["data"]["household"]["records"]["totalCount"], 4);
    let summary = "query($u: ID, $y: Int!) { pointsSummary(under: $u, year: $y) { households scored participationRate records added deducted } }";
    let d = app.ok(summary, json!({ "u": v, "y": 2024 })).await;
    assert_eq!(
        d["pointsSummary"],
        json!({ "households": 1, "scored": 1, "participationRate": 1.0, "records": 2, "added": 10, "deducted": 0 })
    );
    // The closed household still counts in 2025 (closed during it), not in 2026.
    let d = app.ok(summary, json!({ "u": v, "y": 2026 })).await;
    assert_eq!(d["pointsSummary"]["households"], 0);
}

const RANKING: &str = "query($u: ID!) { pointsRanking(under: $u, year: 2024, top: 2, bottom: 1, per: VILLAGE) { scored top { rank points household { address } } bottom { unit { name } scored households { rank points household { address } } } } }";

#[tokio::test]
async fn rankings_share_ranks_and_keep_ties_at_the_edge() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, _, b, _] = app.chain("丙").await;
    let (_, ids) = adopted_list(&app, &t).await;
    let village = app.account("bing-manager", Role::Manager, Some(&v));
    // Points 10, 10, 5, 5, -3: ranks 1, 1, 3, 3, 5.
    let plan: [(&str, &[&str]); 5] = [
        ("1号", &["XL1"]),
        ("2号", &["XL1"]),
        ("3号", &["HJ1"]),
        ("4号", &["HJ1"]),
        ("5号", &["WG1"]),
    ];
    for (address, codes) in plan {
        let h = household(&app, &b, address).await;
        for c in codes {
            let r = app
                .gql_as(
                    Some(&village),
                    RECORD,
                    json!({ "h": h, "i": item(&ids, c), "on": "2024-05-01" }),
                )
                .await;
            assert!(r["errors"].is_null(), "{r}");
        }
    }
    // An unscored household is not ranked.
    household(&app, &b, "6号").await;
    let d = app.ok(RANKING, json!({ "u": t })).await;
    let r = &d["pointsRanking"];
    assert_eq!(r["scored"], 5);
    let top: Vec<(i64, i64)> = r["top"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["rank"].as_i64().unwrap_or(0),
                        x["points"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(top, [(1, 10), (1, 10)]);
    assert_eq!(r["bottom"][0]["unit"]["name"], "丙村");
    assert_eq!(r["bottom"][0]["households"][0]["rank"], 5);
    assert_eq!(
        r["bottom"][0]["households"][0]["household"]["address"],
        "5号"
    );
    // Three places asked: the tie at the third keeps both.
    let q = RANKING.replace("top: 2", "top: 3");
    let d = app.ok(&q, json!({ "u": t })).await;
    assert_eq!(d["pointsRanking"]["top"].as_array().map(Vec::len), Some(4));
    assert_eq!(d["pointsRanking"]["top"][3]["rank"], 3);
    let summary = "query($u: ID) { pointsSummary(under: $u, year: 2024) { households scored records added deducted byCategory { category added deducted } } }";
    let d = app.ok(summary, json!({ "u": t })).await;
    assert_eq!(d["pointsSummary"]["households"], 6);
    assert_eq!(d["pointsSummary"]["added"], 30);
    assert_eq!(d["pointsSummary"]["deducted"], 3);
    // The dashboard carries the same figures.
    let dash = app
        .ok(
            "query($u: ID) { dashboard(under: $u) { points(year: 2024) { scored added } } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(
        dash["dashboard"]["points"],
        json!({ "scored": 5, "added": 30 })
    );

    // A redemption keeps the rank and total the household had.
    let first_id = app
        .ok(
            "query($u: ID!) { households(under: $u, search: \"1号\") { nodes { id } } }",
            json!({ "u": b }),
        )
        .await["households"]["nodes"][0]["id"]
        .clone();
    let redeem = "mutation($h: ID!, $u: ID!, $y: Int!) { redeemPoints(householdId: $h, year: $y, rankedUnder: $u, kind: REWARD, description: \"年终分红\", amount: 200.5, givenOn: \"2025-01-10\") { rank points amount kindLabel } }";
    let d = app
        .gql_as(
            Some(&village),
            redeem,
            json!({ "h": first_id, "u": t, "y": 2024 }),
        )
        .await;
    assert_eq!(
        d["data"]["redeemPoints"],
        json!({ "rank": 1, "points": 10, "amount": 200.5, "kindLabel": "奖励" }),
        "{d}"
    );
    // A year without points is not redeemed.
    let d = app
        .gql_as(
            Some(&village),
            redeem,
            json!({ "h": first_id, "u": t, "y": 2023 }),
        )
        .await;
    assert_eq!(code(&d), ("BAD_USER_INPUT".into(), "year".into()));
    let q = "query($id: ID!) { household(id: $id) { redemptions { rank description } } }";
    let d = app.ok(q, json!({ "id": first_id })).await;
    assert_eq!(
        d["household"]["redemptions"],
        json!([{ "rank": 1, "description": "年终分红" }])
    );

    // The exports: the village's ledger and the ranking, with Chinese headers.
    let (status, body) = app
        .get_as(
            &village,
            &format!("/reports/points-ledger.csv?under={v}&year=2024"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("户号,所属小组,日期,年度,类别"),
        "{body}"
    );
    assert_eq!(lines.len(), 6, "{body}");
    assert!(lines[1].contains("赡养老人被评为孝亲户"), "{body}");
    let (status, body) = app
        .get_as(
            &village,
            &format!("/reports/points-ranking.csv?under={v}&year=2024&top=2&bottom=1"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "名单,排名范围,名次,户号,所属小组,所属村（社区）,积分,有效记录数"
    );
    assert_eq!(
        lines[1..],
        [
            "前列,丙村,1,1号,丙院落,丙村,10,1",
            "前列,丙村,1,2号,丙院落,丙村,10,1",
            // A leading minus is guarded as a formula would be (see Import and export).
            "后列,丙村,5,5号,丙院落,丙村,'-3,1"
        ]
    );
    let (status, body) = app
        .get_as(
            &village,
            &format!("/reports/points-ranking.xlsx?under={v}&year=2024"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.starts_with("PK"));
    // A ledger of a whole township is refused; out of scope is not found.
    let (status, _) = app
        .get_as(&village, &format!("/reports/points-ledger.csv?under={t}"))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .get_as(&app.token, &format!("/reports/points-ledger.csv?under={t}"))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn households_move_with_their_points_and_members_are_masked() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("丁").await;
    let b_other = app
        .create(json!({ "parentId": g, "unitType": "COURTYARD", "name": "丁二院落", "orgForm": "PARTY_GROUP" }))
        .await;
    let (_, ids) = adopted_list(&app, &v).await;
    let h = household(&app, &b, "9号").await;
    let village = app.account("ding-manager", Role::Manager, Some(&v));
    app.gql_as(
        Some(&village),
        RECORD,
        json!({ "h": h, "i": item(&ids, "XL1"), "on": "2024-05-01" }),
    )
    .await;
    let summary =
        "query($u: ID) { pointsSummary(under: $u, year: 2024) { households scored added } }";
    let mv = "mutation($id: ID!, $u: ID!) { moveHousehold(id: $id, unitId: $u) { unit { name } } }";
    let d = app.ok(mv, json!({ "id": h, "u": b_other })).await;
    assert_eq!(d["moveHousehold"]["unit"]["name"], "丁二院落");
    let old = app.ok(summary, json!({ "u": b })).await;
    let new = app.ok(summary, json!({ "u": b_other })).await;
    assert_eq!(
        old["pointsSummary"],
        json!({ "households": 0, "scored": 0, "added": 0 })
    );
    assert_eq!(
        new["pointsSummary"],
        json!({ "households": 1, "scored": 1, "added": 10 })
    );
    // A group that moves to another township carries its households' points.
    let [t2, v2, g2, _, _] = app.chain("戊").await;
    let _ = v2;
    app.ok(
        "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p, effectiveOn: \"2024-06-01\") { id } }",
        json!({ "id": b_other, "p": g2 }),
    )
    .await;
    let a = app.ok(summary, json!({ "u": t })).await;
    let z = app.ok(summary, json!({ "u": t2 })).await;
    assert_eq!(a["pointsSummary"]["added"], 0);
    assert_eq!(
        z["pointsSummary"],
        json!({ "households": 1, "scored": 1, "added": 10 })
    );
    // Members: a viewer reads them masked.
    let p = app
        .ok(
            "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"王芳\", gender: FEMALE, phone: \"13812345678\" }) { id } }",
            json!({ "u": b }),
        )
        .await;
    let p = s(&p["createPerson"]["id"]);
    let h3 = household(&app, &b, "10号").await;
    app.ok(
        "mutation($p: ID!, $h: ID) { setPersonHousehold(personId: $p, householdId: $h) { id } }",
        json!({ "p": p, "h": h3 }),
    )
    .await;
    let viewer = app.account("ding-viewer", Role::Viewer, Some(&v));
    let q =
        "query($id: ID!) { node(id: $id) { ... on Household { address members { name phone } } } }";
    let d = app.gql_as(Some(&viewer), q, json!({ "id": h3 })).await;
    assert_eq!(d["data"]["node"]["members"][0]["name"], "王芳", "{d}");
    assert_ne!(d["data"]["node"]["members"][0]["phone"], "13812345678");
    // Out of scope: the same NOT_FOUND as a missing id.
    let other = app.account("wu-viewer", Role::Viewer, Some(&t2));
    let d = app.gql_as(Some(&other), q, json!({ "id": h3 })).await;
    assert_eq!(code(&d).0, "NOT_FOUND");
}

pub async fn upload(app: &TestApp, token: &str, mutation: &str, csv: &str, dry: bool) -> Value {
    let query = format!("mutation($file: Upload!, $dry: Boolean) {{ {mutation}(file: $file, dryRun: $dry) {{ rows created updated unchanged dryRun }} }}");
    let req = TestApp::multipart(
        Some(token),
        &query,
        json!({ "dry": dry }),
        "file.csv",
        csv.as_bytes(),
    );
    let (_, text) = app.send(req).await;
    serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }))
}

#[tokio::test]
async fn households_and_records_import_all_or_nothing() {
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(
            json!({ "unitType": "TOWNSHIP", "name": "庚镇", "code": "GT", "orgForm": "COMMITTEE" }),
        )
        .await;
    let v = app.create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "庚村", "code": "GV", "orgForm": "BRANCH" })).await;
    let g = app.create(json!({ "parentId": v, "unitType": "RURAL_GRID", "name": "庚网格", "code": "GG", "orgForm": "PARTY_GROUP" })).await;
    app.create(json!({ "parentId": g, "unitType": "COURTYARD", "name": "庚院落", "code": "GB", "orgForm": "PARTY_GROUP" })).await;
    adopted_list(&app, &v).await;
    let token = app.account("geng-manager", Role::Manager, Some(&v));
    let households = "unit_code,address,registered_on,head_name,notes\nGB,1号,2020-01-01,,\nGB,2号,2020-01-01,,\nGB,3号,2020-01-01,,新分户\n";
    let r = upload(&app, &token, "importHouseholds", households, true).await;
    assert_eq!(
        r["data"]["importHouseholds"],
        json!({ "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "dryRun": true }),
        "{r}"
    );
    let count = "query($u: ID) { households(under: $u) { totalCount } }";
    assert_eq!(
        app.ok(count, json!({ "u": v })).await["households"]["totalCount"],
        0
    );
    let r = upload(&app, &token, "importHouseholds", households, false).await;
    assert_eq!(r["data"]["importHouseholds"]["created"], 3, "{r}");
    let r = upload(&app, &token, "importHouseholds", households, false).await;
    assert_eq!(r["data"]["importHouseholds"]["unchanged"], 3, "{r}");
    // A bad row rejects the file: nothing of it is written.
    let bad = "户号,所属小组编码\n4号,GB\n5号,NOPE\n";
    let r = upload(&app, &token, "importHouseholds", bad, false).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{r}"
    );
    assert_eq!(
        r["errors"][0]["extensions"]["problems"][0]["column"],
        "unit_code"
    );
    assert_eq!(r["errors"][0]["extensions"]["problems"][0]["row"], 3);
    assert_eq!(
        app.ok(count, json!({ "u": v })).await["households"]["totalCount"],
        3
    );

    // Records: items by code or description; a second import adds nothing.
    let records = "unit_code,address,recorded_on,item,points,note\nGB,1号,2024-03-01,HJ1,,门前整洁\nGB,1号,2024-03-01,HJ1,,门前整洁\nGB,2号,2024-04-01,赡养老人被评为孝亲户,,\nGB,3号,2024-05-01,WG1,-2,乱倒垃圾\n";
    let r = upload(&app, &token, "importPointRecords", records, false).await;
    assert_eq!(
        r["data"]["importPointRecords"],
        json!({ "rows": 4, "created": 4, "updated": 0, "unchanged": 0, "dryRun": false }),
        "{r}"
    );
    let r = upload(&app, &token, "importPointRecords", records, false).await;
    assert_eq!(r["data"]["importPointRecords"]["unchanged"], 4, "{r}");
    let summary =
        "query($u: ID) { pointsSummary(under: $u, year: 2024) { records added deducted } }";
    assert_eq!(
        app.ok(summary, json!({ "u": v })).await["pointsSummary"],
        json!({ "records": 4, "added": 20, "deducted": 2 })
    );
    // Over the cap, and an unknown item: each problem with its row and column.
    let over = "unit_code,address,recorded_on,item\nGB,1号,2024-06-01,HJ1\nGB,2号,2024-06-01,不存在的项目\n";
    let r = upload(&app, &token, "importPointRecords", over, false).await;
    let problems: Vec<(i64, String)> = r["errors"][0]["extensions"]["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| (p["row"].as_i64().unwrap_or(0), s(&p["column"])))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        problems,
        [(2, "points".to_owned()), (3, "item".to_owned())],
        "{r}"
    );
    assert_eq!(
        app.ok(summary, json!({ "u": v })).await["pointsSummary"]["records"],
        4
    );
    // The region's ADMIN may not record: its rows are refused, not written.
    let r = upload(
        &app,
        &app.token,
        "importPointRecords",
        "unit_code,address,recorded_on,item\nGB,3号,2024-07-01,XL1\n",
        false,
    )
    .await;
    let problem = &r["errors"][0]["extensions"]["problems"][0];
    assert_eq!(problem["column"], "unit_code", "{r}");
    assert_eq!(
        problem["message"],
        "your grants do not allow you to record points there"
    );
}
