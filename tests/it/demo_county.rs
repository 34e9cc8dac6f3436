//! The demo county: the article's figures come out of the API, computed
//! from units, on both backends; and generation is deterministic.

use chrono::Datelike;

use crate::common::TestApp;
use serde_json::{json, Value};

async fn total(app: &TestApp, args: &str) -> i64 {
    let q = format!("{{ orgUnits({args}) {{ totalCount }} }}");
    app.ok(&q, json!({})).await["orgUnits"]["totalCount"]
        .as_i64()
        .unwrap_or(-1)
}

#[tokio::test]
async fn the_demo_county_has_the_articles_shape() {
    let Some(app) = TestApp::spawn() else { return };
    let db = app.state.db.clone();
    let summary = tokio::task::spawn_blocking(move || grassroots::demo::load(&db, 1))
        .await
        .expect("join")
        .expect("demo loads");
    assert!(summary.units > 40_000, "{summary}");

    for (args, want) in [
        ("unitType: TOWNSHIP", 25),
        ("unitType: SUBDISTRICT", 3),
        ("level: TOWNSHIP", 28),
        ("unitType: COMMUNITY", 43),
        ("unitType: VILLAGE", 553),
        ("unitType: RESIDENTIAL_COMPOUND", 150),
        ("unitType: URBAN_GRID", 237),
        ("unitType: RELOCATION_SITE", 116),
    ] {
        assert_eq!(total(&app, args).await, want, "{args}");
    }
    // 116 sites: 8 branches, 35 party groups, 1 functional branch, 68
    // affiliated to their village, 4 without an organization.
    let sites = "{ orgUnits(unitType: RELOCATION_SITE, first: 100) { nodes { orgForm parent { id } hostUnit { id } } pageInfo { endCursor } } }";
    let first = app.ok(sites, json!({})).await;
    let cursor = first["orgUnits"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .ok(
            "query($after: String) { orgUnits(unitType: RELOCATION_SITE, first: 100, after: $after) { nodes { orgForm parent { id } hostUnit { id } } } }",
            json!({ "after": cursor }),
        )
        .await;
    let mut nodes: Vec<Value> = first["orgUnits"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    nodes.extend(
        rest["orgUnits"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    assert_eq!(nodes.len(), 116);
    let count = |form: &str| nodes.iter().filter(|n| n["orgForm"] == form).count();
    assert_eq!(
        [
            count("BRANCH"),
            count("PARTY_GROUP"),
            count("FUNCTIONAL_BRANCH"),
            count("AFFILIATED"),
            count("NONE")
        ],
        [8, 35, 1, 68, 4]
    );
    for n in nodes.iter().filter(|n| n["orgForm"] == "AFFILIATED") {
        assert_eq!(
            n["hostUnit"]["id"], n["parent"]["id"],
            "affiliated to their own village"
        );
    }
    // Urban grids and compounds are all organized (article: 全部建立党支部或成立党小组).
    assert_eq!(total(&app, "unitType: URBAN_GRID, orgForm: NONE").await, 0);
    assert_eq!(
        total(&app, "unitType: RESIDENTIAL_COMPOUND, orgForm: NONE").await,
        0
    );
    // A handful of gaps elsewhere to show.
    let gaps = total(&app, "level: GRID, orgForm: NONE").await
        + total(&app, "level: BUILDING_GROUP, orgForm: NONE").await;
    assert!(
        (5..=30).contains(&gaps),
        "{gaps} grids and groups without organization"
    );

    // The article's places are where it puts them.
    for (name, township) in [
        ("油溪桥村", "吉庆镇"),
        ("唐家岭社区", "上渡街道"),
        ("大汉龙城小区", "上梅街道"),
    ] {
        let data = app
            .ok("query($s: String) { orgUnits(search: $s, first: 1) { nodes { name ancestors { name } } } }", json!({ "s": name }))
            .await;
        let unit = &data["orgUnits"]["nodes"][0];
        assert_eq!(unit["name"], name);
        assert_eq!(unit["ancestors"][0]["name"], township, "{name}");
    }

    // Its history: today's coverage is where the history ends, and the
    // grids' organizations were built up over the years before.
    let cov =
        "query($d: Date) { coverage(asOf: $d) { total covered levels { level total covered } } }";
    let now = app.ok(cov, json!({})).await;
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(app.ok(cov, json!({ "d": today })).await, now);
    let trend = app
        .ok(
            "{ coverageTrend(from: \"2016-01-01\", to: \"2023-12-31\", interval: YEAR) { period total levels { level units rate } } }",
            json!({}),
        )
        .await;
    let grid_rates: Vec<f64> = trend["coverageTrend"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["levels"][2]["rate"].as_f64().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(grid_rates.len(), 8);
    assert!(grid_rates[7] > grid_rates[1], "{grid_rates:?}");
    let totals: Vec<i64> = trend["coverageTrend"]
        .as_array()
        .map(|a| a.iter().map(|p| p["total"].as_i64().unwrap_or(0)).collect())
        .unwrap_or_default();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    assert_eq!(Some(totals[7]), now["coverage"]["total"].as_i64());

    // Its people, at the article's scale (新化县: 一肩挑 97.9 %, average
    // age 42.2, down 7.9 years, 248 with junior college or above, up 13.8 %).
    let people = app
        .ok(
            "query($y: Date) {
               now: secretaryStats { count alsoVillageDirectorCount alsoVillageDirectorRatio averageAge collegeOrAboveCount }
               before: secretaryStats(asOf: $y) { count averageAge collegeOrAboveCount }
               peopleStats { byPoliticalStatus { status count } capableNonParty activeVolunteers cadreLinks { kind count } }
               staffingSummary { rule count }
             }",
            json!({ "y": (chrono::Utc::now().date_naive() - chrono::Months::new(12)).to_string() }),
        )
        .await;
    let now = &people["now"];
    assert_eq!(now["count"], 585, "{now}");
    assert_eq!(now["alsoVillageDirectorCount"], 573);
    let ratio = now["alsoVillageDirectorRatio"].as_f64().unwrap_or(0.0);
    assert_eq!(format!("{:.1}", ratio * 100.0), "97.9");
    let age = now["averageAge"].as_f64().unwrap_or(0.0);
    assert_eq!(format!("{age:.1}"), "42.2");
    assert_eq!(now["collegeOrAboveCount"], 248);
    let before = &people["before"];
    assert_eq!(before["count"], 596, "{before}");
    let drop = before["averageAge"].as_f64().unwrap_or(0.0) - age;
    assert_eq!(format!("{drop:.1}"), "7.9");
    let growth = 248.0 / before["collegeOrAboveCount"].as_f64().unwrap_or(1.0) - 1.0;
    assert_eq!(format!("{:.1}", growth * 100.0), "13.8");
    let stats = &people["peopleStats"];
    assert_eq!(stats["capableNonParty"], 361);
    assert_eq!(stats["activeVolunteers"], 15_312);
    let status = |s: &str| {
        stats["byPoliticalStatus"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["status"] == s))
            .map(|x| x["count"].clone())
    };
    assert_eq!(status("ACTIVIST"), Some(json!(625)));
    assert_eq!(
        stats["cadreLinks"],
        json!([
            { "kind": "COUNTY_LEADER_TOWNSHIP", "count": 44 },
            { "kind": "TOWNSHIP_LEADER_VILLAGE", "count": 261 },
            { "kind": "GRID_INSTRUCTOR", "count": 705 },
        ])
    );
    // Most posts are filled, and every staffing rule has gaps to show.
    for rule in people["staffingSummary"].as_array().into_iter().flatten() {
        let n = rule["count"].as_i64().unwrap_or(0);
        assert!(n > 0, "{rule}");
        if rule["rule"] == "SECRETARY_VACANT" || rule["rule"] == "TEAM_PARTY_LEADER" {
            assert!(n < 1_000, "{rule}");
        }
    }
    assert_eq!(people["staffingSummary"].as_array().map(Vec::len), Some(6));

    points_system(&app, &summary).await;
    crate::demo_work::grassroots_work(&app, &summary).await;

    // Loading twice is refused rather than duplicating.
    let db = app.state.db.clone();
    let again = tokio::task::spawn_blocking(move || grassroots::demo::load(&db, 1))
        .await
        .expect("join");
    assert!(matches!(again, Err(grassroots::AppError::Conflict { .. })));
}

/// Households for the county, and 琅塘镇's year-end rule: its top 200
/// households and the bottom 5 of every village, for last year.
async fn points_system(app: &TestApp, summary: &grassroots::demo::DemoSummary) {
    assert_eq!(summary.households, 370_000, "{summary}");
    // Households are registered from 1995 to 2022: all count last year, fewer in 2010.
    let households = |y: i32| {
        let q = "query($y: Int!) { pointsSummary(year: $y) { households } }";
        async move { app.ok(q, json!({ "y": y })).await["pointsSummary"]["households"].as_i64() }
    };
    let last = chrono::Utc::now().date_naive().year() - 1;
    assert_eq!(households(last).await, Some(370_000));
    assert!(households(2010).await < Some(370_000));
    let find = "query($q: String) { orgUnits(search: $q, first: 1) { nodes { id } } }";
    let id = |v: &Value| {
        v["orgUnits"]["nodes"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let langtang = id(&app.ok(find, json!({ "q": "琅塘镇" })).await);
    let ranking = app
        .ok(
            "query($u: ID!, $y: Int!) { pointsRanking(under: $u, year: $y, top: 200, bottom: 5, per: VILLAGE) { scored top { rank points } bottom { scored households { rank points } } } }",
            json!({ "u": langtang, "y": last }),
        )
        .await;
    let r = &ranking["pointsRanking"];
    assert_eq!(
        r["top"].as_array().map(Vec::len),
        Some(200),
        "{}",
        r["scored"]
    );
    assert!(r["scored"].as_i64().unwrap_or(0) > 5_000, "{}", r["scored"]);
    let villages = r["bottom"].as_array().cloned().unwrap_or_default();
    assert!(villages.len() > 15, "{} villages", villages.len());
    for v in &villages {
        assert_eq!(v["households"].as_array().map(Vec::len), Some(5), "{v}");
    }
    let summary = app
        .ok(
            "query($u: ID, $y: Int!) { pointsSummary(under: $u, year: $y) { households scored participationRate byCategory { category } } }",
            json!({ "u": langtang, "y": last }),
        )
        .await;
    let s = &summary["pointsSummary"];
    assert_eq!(s["participationRate"], 1.0, "{s}");
    assert_eq!(s["byCategory"].as_array().map(Vec::len), Some(6), "{s}");
    // 油溪桥村 has its own list, in force since two years ago.
    let youxiqiao = id(&app.ok(find, json!({ "q": "油溪桥村" })).await);
    let list = app
        .ok(
            "query($u: ID!) { pointsListInForce(unitId: $u) { title meeting { kindLabel } items { code } } }",
            json!({ "u": youxiqiao }),
        )
        .await;
    assert_eq!(
        list["pointsListInForce"]["title"],
        "油溪桥村村级事务积分清单"
    );
    let scored = app
        .ok(
            "query($u: ID, $y: Int!) { pointsSummary(under: $u, year: $y) { scored } }",
            json!({ "u": youxiqiao, "y": last - 1 }),
        )
        .await;
    assert!(
        scored["pointsSummary"]["scored"].as_i64().unwrap_or(0) > 100,
        "{scored}"
    );
}

#[test]
fn generation_is_deterministic_and_scales() {
    let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time");
    let digest = |scale: u32| {
        let mut rows = 0usize;
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut sink = |batch: &[grassroots::db::models::OrgUnitRow]| {
            for r in batch {
                rows += 1;
                for b in format!(
                    "{}|{:?}|{}|{:?}|{:?}|{:?}",
                    r.id, r.parent_id, r.name, r.code, r.org_form, r.founded_on
                )
                .bytes()
                {
                    hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
                }
            }
            Ok(())
        };
        let tally = grassroots::demo::generate(scale, 1, now, &mut sink).expect("generate");
        (rows, hash, tally.by_type)
    };
    let (rows_a, hash_a, types_a) = digest(1);
    let (rows_b, hash_b, _) = digest(1);
    assert_eq!((rows_a, hash_a), (rows_b, hash_b));
    let (rows_3, _, types_3) = digest(3);
    assert!(
        rows_3 > rows_a * 29 / 10 && rows_3 < rows_a * 31 / 10,
        "{rows_a} vs {rows_3}"
    );
    assert_eq!(types_3["RELOCATION_SITE"], 3 * types_a["RELOCATION_SITE"]);
    // Scale 25 gives over a million units.
    assert!(rows_a * 25 > 1_000_000, "{rows_a} units per county");
}
