//! The Python package's checks: a venv, the extension built into it, pytest; and the Python bench.
//!
//! [`test()`] is what `.ci/run` and `cargo xtask ci` call. It
//! 1. makes (or reuses) `<target>/python-venv` with `python3.11 -m venv` and pip-installs the
//!    pinned tools ([`REQUIREMENTS`]: maturin, dlt 1.31.0, duckdb, pytest). A stamp file holding
//!    the requirement list makes the second run skip pip;
//! 2. builds `crates/restclient-py` with `maturin develop` in the **dev profile**, into the
//!    workspace's own target directory, so it reuses every dependency `cargo build` already
//!    compiled (only pyo3 and the crate itself build again, with the `extension-module`
//!    feature), and installs it into the venv;
//! 3. runs `pytest crates/restclient-py/tests` with the venv's python.
//!
//! Each step prints its duration. [`ci`] is [`test()`] with the workspace's own paths.
//!
//! [`bench()`] (for `cargo xtask bench --python`) runs `crates/restclient-py/bench/bench.py` in the
//! same venv after a release build of the extension, against an xtask binary's `bench-server`,
//! and returns the markdown table (also written to `<target>/python-bench.md`).
//!
//! Like the dlt column of the CLI bench (`bench::dlt`), it needs `python3.11` and a reachable
//! package registry; unlike it, a failure here is an error, not a skipped column.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// What the venv holds, pinned where the tests depend on the version.
pub(crate) const REQUIREMENTS: &[&str] = &["maturin>=1.7,<2", "dlt==1.31.0", "duckdb", "pytest"];

/// The workspace root (xtask lives in `<root>/xtask`).
pub(crate) fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// The target directory cargo uses: `CARGO_TARGET_DIR`, else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root.join(dir) })
        .unwrap_or_else(|| root.join("target"))
}

/// What `cargo xtask ci` and `.ci/run` call after `cargo test --workspace`: [`test()`] with the
/// workspace's root and target directory and no extra pytest arguments.
pub(crate) fn ci() -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    test(&root, &target, &[])
}

/// The venv's python.
fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("python: {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    eprintln!("python: {what}: {:.1}s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Makes `<target>/python-venv` with [`REQUIREMENTS`] installed, or reuses it when its stamp
/// says it already has them. Returns the venv directory.
pub(crate) fn prepare(target: &Path) -> Result<PathBuf, String> {
    let venv = target.join("python-venv");
    let stamp = venv.join("restclient-requirements.txt");
    let wanted = REQUIREMENTS.join("\n");
    let python = venv_python(&venv);
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(venv);
    }
    run(
        "create the venv",
        Command::new("python3.11").arg("-m").arg("venv").arg(&venv),
    )?;
    run(
        "pip install the test tools",
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(REQUIREMENTS),
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(venv)
}

/// `maturin develop` of `crates/restclient-py` into `venv`, in `profile` (`dev` or `release`),
/// sharing the workspace's target directory.
pub(crate) fn build(root: &Path, target: &Path, venv: &Path, release: bool) -> Result<(), String> {
    let bin = venv.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.clone()];
    paths.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(paths).map_err(|e| format!("PATH: {e}"))?;
    let mut cmd = Command::new(bin.join("maturin"));
    cmd.arg("develop")
        .arg("--manifest-path")
        .arg(root.join("crates/restclient-py/Cargo.toml"));
    if release {
        cmd.arg("--release");
    }
    cmd.env("VIRTUAL_ENV", venv)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", target);
    run(
        if release {
            "build the extension (release)"
        } else {
            "build the extension (dev)"
        },
        &mut cmd,
    )
}

/// The Python package's tests: venv, build, pytest (`pytest_args` are passed on, e.g. `-k offset`).
pub(crate) fn test(root: &Path, target: &Path, pytest_args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let venv = prepare(target)?;
    build(root, target, &venv, false)?;
    run(
        "pytest crates/restclient-py/tests",
        Command::new(venv_python(&venv))
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .arg(root.join("crates/restclient-py/tests"))
            .args(pytest_args)
            .current_dir(root),
    )?;
    eprintln!(
        "python: all Python checks passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The Python bench (issue 15 §3): records/s of dlt's `RESTClient` and ours in the same Python,
/// same local server, page sizes 10/100/1000, and a 20 ms-latency server with `concurrency=16`.
/// `server` is an xtask binary that serves the pages (`xtask bench-server`; a release build keeps
/// it far ahead of both clients). Writes the markdown table to `<target>/python-bench.md` and
/// returns it.
/// `cargo xtask bench --python`: builds xtask in release (its `bench-server` is the API), runs
/// [`bench()`] and prints the report.
pub(crate) fn bench_command() -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(
        "cargo build --release -p xtask",
        Command::new(cargo)
            .args(["build", "--release", "-p", "xtask"])
            .current_dir(&root),
    )?;
    let report = bench(&root, &target, &target.join("release").join("xtask"))?;
    println!("{report}");
    Ok(())
}

pub(crate) fn bench(root: &Path, target: &Path, server: &Path) -> Result<String, String> {
    let venv = prepare(target)?;
    build(root, target, &venv, true)?;
    let report = target.join("python-bench.md");
    run(
        "python bench",
        Command::new(venv_python(&venv))
            .arg(root.join("crates/restclient-py/bench/bench.py"))
            .arg("--server")
            .arg(server)
            .arg("--out")
            .arg(&report)
            .current_dir(root),
    )?;
    std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))
}
