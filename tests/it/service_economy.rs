//! Cadres' duty logs, idle cadres, training, talent posts and the village
//! economy through the HTTP API.

use serde_json::json;

use grassroots::auth::policy::Role;

use crate::common::TestApp;
use crate::service::{person, DUTY, INCOME, POST};

#[tokio::test]
async fn duties_need_a_cadre_post_and_idle_cadres_are_listed() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, b, _] = app.chain("甲").await;
    let [_, _, g2, ..] = app.chain("乙").await;
    let busy = person(&app, &t, "指导员甲").await;
    let idle = person(&app, &t, "联络员乙").await;
    let plain = person(&app, &b, "群众丙").await;
    app.ok(POST, json!({ "p": busy, "u": g, "r": "INSTRUCTOR" }))
        .await;
    app.ok(POST, json!({ "p": idle, "u": g, "r": "GRID_LIAISON" }))
        .await;
    let today = chrono::Utc::now().date_naive().to_string();
    let duty = |p: &str, u: &str, kind: &str| json!({ "i": { "personId": p, "kind": kind, "doneOn": today, "unitId": u, "notes": "走访困难户" } });
    let d = app.ok(DUTY, duty(&busy, &b, "VISIT")).await;
    assert_eq!(d["logDuty"]["kindLabel"], "走访慰问");
    app.ok(DUTY, duty(&busy, &g, "OFFICE_HOURS")).await;
    for (vars, want) in [
        (duty(&plain, &g, "VISIT"), "personId"),
        (duty(&busy, &g2, "VISIT"), "personId"),
        (duty(&busy, &v, "VISIT"), "personId"),
        (
            json!({ "i": { "personId": busy, "kind": "VISIT", "doneOn": "2999-01-01", "unitId": g } }),
            "doneOn",
        ),
        (
            json!({ "i": { "personId": busy, "kind": "VISIT", "doneOn": today } }),
            "unitId",
        ),
    ] {
        let (code, field, msg) = app.err(DUTY, vars).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some(want)),
            "{msg}"
        );
    }
    let mine = app
        .ok(
            "query($p: ID!, $t: Date!) { node(id: $p) { ... on Person { duties(from: \"2024-01-01\", to: $t) { kind count } } } }",
            json!({ "p": busy, "t": today }),
        )
        .await;
    let counts: Vec<i64> = mine["node"]["duties"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["count"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(counts, [0, 1, 0, 1], "{mine}");
    let idle_posts = app
        .ok(
            "query($u: ID) { idleCadres(under: $u, days: 30) { role person { id } } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(
        idle_posts["idleCadres"],
        json!([{ "role": "GRID_LIAISON", "person": { "id": idle } }])
    );
    // Cadres ranked by duties: the grid's viewer sees the instructor
    // (through the post there); another grid's, no one.
    let ranking =
        "query($t: Date!) { cadreDuties(from: \"2024-01-01\", to: $t) { person { id } duties } }";
    for (name, scope, want) in [
        (
            "viewer-g",
            &g,
            json!([{ "person": { "id": busy }, "duties": 2 }]),
        ),
        ("viewer-g2", &g2, json!([])),
    ] {
        let viewer = app.account(name, Role::Viewer, Some(scope));
        let d = app
            .gql_as(Some(&viewer), ranking, json!({ "t": today }))
            .await;
        assert_eq!(d["data"]["cadreDuties"], want, "{d}");
    }
    let (code, field, _) = app
        .err(
            "query($t: Date!) { cadreDuties(from: \"2024-01-01\", to: $t, first: 0) { duties } }",
            json!({ "t": today }),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("first"))
    );
    app.ok(
        "mutation($u: ID!) { recordTraining(input: { unitId: $u, heldOn: \"2024-06-01\", topic: \"乡村振兴政策\", trainees: 120 }) { trainees } }",
        json!({ "u": t }),
    )
    .await;
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let sum = app
        .ok(
            "query($u: ID, $f: Date!, $t: Date!) { dutySummary(under: $u, from: $f, to: $t) { duties byKind { kind count } trainingSessions traineeTimes } }",
            json!({ "u": t, "f": "2024-01-01", "t": format!("{year}-12-31") }),
        )
        .await;
    let s = &sum["dutySummary"];
    assert_eq!(s["duties"], 2);
    assert_eq!(
        s["byKind"][1],
        json!({ "kind": "OFFICE_HOURS", "count": 1 })
    );
    assert_eq!(
        (s["trainingSessions"].as_i64(), s["traineeTimes"].as_i64()),
        (Some(1), Some(120))
    );
    // Talent posts count in peopleStats.
    let envoy = person(&app, &v, "特派员").await;
    app.ok(POST, json!({ "p": envoy, "u": v, "r": "SCIENCE_ENVOY" }))
        .await;
    let (code, field, _) = app
        .err(POST, json!({ "p": envoy, "u": g, "r": "SECONDED_CADRE" }))
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("role"))
    );
    let stats = app
        .ok("{ peopleStats { talent { role count } } }", json!({}))
        .await;
    assert_eq!(
        stats["peopleStats"]["talent"],
        json!([{ "role": "SECONDED_CADRE", "count": 0 }, { "role": "DIRECTED_TRAINEE", "count": 0 }, { "role": "SCIENCE_ENVOY", "count": 1 }])
    );
}

#[tokio::test]
async fn the_economy_places_villages_in_brackets_and_counts_the_lifted() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v1, g, ..] = app.chain("甲").await;
    let mut villages = vec![v1];
    for name in ["二村", "三村", "四村"] {
        villages.push(
            app.create(
                json!({ "parentId": t, "unitType": "VILLAGE", "name": name, "orgForm": "BRANCH" }),
            )
            .await,
        );
    }
    for (v, y2023, y2024) in [
        (0, 40_000, 55_000),
        (1, 45_000, 45_000),
        (2, 300_000, 300_000),
    ] {
        for (year, income) in [(2023, y2023), (2024, y2024)] {
            app.ok(INCOME, json!({ "i": { "unitId": villages[v], "year": year, "incomeYuan": income, "sources": "光伏发电" } })).await;
        }
    }
    let q = "query($u: ID, $y: Int) { economySummary(under: $u, year: $y) { brackets { label villages weak } weak lifted withFigure withoutFigure totalIncomeYuan medianIncomeYuan } }";
    let d = app.ok(q, json!({ "u": t, "y": 2024 })).await;
    let e = &d["economySummary"];
    let counts: Vec<i64> = e["brackets"]
        .as_array()
        .map(|b| b.iter().filter_map(|x| x["villages"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(counts, [1, 1, 0, 1], "{e}");
    assert_eq!(e["brackets"][0]["label"], "5万元以下 (薄弱村)");
    assert_eq!(
        (
            e["lifted"].as_i64(),
            e["withFigure"].as_i64(),
            e["withoutFigure"].as_i64()
        ),
        (Some(1), Some(3), Some(1))
    );
    assert_eq!(
        (
            e["totalIncomeYuan"].as_i64(),
            e["medianIncomeYuan"].as_i64()
        ),
        (Some(400_000), Some(55_000))
    );
    // A figure changed for last year changes this year's lifted.
    app.ok(
        INCOME,
        json!({ "i": { "unitId": villages[0], "year": 2023, "incomeYuan": 51_000 } }),
    )
    .await;
    let d = app.ok(q, json!({ "u": t, "y": 2024 })).await;
    assert_eq!(d["economySummary"]["lifted"], 0);
    // New brackets recount everything.
    app.ok(
        "mutation { setEconomyBrackets(bounds: [60000, 200000]) }",
        json!({}),
    )
    .await;
    let d = app.ok(q, json!({ "u": villages[0], "y": 2024 })).await;
    assert_eq!(d["economySummary"]["weak"], 1);
    let d = app.ok(q, json!({ "y": 2024 })).await;
    let e = &d["economySummary"];
    assert_eq!(
        (
            e["weak"].as_i64(),
            e["lifted"].as_i64(),
            e["brackets"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0), Some(3)),
        "{e}"
    );
    for (input, want) in [
        (
            json!({ "unitId": g, "year": 2024, "incomeYuan": 1 }),
            "unitId",
        ),
        (
            json!({ "unitId": villages[0], "year": 2999, "incomeYuan": 1 }),
            "year",
        ),
        (
            json!({ "unitId": villages[0], "year": 2024, "incomeYuan": -1 }),
            "incomeYuan",
        ),
    ] {
        let (code, field, msg) = app.err(INCOME, json!({ "i": input })).await;
        assert_eq!(
            (code.as_str(), field.as_deref()),
            ("BAD_USER_INPUT", Some(want)),
            "{msg}"
        );
    }
    let (code, field, _) = app
        .err(
            "mutation { setEconomyBrackets(bounds: [60000, 50000]) }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("bounds"))
    );
    let list = app
        .ok(
            "query($u: ID) { villageIncomes(under: $u, year: 2024) { incomeYuan weak } }",
            json!({ "u": t }),
        )
        .await;
    assert_eq!(list["villageIncomes"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn village_incomes_import_all_or_nothing() {
    use grassroots::auth::policy::Role;
    let Some(app) = TestApp::spawn() else { return };
    let t = app
        .create(
            json!({ "unitType": "TOWNSHIP", "name": "辛镇", "code": "XT", "orgForm": "COMMITTEE" }),
        )
        .await;
    for code in ["XV1", "XV2"] {
        app.create(json!({ "parentId": t, "unitType": "VILLAGE", "name": format!("{code}村"), "code": code, "orgForm": "BRANCH" }))
            .await;
    }
    let token = app.account("xin-manager", Role::Manager, Some(&t));
    let file = "村(社区)编码,年度,村集体经营性收入(元),收入来源\nXV1,2024,\"52,000\",光伏发电\nXV2,2024,48000,土地流转\nXV1,2023,41000,\n";
    let r = crate::points::upload(&app, &token, "importVillageIncomes", file, true).await;
    assert_eq!(
        r["data"]["importVillageIncomes"],
        json!({ "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "dryRun": true }),
        "{r}"
    );
    let q = "query($u: ID) { economySummary(under: $u, year: 2024) { withFigure weak lifted totalIncomeYuan } }";
    assert_eq!(
        app.ok(q, json!({ "u": t })).await["economySummary"]["withFigure"],
        0
    );
    let r = crate::points::upload(&app, &token, "importVillageIncomes", file, false).await;
    assert_eq!(r["data"]["importVillageIncomes"]["created"], 3, "{r}");
    let d = app.ok(q, json!({ "u": t })).await;
    assert_eq!(
        d["economySummary"],
        json!({ "withFigure": 2, "weak": 1, "lifted": 1, "totalIncomeYuan": 100_000 })
    );
    let r = crate::points::upload(&app, &token, "importVillageIncomes", file, false).await;
    assert_eq!(r["data"]["importVillageIncomes"]["unchanged"], 3, "{r}");
    // One bad row rejects the file; nothing of it is written.
    let bad = "unit_code,year,income_yuan\nXV2,2024,61000\nXV1,2024,-5\nNOPE,2024,1\n";
    let r = crate::points::upload(&app, &token, "importVillageIncomes", bad, false).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{r}"
    );
    let problems = r["errors"][0]["extensions"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(problems.len(), 2, "{r}");
    assert_eq!(
        app.ok(q, json!({ "u": t })).await["economySummary"]["weak"],
        1
    );
}
