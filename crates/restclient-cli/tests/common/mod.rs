//! Running the built `restclient` binary with a deadline.
//!
//! These tests live in the CLI's own package because Cargo gives only that package the path of
//! the binary (`CARGO_BIN_EXE_restclient`), built before the tests run.

#![allow(dead_code, unreachable_pub)]

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// No CLI test may take longer than this.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    /// The stdout lines (NDJSON records).
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Each stdout line parsed as JSON.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
            .collect()
    }

    /// Asserts success and returns self.
    #[track_caller]
    pub fn success(self) -> Run {
        assert!(
            self.status.success(),
            "restclient failed ({}):\nstderr: {}\nstdout: {}",
            self.code(),
            self.stderr,
            self.stdout
        );
        self
    }

    /// Asserts failure with exactly one line on stderr and returns that line.
    #[track_caller]
    pub fn failure_line(&self) -> String {
        assert!(
            !self.status.success(),
            "expected a failure, got success; stdout: {}",
            self.stdout
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected exactly one stderr line, got {lines:?}");
        assert!(lines[0].starts_with("error: "), "{lines:?}");
        lines[0].to_owned()
    }
}

/// A command for the built binary, with logging variables cleared.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_restclient"));
    command
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("RUNTIME__LOG_LEVEL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `restclient args...` to completion (killed after [`DEADLINE`]).
pub fn restclient(args: &[&str]) -> Run {
    run(command(args))
}

/// Runs a prepared command to completion (killed after [`DEADLINE`]).
pub fn run(mut command: Command) -> Run {
    let mut child = command.spawn().expect("spawn restclient");
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let status = wait(&mut child);
    Run {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Runs a prepared command with `input` on its standard input (killed after [`DEADLINE`]).
pub fn run_with_stdin(mut command: Command, input: &str) -> Run {
    command.stdin(Stdio::piped());
    let mut child = command.spawn().expect("spawn restclient");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let status = wait(&mut child);
    Run {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Waits for the child, killing it (and failing the test) after [`DEADLINE`].
pub fn wait(child: &mut Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for restclient") {
            return status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("restclient did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
