//! The binary as a newcomer runs it: `serve --demo` on a fresh SQLite file
//! prints what it loaded and where it listens, answers, and stops cleanly
//! on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use crate::common::process::{listening, start, Started};

#[test]
fn serve_demo_answers_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!(
        "grassroots-serve-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_grassroots"));
    server
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    let Started {
        mut process,
        found: addr,
        before,
        output: lines,
    } = start(server, listening);
    let all = before.join("\n");
    assert!(all.contains("sqlite://grassroots.db"), "{all}");
    assert!(
        all.contains("RELOCATION_SITE") && all.contains("AFFILIATED 68"),
        "{all}"
    );
    assert!(dir.join("grassroots.db").exists());
    for account in ["demo-county", "demo-township", "demo-village", "demo-grid"] {
        assert!(all.contains(account), "{account} missing from {all}");
    }

    let mut stream = TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &process.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = process.0.wait().expect("wait");
    assert!(exit.success(), "exit status {exit}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "grassroots stopped"), "{rest:?}");

    // The first ADMIN of a real deployment, from the command line.
    let mut create = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args([
            "account",
            "create",
            "--username",
            "first-admin",
            "--role",
            "ADMIN",
            "--scope",
            "region",
        ])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("account create");
    create
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a strong first password\n")
        .expect("password");
    let out = create.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let list = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args(["account", "list"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("account list");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("first-admin") && listed.contains("ADMIN@region"),
        "{listed}"
    );

    // The coverage report of the demo county, from the command line: the
    // article's relocation-site line comes out of it as it is.
    let report = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args([
            "report",
            "coverage",
            "--format",
            "csv",
            "--out",
            "coverage.csv",
        ])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("report coverage");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("coverage.csv")).expect("report written");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("易地扶贫搬迁安置点,116,112,4,96.6%,")),
        "{csv}"
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args([
            "report",
            "coverage",
            "--under",
            "NO-SUCH-CODE",
            "--out",
            "x.xlsx",
        ])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("report coverage");
    assert!(!unknown.status.success());
    assert!(!dir.join("x.xlsx").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
