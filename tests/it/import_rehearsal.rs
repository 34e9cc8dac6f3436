//! An import is rehearsed on a read snapshot before it is applied. The
//! rehearsal must refuse and count exactly as the real import does (a
//! property test over random files and callers, compared with the apply
//! pass in a rolled-back transaction), and a dry run or a file with a bad
//! row must never wait for a writer (shown with a writer holding the tree
//! lock while they run).

use std::sync::{mpsc, Arc};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use grassroots::audit::Actor;
use grassroots::auth::policy::{Grant, Role, Scope, UnitRef};
use grassroots::auth::{Session, Viewer, Visibility};
use grassroots::db::Db;
use grassroots::import::{apply, import, read, Format, ImportKind, ImportReport};
use grassroots::tree::read as tree_read;
use grassroots::{AppError, AppResult};

const BASE_UNITS: &str = "code,name,unit_type,parent_code,org_form,host_code,team_category
T1,甲镇,TOWNSHIP,,党委,,
T2,乙镇,TOWNSHIP,,党委,,
V1,甲村,VILLAGE,T1,BRANCH,,
V2,乙村,VILLAGE,T2,BRANCH,,
V3,丙村,VILLAGE,T1,,,
G1,甲村一格,RURAL_GRID,V1,PARTY_GROUP,,
G2,乙村一格,RURAL_GRID,V2,PARTY_GROUP,,
B1,李家院落,COURTYARD,G1,AFFILIATED,V1,
B2,王家院落,COURTYARD,G1,PARTY_GROUP,,
S1,环境卫生服务队,VOLUNTEER_TEAM,B2,,,环境卫生
";

const BASE_PEOPLE: &str = "name,gender,birth_date,political_status,unit_code,role
张三,男,1980-01-01,正式党员,G1,网格长
李四,女,1975-03-03,正式党员,V1,书记
王五,男,1990-05-05,群众,S1,志愿者
";

fn sheet(csv: &str) -> grassroots::import::Sheet {
    read(csv.as_bytes(), Format::Csv, &Default::default()).expect("a readable CSV")
}

/// What an import answered, comparable across the two passes.
fn outcome(result: AppResult<ImportReport>) -> String {
    match result {
        Ok(r) => format!(
            "ok {} rows: {} created, {} updated, {} unchanged",
            r.rows, r.created, r.updated, r.unchanged
        ),
        Err(AppError::Rejected { message, problems }) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("{} {} {:?}: {}", p.row, p.column, p.value, p.message))
                .collect();
            format!("rejected: {message}\n{}", lines.join("\n"))
        }
        Err(e) => format!("error {}: {}", e.code(), e.public_message()),
    }
}

/// The apply pass alone, in a transaction that is then rolled back.
fn applied(db: &Db, actor: &Actor<'_>, kind: ImportKind, csv: &str) -> String {
    let sheet = sheet(csv);
    let mut answer = None;
    let _ = db.write_blocking(|c| {
        answer = Some(outcome(apply(c, actor, kind, &sheet)));
        Err::<(), _>(AppError::internal("rolled back on purpose"))
    });
    answer.unwrap_or_default()
}

fn unit_ref(db: &Db, code: &str) -> UnitRef {
    let unit = db
        .read_blocking(|c| tree_read::find_by_code(c, &Visibility::Everything, code))
        .expect("read")
        .expect("a base unit");
    UnitRef::from(&unit)
}

/// The callers the property test imports as.
fn viewer(db: &Db, account_id: i64, which: u8) -> Viewer {
    let grant = |id, role, code: Option<&str>| Grant {
        id,
        role,
        scope: code.map_or(Scope::Region, |c| Scope::Unit(unit_ref(db, c))),
    };
    let grants = match which % 6 {
        0 => return Viewer::System,
        1 => vec![grant(1, Role::Admin, None)],
        2 => vec![grant(1, Role::Manager, Some("T1"))],
        3 => vec![grant(1, Role::Manager, Some("V1"))],
        4 => vec![grant(1, Role::Viewer, Some("T1"))],
        _ => vec![
            grant(1, Role::Manager, Some("G1")),
            grant(2, Role::Manager, Some("T2")),
            grant(3, Role::Manager, Some("G1")),
        ],
    };
    Viewer::Account(Arc::new(Session {
        account_id,
        username: "subject".to_owned(),
        grants,
        tokens_valid_after_ms: 0,
    }))
}

fn pick<'a>(options: &[&'a str], i: u8) -> &'a str {
    options[usize::from(i) % options.len()]
}

const CODES: &[&str] = &[
    "T1", "T2", "V1", "V2", "V3", "G1", "G2", "B1", "B2", "S1", "N1", "N2", "N3", "N4", "N5",
];

/// A units row from seven choices; most of them valid, so that whole
/// files pass too.
fn unit_row(c: [u8; 7]) -> String {
    let code = pick(CODES, c[0]);
    let level = match code.as_bytes()[0] {
        b'T' => 0,
        b'V' => 1,
        b'G' => 2,
        b'B' => 3,
        b'S' => 4,
        _ => 1 + usize::from(c[1] / 16) % 4,
    };
    let natural = [
        "TOWNSHIP",
        "VILLAGE",
        "RURAL_GRID",
        "COURTYARD",
        "VOLUNTEER_TEAM",
    ][level];
    let unit_type = pick(
        &[
            natural, natural, natural, natural, natural, natural, "TOWNSHIP", "社区", "BOGUS",
        ],
        c[1],
    );
    let natural_parents: &[&str] = match level {
        0 => &[""],
        1 => &["T1", "T2"],
        2 => &["V1", "V2", "V3", "N1"],
        3 => &["G1", "G2", "N2"],
        _ => &["B1", "B2", "N3"],
    };
    let parent = if c[2] % 2 == 0 {
        pick(natural_parents, c[2] / 2)
    } else {
        pick(
            &[
                "", "T1", "T2", "V1", "V2", "V3", "G1", "G2", "B1", "B2", "N1", "N2", "ZZ",
            ],
            c[2] / 2,
        )
    };
    let form = pick(&["", "", "", "PARTY_GROUP", "挂靠", "BRANCH", "党委"], c[3]);
    let host = if form == "挂靠" {
        pick(&["V1", "V2", "G1", "T1", "N1", "", "ZZ"], c[4])
    } else {
        ""
    };
    let category = match (level, c[5] % 8) {
        (4, 0) => "",
        (4, _) => "环境卫生",
        (_, 0) => "OTHER",
        _ => "",
    };
    let name = pick(
        &["", "名一", "名二", "名三", "名四", "名五", "名六", "名七"],
        c[6],
    );
    let founded = pick(
        &["", "", "2020-01-01", "2019-05-05", "2999-01-01", ""],
        c[5] / 8,
    );
    format!("{code},{name},{unit_type},{parent},{form},{host},{category},{founded}\n")
}

/// A people row from eight choices; most of them valid.
fn person_row(c: [u8; 8]) -> String {
    let name = pick(
        &["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", ""],
        c[0],
    );
    let gender = pick(&["男", "女", "男", "女", "男", "女", "男", "X"], c[1]);
    let birth = match name {
        "张三" => pick(&["1980-01-01", "1980-01-01", "", "2999-01-01"], c[2]),
        "李四" => pick(&["1975-03-03", "1975-03-03", "1976-01-01"], c[2]),
        _ => pick(&["", "1990-05-05", "2001-02-03"], c[2]),
    };
    let status = pick(
        &[
            "群众",
            "正式党员",
            "正式党员",
            "群众",
            "预备党员",
            "入党积极分子",
            "群众",
            "BAD",
        ],
        c[3],
    );
    let unit = pick(&["G1", "V1", "B2", "S1", "V2", "G2", "G1", "ZZ"], c[4]);
    let role = pick(
        &[
            "",
            "",
            "",
            "网格长",
            "书记",
            "志愿者",
            "队长",
            "GRID_WORKER",
        ],
        c[5],
    );
    let director = pick(&["", "", "", "是"], c[6]);
    let post_unit = pick(&["", "", "", "", "V1", "G2", "V3", "S1"], c[7]);
    format!("{name},{gender},{birth},{status},{unit},{role},{director},{post_unit}\n")
}

#[derive(Debug, Clone)]
struct File {
    people: bool,
    viewer: u8,
    units: Vec<[u8; 7]>,
    persons: Vec<[u8; 8]>,
}

impl File {
    fn csv(&self) -> String {
        if self.people {
            let mut csv = String::from(
                "name,gender,birth_date,political_status,unit_code,role,also_village_director,post_unit_code\n",
            );
            self.persons
                .iter()
                .for_each(|c| csv.push_str(&person_row(*c)));
            csv
        } else {
            let mut csv = String::from(
                "code,name,unit_type,parent_code,org_form,host_code,team_category,founded_on\n",
            );
            self.units.iter().for_each(|c| csv.push_str(&unit_row(*c)));
            csv
        }
    }
}

fn file() -> impl Strategy<Value = File> {
    (
        any::<bool>(),
        any::<u8>(),
        proptest::collection::vec(any::<[u8; 7]>(), 1..6),
        proptest::collection::vec(any::<[u8; 8]>(), 1..6),
    )
        .prop_map(|(people, viewer, units, persons)| File {
            people,
            viewer,
            units,
            persons,
        })
}

fn run(files: Vec<File>) -> Result<(), TestCaseError> {
    let Some(app) = TestApp::spawn() else {
        return Ok(());
    };
    let db = app.state.db.clone();
    let system = Actor::new(&Viewer::System, chrono::Utc::now(), None);
    for (kind, csv) in [
        (ImportKind::Units, BASE_UNITS),
        (ImportKind::People, BASE_PEOPLE),
    ] {
        import(&db, &system, kind, &sheet(csv), false).expect("the base imports");
    }
    let root: i64 = db
        .read_blocking(|c| {
            use grassroots::db::schema::accounts::dsl as a;
            Ok(a::accounts
                .filter(a::username.eq("root"))
                .select(a::id)
                .first(c)?)
        })
        .expect("the root account");
    for f in files {
        let viewer = viewer(&db, root, f.viewer);
        let actor = Actor::new(&viewer, chrono::Utc::now(), None);
        let kind = if f.people {
            ImportKind::People
        } else {
            ImportKind::Units
        };
        let csv = f.csv();
        let rehearsed =
            outcome(
                import(&db, &actor, kind, &sheet(&csv), true).map(|r| ImportReport {
                    dry_run: false,
                    ..r
                }),
            );
        let real = applied(&db, &actor, kind, &csv);
        prop_assert_eq!(&rehearsed, &real, "file:\n{}", csv);
        // Accepted files stay, so that later files meet what they did.
        if rehearsed.starts_with("ok") {
            let done = outcome(import(&db, &actor, kind, &sheet(&csv), false));
            prop_assert_eq!(&done, &real, "file:\n{}", csv);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    match crate::common::backend() {
        Some(crate::common::Backend::Postgres(_)) => 24,
        _ => 96,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_rehearsal_refuses_and_counts_as_the_import_does(files in proptest::collection::vec(file(), 1..5)) {
        run(files)?;
    }
}

const PEOPLE_DRY: &str = "mutation($file: Upload!, $dry: Boolean) { importPeople(file: $file, dryRun: $dry) { rows created dryRun } }";
const UNITS_DRY: &str = "mutation($file: Upload!, $dry: Boolean) { importUnits(file: $file, dryRun: $dry) { rows created dryRun } }";

async fn upload(app: &TestApp, query: &str, csv: &str, dry: bool) -> Value {
    let req = TestApp::multipart(
        Some(&app.token),
        query,
        json!({ "dry": dry }),
        "file.csv",
        csv.as_bytes(),
    );
    // A request that waited for the writer would never end: the writer is
    // released only after it answers. The bound turns that into a failure.
    let (_, text) = tokio::time::timeout(Duration::from_secs(60), app.send(req))
        .await
        .expect("the import waited for the writer that holds the tree lock");
    serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }))
}

/// A write transaction on a thread of its own that has written (so on
/// SQLite it holds the database's one writer) and holds its locks until
/// the returned sender says so.
fn hold_the_writer(
    app: &TestApp,
) -> (
    mpsc::Sender<()>,
    std::thread::JoinHandle<grassroots::AppResult<()>>,
) {
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let db = app.state.db.clone();
    let writer = std::thread::spawn(move || {
        db.write_blocking(|c| {
            c.batch_execute("UPDATE org_units SET notes = 'held' WHERE code = 'T1'")?;
            let _ = held_tx.send(());
            let _ = release_rx.recv();
            Ok(())
        })
    });
    held_rx.recv().expect("the writer holds the lock");
    (release_tx, writer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_and_a_bad_file_never_wait_for_a_writer() {
    let Some(app) = TestApp::spawn_on_disk() else {
        return;
    };
    let base = upload(&app, UNITS_DRY, BASE_UNITS, false).await;
    assert_eq!(base["data"]["importUnits"]["created"], 10, "{base}");

    // A writer takes the tree lock (on SQLite, also the database's one
    // writer, by writing) and holds it until told.
    let (release_tx, writer) = hold_the_writer(&app);

    // While it holds: a dry run of people, a dry run of units, and a real
    // import with a bad row all answer.
    let people = "name,gender,unit_code,political_status,role\n赵六,男,G1,群众,志愿者\n钱七,女,V3,正式党员,\n";
    let dry = upload(&app, PEOPLE_DRY, people, true).await;
    assert_eq!(
        dry["data"]["importPeople"],
        json!({ "rows": 2, "created": 2, "dryRun": true }),
        "{dry}"
    );
    let units =
        "code,name,unit_type,parent_code\nN1,新网格,RURAL_GRID,V3\nN2,新院落,COURTYARD,N1\n";
    let dry = upload(&app, UNITS_DRY, units, true).await;
    assert_eq!(
        dry["data"]["importUnits"],
        json!({ "rows": 2, "created": 2, "dryRun": true }),
        "{dry}"
    );
    let bad = "code,name,unit_type,parent_code\nN1,新网格,RURAL_GRID,V3\nN2,新院落,BOGUS,N1\n";
    let refused = upload(&app, UNITS_DRY, bad, false).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["extensions"]["problems"][0]["row"], 3,
        "{refused}"
    );

    release_tx.send(()).expect("release the writer");
    writer
        .join()
        .expect("the writer thread")
        .expect("the writer committed");
    // Nothing of the dry runs or the refused file was written; a real
    // import now goes in.
    let done = upload(&app, UNITS_DRY, units, false).await;
    assert_eq!(
        done["data"]["importUnits"],
        json!({ "rows": 2, "created": 2, "dryRun": false }),
        "{done}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_beyond_the_limit_are_refused_at_once() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let Some(app) = TestApp::spawn_on_disk() else {
        return;
    };
    let base = upload(&app, UNITS_DRY, BASE_UNITS, false).await;
    assert_eq!(base["data"]["importUnits"]["created"], 10, "{base}");
    let limit = app.state.limits.imports_at_once;
    assert_eq!(app.state.import_slots.free(), limit);

    // A writer holds the lock, so that valid imports wait in their apply
    // pass, each holding its slot.
    let (release_tx, writer) = hold_the_writer(&app);
    let mut waiting = Vec::new();
    for i in 0..limit {
        let csv = format!("code,name,unit_type,parent_code\nW{i},等候网格{i},RURAL_GRID,V3\n");
        let req = TestApp::multipart(
            Some(&app.token),
            UNITS_DRY,
            json!({ "dry": false }),
            "file.csv",
            csv.as_bytes(),
        );
        let router = app.router.clone();
        waiting.push(tokio::spawn(async move {
            let resp = router.oneshot(req).await.expect("router");
            let bytes = resp.into_body().collect().await.expect("body").to_bytes();
            String::from_utf8_lossy(&bytes).into_owned()
        }));
    }
    while app.state.import_slots.free() > 0 {
        tokio::task::yield_now().await;
    }
    // One more, even a dry run, is refused at once.
    let refused = upload(&app, UNITS_DRY, BASE_UNITS, true).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{refused}"
    );
    release_tx.send(()).expect("release the writer");
    writer.join().expect("writer thread").expect("writer");
    for w in waiting {
        let text = w.await.expect("an import task");
        assert!(text.contains("\"created\":1"), "{text}");
    }
    assert_eq!(app.state.import_slots.free(), limit);
}
