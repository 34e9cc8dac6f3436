//! Tests that run the real binary (or a browser's driver) as a process.

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

/// What a started process prints after the line that was waited for.
pub type Output = Lines<BufReader<ChildStdout>>;

/// A child process killed when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A started process, the value `found` took from its output, the lines
/// printed before that one, and the rest of its output.
pub struct Started {
    pub process: Running,
    pub found: String,
    pub before: Vec<String>,
    pub output: Output,
}

/// Starts `cmd` with its stdout piped (stderr dropped) and reads it until
/// `found` accepts a line.
pub fn start(mut cmd: Command, found: impl Fn(&str) -> Option<String>) -> Started {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start process");
    let mut output = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let process = Running(child);
    let mut before = Vec::new();
    loop {
        let line = output.next().expect("output before ready").expect("line");
        if let Some(found) = found(&line) {
            return Started {
                process,
                found,
                before,
                output,
            };
        }
        before.push(line);
    }
}

/// Reads the rest of `output` on a thread of its own, so that the process
/// never blocks on a full pipe.
pub fn drain(output: Output) {
    std::thread::spawn(move || output.for_each(drop));
}

/// The `host:port` in the line `grassroots serve` prints when it listens:
/// `grassroots listening on http://ADDR/…`.
pub fn listening(line: &str) -> Option<String> {
    let rest = line.strip_prefix("grassroots listening on http://")?;
    Some(rest.split('/').next()?.to_owned())
}
