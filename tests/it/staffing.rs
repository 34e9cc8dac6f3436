//! Staffing rules and people statistics through the HTTP API: every count
//! agrees with its list, and each post changes exactly the rule it should.

use grassroots::auth::policy::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const SUMMARY: &str = "query($u: ID) { staffingSummary(under: $u) { rule ruleLabel count } }";
const GAPS: &str = "query($u: ID, $r: StaffingRule!) { staffingGaps(under: $u, rule: $r, first: 100) { totalCount nodes { name } } }";
const START: &str = "mutation($input: StartPositionInput!) { startPosition(input: $input) { id } }";

/// The summary as `token` (default: the region ADMIN) sees it.
async fn summary(app: &TestApp, token: Option<&str>, under: Option<&str>) -> Vec<(String, i64)> {
    let token = Some(token.unwrap_or(&app.token));
    let resp = app.gql_as(token, SUMMARY, json!({ "u": under })).await;
    let rows = resp["data"]["staffingSummary"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for row in rows {
        let rule = row["rule"].as_str().unwrap_or_default().to_owned();
        let count = row["count"].as_i64().unwrap_or(-1);
        // Every count is the length of its list.
        let list = app
            .gql_as(token, GAPS, json!({ "u": under, "r": rule }))
            .await;
        let listed = &list["data"]["staffingGaps"];
        assert_eq!(listed["totalCount"].as_i64(), Some(count), "{rule}: {list}");
        assert_eq!(
            listed["nodes"].as_array().map(Vec::len),
            Some(count as usize),
            "{rule}"
        );
        out.push((rule, count));
    }
    out
}

fn counts(s: &[(String, i64)]) -> Vec<i64> {
    s.iter().map(|(_, n)| *n).collect()
}

async fn person(app: &TestApp, unit: &str, name: &str, status: &str, capable: bool) -> String {
    let q = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }";
    let data = app
        .ok(q, json!({ "input": { "unitId": unit, "name": name, "gender": "MALE", "birthDate": "1984-03-02",
                                  "education": "JUNIOR_COLLEGE", "politicalStatus": status, "capableTalent": capable } }))
        .await;
    data["createPerson"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn post(app: &TestApp, who: &str, unit: &str, role: &str, extra: Value) -> String {
    let mut input =
        json!({ "personId": who, "unitId": unit, "role": role, "startedOn": "2022-01-01" });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            input[k] = v;
        }
    }
    let data = app.ok(START, json!({ "input": input })).await;
    data["startPosition"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn staffing_rules_count_what_their_lists_show() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("甲").await;
    let rules: Vec<String> = summary(&app, None, None)
        .await
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(
        rules,
        [
            "GRID_3_1_N",
            "GRID_INSTRUCTOR",
            "VILLAGE_LINKED_LEADER",
            "TOWNSHIP_LINKED_LEADER",
            "TEAM_PARTY_LEADER",
            "SECRETARY_VACANT"
        ]
    );
    // Nobody in post: every rule fails; the township, village, grid and
    // building group each lack the head of their organization.
    assert_eq!(counts(&summary(&app, None, None).await), [1, 1, 1, 1, 1, 4]);

    let member = person(&app, &b, "党员甲", "FULL_MEMBER", false).await;
    let mass = person(&app, &b, "群众乙", "NON_PARTY", true).await;
    let cadre = person(&app, &t, "干部丙", "FULL_MEMBER", false).await;
    post(&app, &member, &g, "GRID_HEAD", json!({})).await;
    post(&app, &cadre, &g, "GRID_LIAISON", json!({})).await;
    assert_eq!(
        counts(&summary(&app, None, None).await)[0],
        1,
        "no volunteer yet"
    );
    post(&app, &mass, &team, "VOLUNTEER", json!({})).await;
    post(&app, &cadre, &g, "INSTRUCTOR", json!({})).await;
    post(&app, &cadre, &v, "LINKED_LEADER", json!({})).await;
    post(&app, &cadre, &t, "LINKED_LEADER", json!({})).await;
    let led = post(&app, &mass, &team, "TEAM_LEADER", json!({})).await;
    assert_eq!(counts(&summary(&app, None, None).await), [0, 0, 0, 0, 1, 4]);
    app.ok(
        "mutation($id: ID!) { endPosition(id: $id) { id } }",
        json!({ "id": led }),
    )
    .await;
    post(&app, &member, &team, "TEAM_LEADER", json!({})).await;
    post(
        &app,
        &member,
        &v,
        "SECRETARY",
        json!({ "alsoVillageDirector": true }),
    )
    .await;
    post(&app, &member, &b, "GROUP_LEADER", json!({})).await;
    assert_eq!(counts(&summary(&app, None, None).await), [0, 0, 0, 0, 0, 2]);
    // Beneath the village: the grid's party group still has no leader.
    assert_eq!(
        counts(&summary(&app, None, Some(&v)).await),
        [0, 0, 0, 0, 0, 1]
    );

    // A viewer of another township sees none of it, and its own township
    // counts too, as in `coverage`.
    let [t2, ..] = app.chain("乙").await;
    let other = app.account("viewer-t2", Role::Viewer, Some(&t2));
    assert_eq!(
        counts(&summary(&app, Some(&other), None).await),
        [1, 1, 1, 1, 1, 4]
    );
    let _ = t;
}

#[tokio::test]
async fn secretary_and_people_figures_follow_the_posts() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("丙").await;
    let [_, v2, ..] = app.chain("丁").await;
    let a = person(&app, &b, "书记甲", "FULL_MEMBER", false).await;
    let c = person(&app, &b, "书记乙", "PROBATIONARY", false).await;
    let d = person(&app, &b, "能人丙", "NON_PARTY", true).await;
    post(
        &app,
        &a,
        &v,
        "SECRETARY",
        json!({ "alsoVillageDirector": true }),
    )
    .await;
    post(
        &app,
        &c,
        &v2,
        "SECRETARY",
        json!({ "startedOn": "2023-03-01" }),
    )
    .await;
    post(&app, &d, &team, "VOLUNTEER", json!({})).await;
    post(&app, &d, &g, "VOLUNTEER", json!({})).await;
    post(&app, &a, &g, "INSTRUCTOR", json!({})).await;

    let q = "query($u: ID, $d: Date) { secretaryStats(under: $u, asOf: $d) { count alsoVillageDirectorCount alsoVillageDirectorRatio averageAge collegeOrAboveCount } }";
    let s = app.ok(q, json!({ "d": "2023-12-31" })).await["secretaryStats"].clone();
    assert_eq!(
        (
            s["count"].clone(),
            s["alsoVillageDirectorCount"].clone(),
            s["alsoVillageDirectorRatio"].clone(),
            s["collegeOrAboveCount"].clone()
        ),
        (json!(2), json!(1), json!(0.5), json!(2))
    );
    assert_eq!(s["averageAge"], 39.0);
    let before = app.ok(q, json!({ "d": "2022-06-30" })).await["secretaryStats"].clone();
    assert_eq!(
        (
            before["count"].clone(),
            before["alsoVillageDirectorRatio"].clone()
        ),
        (json!(1), json!(1.0))
    );
    let mine = app.ok(q, json!({ "u": t })).await["secretaryStats"].clone();
    assert_eq!(mine["count"], 1);
    let none = app.ok(q, json!({ "d": "2021-01-01" })).await["secretaryStats"].clone();
    assert_eq!(
        (none["count"].clone(), none["averageAge"].clone()),
        (json!(0), Value::Null)
    );

    let p = "query($u: ID) { peopleStats(under: $u) { byPoliticalStatus { status statusLabel count } capableNonParty activeVolunteers cadreLinks { kind count } } }";
    let stats = app.ok(p, json!({})).await["peopleStats"].clone();
    assert_eq!(
        stats["byPoliticalStatus"],
        json!([
            { "status": "FULL_MEMBER", "statusLabel": "正式党员", "count": 1 },
            { "status": "PROBATIONARY", "statusLabel": "预备党员", "count": 1 },
            { "status": "NON_PARTY", "statusLabel": "群众", "count": 1 }
        ])
    );
    assert_eq!(
        (
            stats["capableNonParty"].clone(),
            stats["activeVolunteers"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(
        stats["cadreLinks"],
        json!([{ "kind": "COUNTY_LEADER_TOWNSHIP", "count": 0 }, { "kind": "TOWNSHIP_LEADER_VILLAGE", "count": 0 }, { "kind": "GRID_INSTRUCTOR", "count": 1 }])
    );
    // The counts agree with the person lists.
    let list = app
        .ok("{ persons(politicalStatus: FULL_MEMBER) { totalCount } volunteers: persons(role: VOLUNTEER) { totalCount } }", json!({}))
        .await;
    assert_eq!(list["persons"]["totalCount"], 1);
    assert_eq!(list["volunteers"]["totalCount"], stats["activeVolunteers"]);
    let viewer = app.account("viewer-v2", Role::Viewer, Some(&v2));
    let theirs = app.gql_as(Some(&viewer), p, json!({})).await;
    assert_eq!(
        theirs["data"]["peopleStats"]["byPoliticalStatus"],
        json!([]),
        "{theirs}"
    );
}

/// A database whose gaps were computed by another rule set (an older
/// binary, a rule added since) is rebuilt on its next start; one that is
/// current is left alone.
#[tokio::test]
async fn a_changed_rule_set_rebuilds_the_stored_gaps() {
    use diesel::prelude::*;
    use grassroots::db::schema::{settings, staffing_gaps};
    use grassroots::tree::staffing::RULES_VERSION_KEY;

    let Some(app) = TestApp::spawn() else { return };
    app.chain("甲").await;
    let expected = counts(&summary(&app, None, None).await);
    assert_eq!(expected, [1, 1, 1, 1, 1, 4]);
    let db = app.state.db.clone();

    // As an older binary left it: other rules, and gaps that no longer match.
    db.write_blocking(|c| {
        diesel::delete(staffing_gaps::table).execute(c)?;
        diesel::update(settings::table.filter(settings::key.eq(RULES_VERSION_KEY)))
            .set(settings::value.eq("GRID_3_1_N@0"))
            .execute(c)?;
        Ok(())
    })
    .expect("stale the gaps");
    assert_eq!(counts(&summary(&app, None, None).await), [0; 6]);
    grassroots::migrate(&db).expect("restart");
    assert_eq!(counts(&summary(&app, None, None).await), expected);

    // Current: a second start rebuilds nothing (a missing gap stays missing).
    db.write_blocking(|c| Ok(diesel::delete(staffing_gaps::table).execute(c)?))
        .expect("drop the gaps");
    grassroots::migrate(&db).expect("restart");
    assert_eq!(counts(&summary(&app, None, None).await), [0; 6]);
    let stored: String = db
        .read_blocking(|c| {
            Ok(settings::table
                .filter(settings::key.eq(RULES_VERSION_KEY))
                .select(settings::value)
                .first(c)?)
        })
        .expect("stored version");
    assert_eq!(
        stored,
        grassroots::domain::staffing::StaffingRule::rule_set_version()
    );
}
