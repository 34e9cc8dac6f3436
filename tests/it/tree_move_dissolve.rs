//! Moves, dissolving and restoring: level and cycle checks, the subtree's
//! ancestry rewritten, history kept, nothing half-written.

use crate::common::TestApp;
use serde_json::{json, Value};

const MOVE: &str = "mutation($id: ID!, $to: ID!) { moveOrgUnit(id: $id, newParentId: $to) { id parent { id } ancestors { id } } }";
const DISSOLVE: &str = "mutation($id: ID!, $on: Date!, $reason: String!) { dissolveOrgUnit(id: $id, on: $on, reason: $reason) { id status dissolvedOn dissolvedReason } }";
const RESTORE: &str = "mutation($id: ID!) { restoreOrgUnit(id: $id) { id status dissolvedOn } }";
const UNIT: &str = "query($id: ID!) { node(id: $id) { ... on OrgUnit { name parent { id } ancestors { id } subtreeCounts { villages grids buildingGroups volunteerTeams total } } } }";

fn pair(e: (String, Option<String>, String)) -> (String, Option<String>) {
    (e.0, e.1)
}

fn bad(field: &str) -> (String, Option<String>) {
    ("BAD_USER_INPUT".to_owned(), Some(field.to_owned()))
}

fn conflict() -> (String, Option<String>) {
    ("CONFLICT".to_owned(), None)
}

async fn unit(app: &TestApp, id: &str) -> Value {
    app.ok(UNIT, json!({ "id": id })).await["node"].clone()
}

async fn under(app: &TestApp, id: &str) -> i64 {
    let data = app
        .ok(
            "query($id: ID!) { orgUnits(under: $id) { totalCount } }",
            json!({ "id": id }),
        )
        .await;
    data["orgUnits"]["totalCount"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn a_move_carries_the_whole_subtree() {
    let Some(app) = TestApp::spawn() else { return };
    let [t1, v, g, b, team] = app.chain("甲").await;
    let [t2, ..] = app.chain("乙").await;
    assert_eq!(under(&app, &t1).await, 4);
    assert_eq!(under(&app, &t2).await, 4);

    let data = app.ok(MOVE, json!({ "id": v, "to": t2 })).await;
    assert_eq!(data["moveOrgUnit"]["parent"]["id"], json!(t2));

    assert_eq!(under(&app, &t1).await, 0);
    assert_eq!(under(&app, &t2).await, 8);
    let team_now = unit(&app, &team).await;
    assert_eq!(
        team_now["ancestors"],
        json!([{ "id": t2 }, { "id": v }, { "id": g }, { "id": b }])
    );
    assert_eq!(unit(&app, &t1).await["subtreeCounts"]["total"], 0);
    assert_eq!(
        unit(&app, &t2).await["subtreeCounts"],
        json!({ "villages": 2, "grids": 2, "buildingGroups": 2, "volunteerTeams": 2, "total": 8 })
    );

    // Moving to the parent it already has changes nothing.
    app.ok(MOVE, json!({ "id": v, "to": t2 })).await;
    assert_eq!(under(&app, &t2).await, 8);
}

#[tokio::test]
async fn moves_keep_levels_and_never_make_cycles() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("丙").await;
    let [t2, v2, ..] = app.chain("丁").await;

    let (code, field, msg) = app.err(MOVE, json!({ "id": g, "to": b })).await;
    assert_eq!((code, field), bad("newParentId"));
    assert!(msg.contains("descendant"), "{msg}");
    assert_eq!(
        pair(app.err(MOVE, json!({ "id": v, "to": v })).await),
        bad("newParentId")
    );
    assert_eq!(
        pair(app.err(MOVE, json!({ "id": v, "to": v2 })).await),
        bad("newParentId")
    );
    assert_eq!(
        pair(app.err(MOVE, json!({ "id": team, "to": g })).await),
        bad("newParentId")
    );
    assert_eq!(
        pair(app.err(MOVE, json!({ "id": t, "to": t2 })).await),
        bad("newParentId")
    );
    assert_eq!(
        app.err(MOVE, json!({ "id": v, "to": "nonsense" })).await.0,
        "BAD_USER_INPUT"
    );

    // Nothing moved.
    assert_eq!(
        unit(&app, &team).await["ancestors"],
        json!([{ "id": t }, { "id": v }, { "id": g }, { "id": b }])
    );
}

#[tokio::test]
async fn a_move_may_not_strand_affiliated_units() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, _, _] = app.chain("戊").await;
    let v2 = app
        .create(
            json!({ "parentId": t, "unitType": "VILLAGE", "name": "己村", "orgForm": "BRANCH" }),
        )
        .await;
    // A courtyard covered by the village's branch, inside the grid.
    let c = app
        .create(json!({ "parentId": g, "unitType": "COURTYARD", "name": "挂靠院落", "orgForm": "AFFILIATED", "hostUnitId": v }))
        .await;
    let (code, field, msg) = app.err(MOVE, json!({ "id": g, "to": v2 })).await;
    assert_eq!((code, field), bad("newParentId"));
    assert!(msg.contains("挂靠院落"), "{msg}");
    assert_eq!(unit(&app, &c).await["ancestors"][1]["id"], json!(v));

    // Re-affiliated to the grid itself, it travels along.
    app.ok(
        "mutation($id: ID!, $h: ID!) { updateOrgUnit(id: $id, input: { hostUnitId: $h }) { id } }",
        json!({ "id": c, "h": g }),
    )
    .await;
    app.ok(MOVE, json!({ "id": g, "to": v2 })).await;
    assert_eq!(unit(&app, &c).await["ancestors"][1]["id"], json!(v2));
}

#[tokio::test]
async fn dissolving_keeps_history_and_drops_out_of_counts() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, team] = app.chain("庚").await;
    app.ok(
        "mutation($id: ID!) { updateOrgUnit(id: $id, input: { foundedOn: \"2020-05-01\" }) { id } }",
        json!({ "id": team }),
    )
    .await;

    assert_eq!(
        pair(
            app.err(
                DISSOLVE,
                json!({ "id": b, "on": "2022-01-01", "reason": "合并" })
            )
            .await
        ),
        conflict()
    );
    assert_eq!(
        pair(
            app.err(
                DISSOLVE,
                json!({ "id": team, "on": "2999-01-01", "reason": "x" })
            )
            .await
        ),
        bad("on")
    );
    assert_eq!(
        pair(
            app.err(
                DISSOLVE,
                json!({ "id": team, "on": "2019-01-01", "reason": "x" })
            )
            .await
        ),
        bad("on")
    );
    assert_eq!(
        pair(
            app.err(
                DISSOLVE,
                json!({ "id": team, "on": "2022-01-01", "reason": "  " })
            )
            .await
        ),
        bad("reason")
    );

    let data = app
        .ok(
            DISSOLVE,
            json!({ "id": team, "on": "2022-01-01", "reason": "队伍合并" }),
        )
        .await;
    assert_eq!(
        data["dissolveOrgUnit"],
        json!({ "id": team, "status": "DISSOLVED", "dissolvedOn": "2022-01-01", "dissolvedReason": "队伍合并" })
    );
    assert_eq!(
        pair(
            app.err(
                DISSOLVE,
                json!({ "id": team, "on": "2022-01-01", "reason": "x" })
            )
            .await
        ),
        conflict()
    );

    // Out of counts and lists, still readable by id and with includeDissolved.
    assert_eq!(under(&app, &t).await, 3);
    assert_eq!(unit(&app, &b).await["subtreeCounts"]["volunteerTeams"], 0);
    assert_eq!(unit(&app, &team).await["name"], "庚服务队");
    let data = app
        .ok(
            "query($id: ID!) { orgUnits(under: $id, includeDissolved: true) { totalCount } }",
            json!({ "id": t }),
        )
        .await;
    assert_eq!(data["orgUnits"]["totalCount"], 4);

    // No edits, moves or children while dissolved.
    app.ok(
        DISSOLVE,
        json!({ "id": b, "on": "2022-02-01", "reason": "楼栋拆除" }),
    )
    .await;
    let input = json!({ "parentId": b, "unitType": "VOLUNTEER_TEAM", "name": "新队", "teamCategory": "OTHER" });
    let e = app
        .err(
            "mutation($input: CreateOrgUnitInput!) { createOrgUnit(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(pair(e), bad("parentId"));
    assert_eq!(
        pair(
            app.err(
                "mutation($id: ID!) { updateOrgUnit(id: $id, input: { name: \"y\" }) { id } }",
                json!({ "id": b })
            )
            .await
        ),
        conflict()
    );
    assert_eq!(
        pair(app.err(MOVE, json!({ "id": b, "to": g })).await),
        conflict()
    );
    let _ = v;
}

#[tokio::test]
async fn restoring_needs_an_active_parent_and_a_free_code() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("辛").await;
    let v = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "旧村", "code": "C-1" }))
        .await;
    assert_eq!(pair(app.err(RESTORE, json!({ "id": v })).await), conflict());
    app.ok(
        DISSOLVE,
        json!({ "id": v, "on": "2021-03-01", "reason": "合村并组" }),
    )
    .await;

    // Its code is free again while it is dissolved.
    let newer = app
        .create(json!({ "parentId": t, "unitType": "VILLAGE", "name": "新村", "code": "C-1", "effectiveOn": "2021-03-01" }))
        .await;
    let data = app
        .ok("{ orgUnit(code: \"C-1\") { name } }", json!({}))
        .await;
    assert_eq!(data["orgUnit"]["name"], "新村");
    let e = app.err(RESTORE, json!({ "id": v })).await;
    assert_eq!(pair(e), ("CONFLICT".to_owned(), Some("code".to_owned())));

    app.ok(
        DISSOLVE,
        json!({ "id": newer, "on": "2021-04-01", "reason": "撤销" }),
    )
    .await;
    let data = app.ok(RESTORE, json!({ "id": v })).await;
    assert_eq!(
        data["restoreOrgUnit"],
        json!({ "id": v, "status": "ACTIVE", "dissolvedOn": null })
    );
    assert_eq!(under(&app, &t).await, 5);

    // A child of a dissolved parent waits for the parent.
    let [_, v2, g2, b2, team2] = app.chain("壬").await;
    app.ok(
        DISSOLVE,
        json!({ "id": team2, "on": "2022-01-01", "reason": "x" }),
    )
    .await;
    app.ok(
        DISSOLVE,
        json!({ "id": b2, "on": "2022-01-01", "reason": "x" }),
    )
    .await;
    assert_eq!(
        pair(app.err(RESTORE, json!({ "id": team2 })).await),
        conflict()
    );
    app.ok(RESTORE, json!({ "id": b2 })).await;
    app.ok(RESTORE, json!({ "id": team2 })).await;
    let _ = (v2, g2);
}
