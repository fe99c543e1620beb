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
pub fn run(command: Command) -> Run {
    run_with_stdin(command, None)
}

/// Runs a prepared command with `input`, when given, on its standard input (killed after
/// [`DEADLINE`]).
pub fn run_with_stdin(mut command: Command, input: Option<&str>) -> Run {
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command.spawn().expect("spawn restclient");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
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

/// Pagination styles of [`styled_api`], each with the `--paginator` that reads it.
pub const STYLES: &[(&str, &str)] = &[
    ("offset", r#"{"type":"offset","limit":10,"total_path":"total"}"#),
    (
        "offset_no_total",
        r#"{"type":"offset","limit":10,"total_path":null,"stop_after_empty_page":true}"#,
    ),
    (
        "page_number",
        r#"{"type":"page_number","base_page":1,"total_path":"pages"}"#,
    ),
    (
        "cursor",
        r#"{"type":"cursor","cursor_path":"next","cursor_param":"page_token"}"#,
    ),
    ("json_link", r#"{"type":"json_link","next_url_path":"next"}"#),
    ("header_link", "header_link"),
];

/// An API over `total` records `{"id": i}` in pages of 10, paginated in `style` (see [`STYLES`]).
pub fn styled_api(
    style: &'static str,
    total: usize,
) -> impl Fn(&restclient_testkit::RecordedRequest) -> restclient_testkit::Reply + Send + Sync + 'static {
    use restclient_testkit::Reply;
    use serde_json::json;
    const SIZE: usize = 10;
    move |r| {
        let number = |name: &str, default: usize| {
            r.query_param(name)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(default)
        };
        let start = match style {
            "offset" | "offset_no_total" => number("offset", 0),
            "page_number" => (number("page", 1).max(1) - 1) * SIZE,
            _ => r
                .query_param("page_token")
                .or_else(|| r.query_param("from"))
                .and_then(|v| v.strip_prefix('c').and_then(|n| n.parse().ok()))
                .unwrap_or(0),
        };
        let end = (start + SIZE).min(total);
        let data: Vec<serde_json::Value> = (start.min(end)..end).map(|i| json!({"id": i})).collect();
        let more = end < total;
        let path = r.path().to_owned();
        match style {
            "offset" => Reply::json(&json!({"data": data, "total": total})),
            "offset_no_total" => Reply::json(&json!({"data": data})),
            "page_number" => Reply::json(&json!({"data": data, "pages": total.div_ceil(SIZE)})),
            "cursor" => Reply::json(
                &json!({"data": data, "next": if more { json!(format!("c{end}")) } else { json!(null) }}),
            ),
            "json_link" => {
                let host = r.header("host").unwrap_or("127.0.0.1").to_owned();
                let next = more.then(|| format!("http://{host}{path}?from=c{end}"));
                Reply::json(&json!({"data": data, "next": next}))
            }
            _ => {
                let reply = Reply::json(&json!({"data": data}));
                if more {
                    reply.header("link", &format!("<{path}?from=c{end}>; rel=\"next\""))
                } else {
                    reply
                }
            }
        }
    }
}

/// The `id`s of NDJSON records, in order.
pub fn ids(ndjson: &str) -> Vec<u64> {
    ndjson
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}"));
            v["id"].as_u64().unwrap_or_else(|| panic!("no id: {l}"))
        })
        .collect()
}
