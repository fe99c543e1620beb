//! The dlt column: a Python venv with `dlt==1.31.0`, made and reused by the bench itself, and a
//! small script that drives dlt's `RESTClient.paginate` with the same paginator dict the CLI gets.
//!
//! If the venv cannot be made (no python3.11, no registry), the bench says why and skips only this
//! column.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The dlt version the bench compares against.
pub(crate) const DLT_VERSION: &str = "1.31.0";

const SCRIPT: &str = include_str!("dlt_client.py");

/// A ready dlt environment.
#[derive(Debug, Clone)]
pub(crate) struct DltEnv {
    /// The venv's python.
    pub(crate) python: PathBuf,
    /// The written-out client script.
    pub(crate) script: PathBuf,
}

impl DltEnv {
    /// The command line that consumes every record of `url`.
    pub(crate) fn argv(&self, url: &str, paginator: &str, selector: &str) -> Vec<String> {
        vec![
            self.python.display().to_string(),
            self.script.display().to_string(),
            url.to_owned(),
            paginator.to_owned(),
            selector.to_owned(),
        ]
    }
}

fn has_dlt(python: &Path) -> bool {
    Command::new(python)
        .args([
            "-c",
            &format!("import dlt, sys; sys.exit(dlt.__version__ != {DLT_VERSION:?})"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        Err(format!("{cmd:?} failed ({}): {last}", out.status))
    }
}

/// Makes (or reuses) `venv` with dlt installed and writes the client script into it.
pub(crate) fn prepare(venv: &Path) -> Result<DltEnv, String> {
    let python = venv.join("bin").join("python");
    if !has_dlt(&python) {
        eprintln!(
            "bench: creating {} with python3.11 and installing dlt=={DLT_VERSION} (once)",
            venv.display()
        );
        run(Command::new("python3.11").arg("-m").arg("venv").arg(venv))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("dlt=={DLT_VERSION}"),
        ]))?;
        if !has_dlt(&python) {
            return Err(format!(
                "dlt {DLT_VERSION} still not importable from {}",
                python.display()
            ));
        }
    }
    let script = venv.join("dlt_client.py");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    Ok(DltEnv { python, script })
}
