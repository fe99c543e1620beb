//! Measures one client process (`xtask bench-exec`): wall time and peak resident set size.
//!
//! The bench starts every client through this small wrapper, a fresh process whose only child is the
//! client. `getrusage(RUSAGE_CHILDREN)` after the wait then reports exactly that client's peak RSS
//! (`ru_maxrss`, the kernel's high-water mark), whatever the language of the client, and without
//! polling `/proc` before the process goes away. The result is one JSON line on stdout.

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, kill};
use nix::sys::time::TimeVal;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

/// What the wrapper reports about one client run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Measured {
    /// Exit code, `None` if killed by a signal (or by the timeout).
    pub(crate) exit: Option<i32>,
    /// Whether the timeout killed it.
    pub(crate) timed_out: bool,
    /// From spawn to exit.
    pub(crate) wall_s: f64,
    /// Peak resident set size in KiB.
    pub(crate) maxrss_kib: i64,
    /// CPU time (user + system) in seconds.
    pub(crate) cpu_s: f64,
    /// The client's standard output (its own counters, for clients that report them).
    pub(crate) stdout: String,
    /// The end of its standard error.
    pub(crate) stderr: String,
}

impl Measured {
    /// `Ok` when the run exited 0 in time; else why not (the timeout, or the exit code with the
    /// last line of standard error).
    pub(crate) fn succeeded(&self) -> Result<(), String> {
        if self.timed_out {
            return Err(format!("timed out after {:.0} s", self.wall_s));
        }
        if self.exit != Some(0) {
            let last = self.stderr.lines().rev().find(|l| !l.trim().is_empty());
            return Err(format!("exit {:?}: {}", self.exit, last.unwrap_or("(no stderr)")));
        }
        Ok(())
    }
}

fn seconds(t: TimeVal) -> f64 {
    t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6
}

/// Runs `argv` to completion (or until `timeout`), then prints [`Measured`] as JSON.
pub(crate) fn run(argv: &[String], timeout: Duration) -> Result<(), Box<dyn std::error::Error>> {
    let (program, args) = argv.split_first().ok_or("bench-exec: no command given")?;
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let pid = Pid::from_raw(i32::try_from(child.id())?);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = tx.send((output, started.elapsed()));
    });
    let (timed_out, (output, elapsed)) = match rx.recv_timeout(timeout) {
        Ok(done) => (false, done),
        Err(_) => {
            let _ = kill(pid, Signal::SIGKILL);
            (true, rx.recv()?)
        }
    };
    let output = output?;
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr_tail: String = {
        let chars: Vec<char> = stderr.chars().collect();
        chars[chars.len().saturating_sub(2000)..].iter().collect()
    };
    let measured = Measured {
        exit: output.status.code(),
        timed_out,
        wall_s: elapsed.as_secs_f64(),
        maxrss_kib: usage.max_rss(),
        cpu_s: seconds(usage.user_time()) + seconds(usage.system_time()),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: stderr_tail,
    };
    println!("{}", serde_json::to_string(&measured)?);
    Ok(())
}
