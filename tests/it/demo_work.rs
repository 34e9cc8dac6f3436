//! The demo's grassroots work, read back through the API: the seed's
//! figures (琅塘镇's service, 大汉龙城小区's six teams and their solved
//! problems, the village economy's brackets, the talent posts and the
//! trainings) and plausible volumes elsewhere.

use chrono::Datelike;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;

fn id(v: &Value) -> String {
    v["orgUnits"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Called by the demo county's test, on the loaded demo.
pub async fn grassroots_work(app: &TestApp, summary: &grassroots::demo::DemoSummary) {
    assert_eq!(summary.work.trainings, 806, "{summary}");
    let today = chrono::Utc::now().date_naive();
    let last = today.year() - 1;
    let (from, to) = (format!("{last}-01-01"), format!("{last}-12-31"));
    let find = "query($q: String) { orgUnits(search: $q, first: 1) { nodes { id } } }";
    let langtang = id(&app.ok(find, json!({ "q": "琅塘镇" })).await);
    let s = app
        .ok(
            "query($u: ID, $f: Date!, $t: Date!) { serviceSummary(under: $u, from: $f, to: $t) { activities volunteersActive } }",
            json!({ "u": langtang, "f": from, "t": to }),
        )
        .await;
    assert_eq!(
        s["serviceSummary"],
        json!({ "activities": 536, "volunteersActive": 3467 })
    );

    let dahan = id(&app.ok(find, json!({ "q": "大汉龙城小区" })).await);
    let teams = app
        .ok(
            "query($u: ID) { orgUnits(under: $u, level: VOLUNTEER_TEAM, first: 20) { nodes { name } } }",
            json!({ "u": dahan }),
        )
        .await;
    let mut names: Vec<String> = teams["orgUnits"]["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut want: Vec<String> = grassroots::demo::work::DAHAN_TEAMS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    want.sort();
    assert_eq!(names, want);
    let p = app
        .ok(
            "query($u: ID, $f: Date!, $t: Date!) { problemsSummary(under: $u, from: $f, to: $t) { resolvedInGrid byCategory { category resolved } } }",
            json!({ "u": dahan, "f": from, "t": format!("{}-12-31", today.year()) }),
        )
        .await;
    let resolved = |c: &str| {
        p["problemsSummary"]["byCategory"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["category"] == c))
            .and_then(|x| x["resolved"].as_i64())
    };
    assert_eq!(
        (resolved("LIVING_DIFFICULTY"), resolved("OTHER_DIFFICULTY")),
        (Some(76), Some(35)),
        "{p}"
    );
    assert_eq!(p["problemsSummary"]["resolvedInGrid"], 111);

    let e = app
        .ok(
            "query($y: Int) { economySummary(year: $y) { brackets { villages } weak lifted } }",
            json!({ "y": today.year() }),
        )
        .await;
    let brackets: Vec<i64> = e["economySummary"]["brackets"]
        .as_array()
        .map(|a| a.iter().filter_map(|b| b["villages"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(brackets, [0, 359, 143, 51]);
    assert_eq!(e["economySummary"]["lifted"], 389);
    let before = app
        .ok(
            "query($y: Int) { economySummary(year: $y) { weak } }",
            json!({ "y": today.year() - 1 }),
        )
        .await;
    assert_eq!(before["economySummary"]["weak"], 389);

    let stats = app
        .ok("{ peopleStats { talent { count } } }", json!({}))
        .await;
    assert_eq!(
        stats["peopleStats"]["talent"],
        json!([{ "count": 26 }, { "count": 36 }, { "count": 31 }])
    );
    let d = app
        .ok(
            "query($f: Date!, $t: Date!) { dutySummary(from: $f, to: $t) { duties trainingSessions traineeTimes } problemsSummary(from: $f, to: $t) { resolvedInGridRate } }",
            json!({ "f": from, "t": to }),
        )
        .await;
    assert_eq!(d["dutySummary"]["trainingSessions"], 806);
    let times = d["dutySummary"]["traineeTimes"].as_i64().unwrap_or(0);
    assert!(
        (150_000..=170_000).contains(&times),
        "about 160,000 person-times: {times}"
    );
    // Duties are logged within the last year: most of them this year.
    let duties = app
        .ok(
            "query($f: Date!, $t: Date!) { dutySummary(from: $f, to: $t) { duties } idleCadres(days: 30) { id } }",
            json!({ "f": format!("{}-01-01", today.year()), "t": today.to_string() }),
        )
        .await;
    assert!(
        duties["dutySummary"]["duties"].as_i64() > Some(5_000),
        "{duties}"
    );
    let idle = duties["idleCadres"].as_array().map_or(0, Vec::len);
    assert!(
        idle > 0 && idle < 1_000,
        "a few cadres logged nothing lately: {idle}"
    );
    assert!(
        d["problemsSummary"]["resolvedInGridRate"].as_f64() > Some(0.7),
        "{d}"
    );

    // Every team some activity, problems in every grid.
    let (idle_teams, quiet_grids) = app
        .state
        .db
        .read(|c| {
            use grassroots::db::schema::org_units::dsl as o;
            use grassroots::db::schema::problems::dsl as p;
            use grassroots::db::schema::service_activities::dsl as a;
            let idle: i64 = o::org_units
                .filter(o::level.eq(5))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    a::service_activities.filter(a::unit_id.eq(o::id)),
                )))
                .count()
                .get_result(c)?;
            let quiet: i64 = o::org_units
                .filter(o::level.eq(3))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    p::problems.filter(p::unit_id.eq(o::id)),
                )))
                .count()
                .get_result(c)?;
            Ok((idle, quiet))
        })
        .await
        .expect("counts");
    assert_eq!((idle_teams, quiet_grids), (0, 0));
}
