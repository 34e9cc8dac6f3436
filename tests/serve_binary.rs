//! The binary as a newcomer runs it: `serve --demo` on a fresh SQLite file
//! prints what it loaded and where it listens, answers, and stops cleanly
//! on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn serve_demo_answers_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!(
        "grassroots-serve-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_grassroots"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start grassroots");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("output before listening")
            .expect("line");
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("grassroots listening on http://") {
            break rest.split('/').next().unwrap_or_default().to_owned();
        }
    };
    let all = printed.join("\n");
    assert!(all.contains("sqlite://grassroots.db"), "{all}");
    assert!(
        all.contains("RELOCATION_SITE") && all.contains("AFFILIATED 68"),
        "{all}"
    );
    assert!(dir.join("grassroots.db").exists());

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
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "exit status {exit}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "grassroots stopped"), "{rest:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
