//! The coverage report over HTTP (`GET /reports/coverage.xlsx|csv`): the
//! signed-in viewer's scope only, errors coded like the API's.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use calamine::{Data, DataType, Reader, Xlsx};
use grassroots::auth::policy::Role;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::TestApp;

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("router");
    let status = resp.status();
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, kind, bytes.to_vec())
}

fn code(body: &[u8]) -> (Value, Value) {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    let ext = &v["errors"][0]["extensions"];
    (ext["code"].clone(), ext["field"].clone())
}

#[tokio::test]
async fn the_coverage_report_is_a_workbook_of_the_viewers_scope() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, v, g, ..] = app.chain("甲").await;
    app.create(json!({ "parentId": v, "unitType": "RELOCATION_SITE", "name": "无组织安置点", "code": "SITE-1", "orgForm": "NONE" }))
        .await;
    let [t2, v2, ..] = app.chain("乙").await;
    app.create(
        json!({ "parentId": v2, "unitType": "URBAN_GRID", "name": "乙城网格", "orgForm": "NONE" }),
    )
    .await;

    // Some work this year: a problem in the grid, a village's income.
    let year = chrono::Datelike::year(&chrono::Utc::now());
    app.ok(
        "mutation($g: ID!) { reportProblem(input: { unitId: $g, channel: HOTLINE, category: DISPUTE, description: \"纠纷\", reporterName: \"李某\" }) { id } }",
        json!({ "g": g }),
    )
    .await;
    app.ok(
        "mutation($v: ID!, $y: Int!) { setVillageIncome(input: { unitId: $v, year: $y, incomeYuan: 210000 }) { year } }",
        json!({ "v": v, "y": year }),
    )
    .await;
    let (status, kind, body) = fetch(&app, "/reports/coverage.xlsx", Some(&app.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let mut book = Xlsx::new(Cursor::new(body)).expect("an xlsx workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "汇总",
            "乡镇（街道）",
            "村（社区）",
            "网格",
            "楼栋（院落）",
            "志愿服务",
            "民情诉求",
            "村集体经济"
        ]
    );
    let first = |r: &calamine::Range<Data>, label: &str| -> Option<String> {
        r.rows()
            .find(|row| {
                row.first()
                    .is_some_and(|c| c.as_string().as_deref() == Some(label))
            })
            .and_then(|row| row.get(1).map(|c| c.to_string()))
    };
    let problems = book.worksheet_range("民情诉求").expect("problems sheet");
    assert_eq!(first(&problems, "矛盾纠纷").as_deref(), Some("1"));
    assert_eq!(first(&problems, "在办").as_deref(), Some("1"));
    let economy = book.worksheet_range("村集体经济").expect("economy sheet");
    assert_eq!(first(&economy, "20万元以上").as_deref(), Some("1"));
    assert!(book.worksheet_range("志愿服务").is_ok());
    let summary = book.worksheet_range("汇总").expect("summary sheet");
    let row = |r: &calamine::Range<Data>, label: &str| -> Vec<String> {
        r.rows()
            .find(|row| {
                row.first()
                    .is_some_and(|c| c.as_string().as_deref() == Some(label))
            })
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .unwrap_or_default()
    };
    // Three grids per chain… two chains plus the site and the urban grid.
    assert_eq!(row(&summary, "网格")[1..4], ["4", "2", "2"]);
    assert_eq!(row(&summary, "合计")[1..4], ["10", "8", "2"]);
    let grids = book.worksheet_range("网格").expect("grid sheet");
    let sites = row(&grids, "易地扶贫搬迁安置点");
    assert_eq!(sites[1..4], ["1", "0", "1"]);
    let gap = row(&grids, "无组织安置点");
    assert_eq!(gap[1..4], ["SITE-1", "易地扶贫搬迁安置点", "甲镇 / 甲村"]);
    assert_eq!(gap[5], "未建立党组织");

    // A village manager gets its village only; elsewhere does not exist.
    let manager = app.account("manager-v", Role::Manager, Some(&v));
    let (status, kind, body) = fetch(&app, "/reports/coverage.csv", Some(&manager)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let csv = String::from_utf8(body).expect("utf-8");
    assert!(
        csv.contains("无组织安置点,SITE-1,易地扶贫搬迁安置点,甲镇 / 甲村,"),
        "{csv}"
    );
    assert!(!csv.contains("乙城网格"), "{csv}");
    assert!(csv.lines().any(|l| l == "合计,4,3,1,75.0%,1"), "{csv}");
    let (status, _, body) = fetch(
        &app,
        &format!("/reports/coverage.csv?under={t2}"),
        Some(&manager),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, (json!("NOT_FOUND"), Value::Null))
    );

    // Beneath a unit, by id or by code.
    let (_, _, body) = fetch(
        &app,
        &format!("/reports/coverage.csv?under={g}"),
        Some(&app.token),
    )
    .await;
    let csv = String::from_utf8(body).expect("utf-8");
    assert!(
        csv.lines().any(|l| l.starts_with("合计,1,1,0,100.0%")),
        "{csv}"
    );
    let (status, _, _) = fetch(&app, "/reports/coverage.csv?under=SITE-1", Some(&app.token)).await;
    assert_eq!(status, StatusCode::OK);

    // No token, a bad token, an unknown report.
    let (status, _, body) = fetch(&app, "/reports/coverage.xlsx", None).await;
    assert_eq!(
        (status, code(&body).0),
        (StatusCode::UNAUTHORIZED, json!("UNAUTHENTICATED"))
    );
    let (status, _, _) = fetch(&app, "/reports/coverage.xlsx", Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = fetch(&app, "/reports/members.xlsx", Some(&app.token)).await;
    assert_eq!(
        (status, code(&body).0),
        (StatusCode::NOT_FOUND, json!("NOT_FOUND"))
    );
    let _ = t;
}

/// A download carries its UTF-8 name (report, scope, day) beside the ASCII
/// route name, readable by a browser's plain link.
#[tokio::test]
async fn downloads_are_named_in_chinese_with_scope_and_day() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("上梅").await;
    let req = Request::get(format!("/reports/coverage.xlsx?under={t}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .body(Body::empty())
        .expect("request");
    let resp = app.router.clone().oneshot(req).await.expect("router");
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"coverage.xlsx\"; filename*=UTF-8''"),
        "{disposition}"
    );
    let encoded = disposition.rsplit("UTF-8''").next().unwrap_or_default();
    let name = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned();
    // The day in the county's zone (Asia/Shanghai by default) that the
    // server saw (a request across midnight may see the next).
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let days = [today.pred_opt().unwrap_or(today), today];
    assert!(
        days.iter()
            .any(|d| name == format!("党组织覆盖情况统计表_上梅镇_{d}.xlsx")),
        "{name}"
    );
}

/// A report of the whole region is titled with the region's name
/// (`GRASSROOTS_REGION_NAME`); a scoped account's, with its own scope.
#[tokio::test]
async fn reports_are_titled_with_the_region_or_the_scope() {
    let Some(app) = TestApp::spawn_with(|c| c.region_name = Some("新化县".to_owned())) else {
        return;
    };
    let [t, ..] = app.chain("上梅").await;
    let (status, _, body) = fetch(&app, "/reports/coverage.csv", Some(&app.token)).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("UTF-8");
    let title = text.lines().next().unwrap_or_default();
    assert_eq!(title, "\u{feff}党组织覆盖情况统计表,新化县");

    let viewer = app.account("t-viewer", Role::Viewer, Some(&t));
    let (status, _, body) = fetch(&app, "/reports/coverage.csv", Some(&viewer)).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("UTF-8");
    assert_eq!(
        text.lines().next().unwrap_or_default(),
        "\u{feff}党组织覆盖情况统计表,上梅镇"
    );
}

/// `reportLink` gives a plain link: it opens its own download without a
/// header, and nothing else (another report, another scope, the API), and
/// it names no unit out of sight.
#[tokio::test]
async fn report_links_open_their_download_and_nothing_else() {
    let Some(app) = TestApp::spawn() else { return };
    let [t, ..] = app.chain("甲").await;
    let [t2, ..] = app.chain("乙").await;
    let admin = app.account("t-admin", Role::Admin, Some(&t));
    let q = "mutation($u: ID) { reportLink(report: COVERAGE, format: XLSX, under: $u) { url expiresAt } }";
    let resp = app.gql_as(Some(&admin), q, json!({ "u": t })).await;
    let url = resp["data"]["reportLink"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with("/reports/coverage.xlsx?under="), "{resp}");
    let (status, kind, _) = fetch(&app, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"), "{kind}");

    // Another report, another scope, or the API: not with this link.
    let link = url.rsplit("link=").next().unwrap_or_default();
    for other in [
        format!("/reports/people.xlsx?under={t}&link={link}"),
        format!("/reports/coverage.xlsx?under={t2}&link={link}"),
        format!("/reports/coverage.xlsx?link={link}"),
    ] {
        let (status, _, body) = fetch(&app, &other, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{other}");
        assert_eq!(code(&body).0, "UNAUTHENTICATED");
    }
    let resp = app
        .gql_as(Some(link), "{ me { username } }", json!({}))
        .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{resp}"
    );

    // A unit out of sight is as missing as an unknown one.
    let resp = app.gql_as(Some(&admin), q, json!({ "u": t2 })).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{resp}"
    );
    assert!(resp["data"]["reportLink"].is_null(), "{resp}");
}

/// Workbooks as an office expects them: times in the county's zone, full
/// dates as Excel dates (the importer reads them back).
#[tokio::test]
async fn workbooks_show_local_times_and_real_dates() {
    let Some(app) = TestApp::spawn() else { return };
    let [_, _, g, ..] = app.chain("甲").await;
    app.ok(
        "mutation($u: ID!) { createPerson(input: { unitId: $u, name: \"李梅\", gender: FEMALE, birthDate: \"1984-03-02\", politicalStatus: FULL_MEMBER }) { id } }",
        json!({ "u": g }),
    )
    .await;
    let (status, _, body) = fetch(&app, "/reports/people.xlsx", Some(&app.token)).await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(Cursor::new(body)).expect("workbook");
    let sheet = book.worksheet_range("人员名册").expect("roster");
    let dates: Vec<String> = sheet
        .rows()
        .skip(1)
        .flat_map(|row| row.iter())
        .filter_map(|cell| match cell {
            // Excel's day serial, counted from 1899-12-30.
            Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| {
                    epoch.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64))
                })
                .map(|day| day.to_string()),
            _ => None,
        })
        .collect();
    assert!(dates.contains(&"1984-03-02".to_owned()), "{dates:?}");

    let (_, _, body) = fetch(&app, "/reports/coverage.xlsx", Some(&app.token)).await;
    let mut book = Xlsx::new(Cursor::new(body)).expect("workbook");
    let summary = book.worksheet_range("汇总").expect("summary");
    let stamp = summary
        .get((1, 0))
        .map(|c| c.to_string())
        .unwrap_or_default();
    assert!(
        stamp.starts_with("生成时间 ") && stamp.ends_with("(Asia/Shanghai)"),
        "{stamp}"
    );
}
