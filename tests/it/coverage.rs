//! Coverage: computed from units, kept current by every write, scoped to
//! what the viewer may see, and in agreement with the gap list.

use crate::common::TestApp;
use serde_json::{json, Value};

use grassroots::auth::policy::Role;

const COVERAGE: &str = "query($u: ID) { coverage(under: $u) { total covered gaps rate levels { level total covered gaps rate byForm { form count } unitTypes { unitType total covered gaps rate byForm { form count } } } } }";

fn unit_type<'a>(cov: &'a Value, level: &str, unit_type: &str) -> &'a Value {
    cov["levels"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["level"] == level))
        .and_then(|l| l["unitTypes"].as_array())
        .and_then(|ts| ts.iter().find(|t| t["unitType"] == unit_type))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn the_demo_countys_relocation_sites_come_out_as_in_the_article() {
    let Some(app) = TestApp::spawn() else { return };
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || grassroots::demo::load(&db, 1))
        .await
        .expect("join")
        .expect("demo");
    let cov = app.ok(COVERAGE, json!({})).await["coverage"].clone();
    let sites = unit_type(&cov, "GRID", "RELOCATION_SITE");
    assert_eq!(
        (
            sites["total"].as_i64(),
            sites["covered"].as_i64(),
            sites["gaps"].as_i64()
        ),
        (Some(116), Some(112), Some(4)),
        "{sites}"
    );
    assert_eq!(
        format!("{:.3}", sites["rate"].as_f64().unwrap_or_default()),
        "0.966"
    );
    let forms: Vec<(String, i64)> = sites["byForm"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["form"].as_str().unwrap_or("").to_owned(),
                f["count"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    for want in [
        ("BRANCH", 8),
        ("PARTY_GROUP", 35),
        ("FUNCTIONAL_BRANCH", 1),
        ("AFFILIATED", 68),
        ("NONE", 4),
    ] {
        assert!(forms.contains(&(want.0.to_owned(), want.1)), "{forms:?}");
    }
    // 43 communities, 150 compounds, 237 urban grids: all organized.
    assert_eq!(unit_type(&cov, "VILLAGE", "COMMUNITY")["gaps"], 0);
    assert_eq!(unit_type(&cov, "GRID", "URBAN_GRID")["total"], 237);
    assert_eq!(unit_type(&cov, "GRID", "RESIDENTIAL_COMPOUND")["gaps"], 0);

    // The aggregate agrees with the lists.
    let gaps = app.ok("{ coverageGaps(unitType: RELOCATION_SITE) { totalCount nodes { gapReason ancestors { name } } } }", json!({})).await;
    assert_eq!(gaps["coverageGaps"]["totalCount"], 4);
    for n in gaps["coverageGaps"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(n["gapReason"], "NO_ORGANIZATION");
        assert_eq!(n["ancestors"].as_array().map(Vec::len), Some(2));
    }
    let all_gaps = app.ok("{ coverageGaps { totalCount } }", json!({})).await;
    assert_eq!(all_gaps["coverageGaps"]["totalCount"], cov["gaps"]);
    let breaks = app.ok("{ coverage { chainGaps } chainGaps(first: 100) { totalCount nodes { level subtreeCounts { total } } } }", json!({})).await;
    assert_eq!(
        breaks["chainGaps"]["totalCount"],
        breaks["coverage"]["chainGaps"]
    );
    let n = breaks["chainGaps"]["totalCount"].as_i64().unwrap_or(0);
    assert!(
        (1..=20).contains(&n),
        "a handful of chain gaps in the demo: {n}"
    );
    for node in breaks["chainGaps"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(node["subtreeCounts"]["total"], 0, "{node}");
    }
    let managed = app.ok("{ a: orgUnits(level: TOWNSHIP) { totalCount } b: orgUnits(level: VILLAGE) { totalCount } c: orgUnits(level: GRID) { totalCount } d: orgUnits(level: BUILDING_GROUP) { totalCount } }", json!({})).await;
    let listed: i64 = ["a", "b", "c", "d"]
        .iter()
        .map(|k| managed[k]["totalCount"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(cov["total"].as_i64(), Some(listed));

    // A township ADMIN sees its township's coverage, and only that.
    let township = app
        .ok(
            "{ orgUnits(level: TOWNSHIP, search: \"上梅街道\") { nodes { id } } }",
            json!({}),
        )
        .await["orgUnits"]["nodes"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = app.account("shangmei", Role::Admin, Some(&township));
    let mine = app.gql_as(Some(&token), COVERAGE, json!({})).await;
    let under = app.ok(COVERAGE, json!({ "u": township })).await;
    // Its own coverage: the sub-district itself plus everything beneath it.
    assert_eq!(
        mine["data"]["coverage"]["total"].as_i64(),
        under["coverage"]["total"].as_i64().map(|n| n + 1),
        "{mine}"
    );
    assert!(
        unit_type(&mine["data"]["coverage"], "GRID", "RELOCATION_SITE").is_null(),
        "no relocation sites in 上梅街道"
    );
}

async fn gaps(app: &TestApp, under: &str) -> i64 {
    app.ok(COVERAGE, json!({ "u": under })).await["coverage"]["gaps"]
        .as_i64()
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_host_losing_its_organization_turns_affiliated_units_into_gaps() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, ..] = app.chain("甲").await;
    let site = app.create(json!({ "parentId": v, "unitType": "RELOCATION_SITE", "name": "安置点", "orgForm": "AFFILIATED", "hostUnitId": v })).await;
    let yard = app.create(json!({ "parentId": g, "unitType": "COURTYARD", "name": "挂靠院落", "orgForm": "AFFILIATED", "hostUnitId": v })).await;

    assert_eq!(gaps(&app, &t).await, 0);

    let set_form = "mutation($id: ID!, $f: OrgForm!) { updateOrgUnit(id: $id, input: { orgForm: $f }) { id } }";
    app.ok(set_form, json!({ "id": v, "f": "NONE" })).await;
    assert_eq!(gaps(&app, &t).await, 3);
    let lost = app.ok("query($t: ID) { coverageGaps(under: $t, reason: HOST_LOST) { nodes { id gapReason covered } } }", json!({ "t": t })).await;
    let ids: Vec<&str> = lost["coverageGaps"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert_eq!(ids, vec![site.as_str(), yard.as_str()]);
    assert_eq!(lost["coverageGaps"]["nodes"][0]["gapReason"], "HOST_LOST");
    assert_eq!(lost["coverageGaps"]["nodes"][0]["covered"], false);

    app.ok(set_form, json!({ "id": v, "f": "GENERAL_BRANCH" }))
        .await;
    assert_eq!(gaps(&app, &t).await, 0);
    let cov = app.ok(COVERAGE, json!({ "u": t })).await["coverage"].clone();
    assert_eq!(cov["rate"], 1.0);
    assert_eq!(cov["total"], 5);
    // The relocation site has no children yet, and the courtyard has no team.
    let chain =
        "query($u: ID) { coverage(under: $u) { chainGaps } chainGaps(under: $u) { nodes { id } } }";
    let breaks = app.ok(chain, json!({ "u": t })).await;
    assert_eq!(breaks["coverage"]["chainGaps"], 2, "{breaks}");
    let today = chrono::Utc::now().date_naive().to_string();
    app.create(json!({ "parentId": yard, "unitType": "VOLUNTEER_TEAM", "name": "新队", "teamCategory": "SANITATION", "effectiveOn": today })).await;
    let breaks = app.ok(chain, json!({ "u": t })).await;
    assert_eq!(breaks["coverage"]["chainGaps"], 1);
    assert_eq!(breaks["chainGaps"]["nodes"], json!([{ "id": site }]));

    // Dissolving and moving update the counts in the same transaction.
    app.ok("mutation($id: ID!, $on: Date!) { dissolveOrgUnit(id: $id, on: $on, reason: \"撤点\") { id } }", json!({ "id": site, "on": today })).await;
    assert_eq!(
        app.ok(COVERAGE, json!({ "u": t })).await["coverage"]["total"],
        4
    );
    let [t2, v2, ..] = app.chain("乙").await;
    app.ok(
        "mutation($id: ID!, $p: ID!) { updateOrgUnit(id: $id, input: { hostUnitId: $p }) { id } }",
        json!({ "id": yard, "p": g }),
    )
    .await;
    app.ok(
        "mutation($id: ID!, $p: ID!) { moveOrgUnit(id: $id, newParentId: $p) { id } }",
        json!({ "id": g, "p": v2 }),
    )
    .await;
    assert_eq!(
        app.ok(COVERAGE, json!({ "u": t })).await["coverage"]["total"],
        1
    );
    assert_eq!(
        app.ok(COVERAGE, json!({ "u": t2 })).await["coverage"]["total"],
        6
    );
}
