//! Imports through the HTTP endpoint (GraphQL multipart request): whole
//! files or nothing, every bad row reported, idempotent, access-checked,
//! in CSV (UTF-8 and GBK) and xlsx.

use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Value};

use crate::common::TestApp;
use grassroots::auth::policy::Role;

const UNITS: &str = "mutation($file: Upload!, $dry: Boolean) { importUnits(file: $file, dryRun: $dry) { rows created updated unchanged dryRun } }";
const PEOPLE: &str = "mutation($file: Upload!, $dry: Boolean) { importPeople(file: $file, dryRun: $dry) { rows created updated unchanged dryRun } }";

/// Sends `query` with `bytes` as the upload `$file` named `name`.
async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    name: &str,
    bytes: &[u8],
    dry: bool,
) -> Value {
    let req = TestApp::multipart(Some(token), query, json!({ "dry": dry }), name, bytes);
    let (_, text) = app.send(req).await;
    serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }))
}

const TREE: &str = "code,name,unit_type,parent_code,org_form,host_code,team_category,founded_on,service_station,wechat_group,notes
T1,甲镇,TOWNSHIP,,党委,,,1990-01-01,,,
V1,甲村,村,T1,BRANCH,,,1990-01-01,甲村党群服务中心,,
V2,乙村,VILLAGE,T1,党总支,,,1990-01-01,,,
G1,甲村第一网格,农村网格,V1,PARTY_GROUP,,,2020/3/1,,甲村一格微信群,
B1,李家院落,COURTYARD,G1,挂靠,V1,,2021-01-01,,,
S1,环境卫生服务队,VOLUNTEER_TEAM,B1,,,环境卫生,2021-02-01,,,
G2,乙村第一网格,RURAL_GRID,V2,PARTY_GROUP,,,2020-03-01,,,
";

async fn units_count(app: &TestApp) -> i64 {
    app.ok("{ orgUnits { totalCount } }", json!({})).await["orgUnits"]["totalCount"]
        .as_i64()
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_units_file_goes_in_whole_once_and_only_once() {
    let Some(app) = TestApp::spawn() else { return };
    // A dry run counts and writes nothing.
    let dry = upload(&app, &app.token, UNITS, "tree.csv", TREE.as_bytes(), true).await;
    assert_eq!(
        dry["data"]["importUnits"],
        json!({ "rows": 7, "created": 7, "updated": 0, "unchanged": 0, "dryRun": true }),
        "{dry}"
    );
    assert_eq!(units_count(&app).await, 0);
    let done = upload(&app, &app.token, UNITS, "tree.csv", TREE.as_bytes(), false).await;
    assert_eq!(done["data"]["importUnits"]["created"], 7, "{done}");
    let site = app
        .ok("{ orgUnits(search: \"李家院落\") { nodes { orgForm hostUnit { name } ancestors { name } } } }", json!({}))
        .await;
    assert_eq!(site["orgUnits"]["nodes"][0]["hostUnit"]["name"], "甲村");
    assert_eq!(
        site["orgUnits"]["nodes"][0]["ancestors"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // The same file again changes nothing; an edited row updates (and
    // moves) its unit; children may precede their parents.
    let again = upload(&app, &app.token, UNITS, "tree.csv", TREE.as_bytes(), false).await;
    assert_eq!(again["data"]["importUnits"]["unchanged"], 7, "{again}");
    let edited = "code,name,unit_type,parent_code,org_form\nG3,甲村第二网格,RURAL_GRID,V1,BRANCH\nG2,乙村第一网格,RURAL_GRID,V1,BRANCH\n";
    let edit = upload(
        &app,
        &app.token,
        UNITS,
        "edit.csv",
        edited.as_bytes(),
        false,
    )
    .await;
    assert_eq!(
        edit["data"]["importUnits"],
        json!({ "rows": 2, "created": 1, "updated": 1, "unchanged": 0, "dryRun": false }),
        "{edit}"
    );
    assert_eq!(units_count(&app).await, 8);

    // A file with bad rows: every problem comes back, nothing is written.
    let bad = "编码,名称,类型,上级编码,组织形式\nX1,新网格,RURAL_GRID,V1,PARTY_GROUP\nX2,,RURAL_GRID,V1,PARTY_GROUP\nX3,坏类型,HAMLET,V1,PARTY_GROUP\nX4,无上级,RURAL_GRID,NOPE,PARTY_GROUP\nX5,错形式,RURAL_GRID,V1,COMMITTEE\nX1,重复,RURAL_GRID,V1,PARTY_GROUP\n";
    let resp = upload(&app, &app.token, UNITS, "bad.csv", bad.as_bytes(), false).await;
    let err = &resp["errors"][0];
    assert_eq!(err["extensions"]["code"], "BAD_USER_INPUT", "{resp}");
    assert_eq!(err["extensions"]["field"], "file");
    let problems: Vec<(i64, String)> = err["extensions"]["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["row"].as_i64().unwrap_or(0),
                p["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "name".to_owned()),
            (4, "unit_type".to_owned()),
            (5, "parent_code".to_owned()),
            (6, "org_form".to_owned()),
            (7, "code".to_owned()),
        ],
        "{resp}"
    );
    assert_eq!(err["extensions"]["problems"][2]["value"], "NOPE");
    assert_eq!(
        units_count(&app).await,
        8,
        "the good row X1 was rolled back too"
    );

    // Unknown and missing columns are reported against the header row.
    let resp = upload(
        &app,
        &app.token,
        UNITS,
        "cols.csv",
        "code,name,colour\nA,B,C\n".as_bytes(),
        false,
    )
    .await;
    let cols: Vec<&str> = resp["errors"][0]["extensions"]["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["row"] == 1)
        .filter_map(|p| p["column"].as_str())
        .collect();
    assert_eq!(cols, vec!["colour", "unit_type"], "{resp}");
    let resp = upload(&app, &app.token, UNITS, "tree.txt", TREE.as_bytes(), false).await;
    assert_eq!(resp["errors"][0]["extensions"]["field"], "file");
    // Oversized bodies are refused before they are read.
    let too_big = grassroots::MAX_REQUEST_BYTES + 1;
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::CONTENT_LENGTH, too_big.to_string())
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .body(Body::from("--x--\r\n"))
        .expect("request");
    let (status, _) = app.send(req).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn people_files_in_csv_gbk_and_xlsx_match_people_already_there() {
    let Some(app) = TestApp::spawn() else { return };
    upload(&app, &app.token, UNITS, "tree.csv", TREE.as_bytes(), false).await;
    let roster = "姓名,性别,出生日期,手机号码,学历,政治面貌,取得日期,乡村能人,所在单位编码,备注,职务,任职日期,一肩挑
李明,男,1985-06-12,13812345678,大专,正式党员,2010-07-01,否,G1,,网格长,2023-03-01,
王芳,女,1992-11-03,13987654321,本科,正式党员,2015-06-30,否,S1,,队长,2023-04-01,
曾志强,男,1978-02-20,13700001111,高中/中专,群众,,是,B1,种养大户,志愿者,2023-04-01,
陈书记,男,1980-01-01,,本科,正式党员,,,V1,,书记,2021-03-01,是
";
    // Excel on Chinese Windows saves CSV as GBK.
    let (gbk, _, _) = encoding_rs::GBK.encode(roster);
    let done = upload(&app, &app.token, PEOPLE, "roster.csv", &gbk, false).await;
    assert_eq!(
        done["data"]["importPeople"],
        json!({ "rows": 4, "created": 4, "updated": 0, "unchanged": 0, "dryRun": false }),
        "{done}"
    );
    let again = upload(
        &app,
        &app.token,
        PEOPLE,
        "roster.csv",
        roster.as_bytes(),
        false,
    )
    .await;
    assert_eq!(again["data"]["importPeople"]["unchanged"], 4, "{again}");
    let stats = app
        .ok("{ secretaryStats { count alsoVillageDirectorCount } peopleStats { capableNonParty activeVolunteers } persons { totalCount } }", json!({}))
        .await;
    assert_eq!(
        stats["secretaryStats"],
        json!({ "count": 1, "alsoVillageDirectorCount": 1 })
    );
    assert_eq!(
        stats["peopleStats"],
        json!({ "capableNonParty": 1, "activeVolunteers": 1 })
    );
    assert_eq!(stats["persons"]["totalCount"], 4);

    // The same roster as a workbook: a changed phone updates, a new row creates.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        [
            "name",
            "gender",
            "birth_date",
            "phone",
            "political_status",
            "unit_code",
        ],
        [
            "李明",
            "MALE",
            "1985-06-12",
            "13800000000",
            "FULL_MEMBER",
            "G1",
        ],
        ["赵新", "FEMALE", "1999-09-09", "", "ACTIVIST", "G2"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    sheet
        .write_number(2, 3, 13911112222.0)
        .expect("phone typed as a number");
    let bytes = book.save_to_buffer().expect("xlsx");
    let done = upload(&app, &app.token, PEOPLE, "roster.xlsx", &bytes, false).await;
    assert_eq!(
        done["data"]["importPeople"],
        json!({ "rows": 2, "created": 1, "updated": 1, "unchanged": 0, "dryRun": false }),
        "{done}"
    );
    let zhao = app
        .ok(
            "{ persons(search: \"赵新\") { nodes { phone politicalStatus } } }",
            json!({}),
        )
        .await;
    assert_eq!(zhao["persons"]["nodes"][0]["phone"], "13911112222");

    // A village manager imports into their village only: a row elsewhere
    // rejects the whole file.
    let v1 = app
        .ok(
            "{ orgUnits(search: \"甲村\", level: VILLAGE) { nodes { id } } }",
            json!({}),
        )
        .await["orgUnits"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let manager = app.account("v1-manager", Role::Manager, Some(&v1));
    let mixed =
        "name,gender,political_status,unit_code\n甲,MALE,NON_PARTY,G1\n乙,MALE,NON_PARTY,G2\n";
    let resp = upload(&app, &manager, PEOPLE, "mixed.csv", mixed.as_bytes(), false).await;
    let problems = &resp["errors"][0]["extensions"]["problems"];
    assert_eq!(problems.as_array().map(Vec::len), Some(1), "{resp}");
    assert_eq!(problems[0]["row"], 3);
    let own = "name,gender,political_status,unit_code\n甲,MALE,NON_PARTY,G1\n";
    let resp = upload(&app, &manager, PEOPLE, "own.csv", own.as_bytes(), false).await;
    assert_eq!(resp["data"]["importPeople"]["created"], 1, "{resp}");
    let count = app.ok("{ persons { totalCount } }", json!({})).await;
    assert_eq!(count["persons"]["totalCount"], 6);
    // The export: in the import's columns, so it imports back unchanged;
    // a VIEWER gets phone numbers and birth dates masked.
    let (status, csv) = app
        .send(
            Request::get("/reports/people.csv")
                .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.contains(
            "李明,男,1985-06-12,13800000000,大专,正式党员,2010-07-01,否,G1,,网格长,2023-03-01,,"
        ),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        7,
        "a header and one row per person or post: {csv}"
    );
    let back = upload(
        &app,
        &app.token,
        PEOPLE,
        "export.csv",
        csv.as_bytes(),
        false,
    )
    .await;
    assert_eq!(back["data"]["importPeople"]["unchanged"], 6, "{back}");
    let viewer = app.account("viewer", Role::Viewer, None);
    let (_, masked) = app
        .send(
            Request::get("/reports/people.csv")
                .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(masked.contains("李明,男,1985,138****0000,"), "{masked}");
    assert!(!masked.contains("13800000000"));
    let (status, _) = app.get("/reports/people.csv").await;
    assert_eq!(status, 401);

    // Signed out: refused before anything is read.
    let resp = upload(
        &app,
        "not-a-token",
        PEOPLE,
        "own.csv",
        own.as_bytes(),
        false,
    )
    .await;
    assert_eq!(
        resp["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{resp}"
    );
}
