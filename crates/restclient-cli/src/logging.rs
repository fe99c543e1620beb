//! Request logs on stderr, off by default.
//!
//! `RUST_LOG` (tracing's `EnvFilter` syntax, e.g. `info` or `restclient_transport=debug`) wins.
//! Otherwise dlt's `RUNTIME__LOG_LEVEL` (`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`) sets the
//! level of restclient's own logs, with other crates at `warn`. At `INFO` the transport logs one
//! line per request: method, redacted URL, status, attempt, duration.

use tracing_subscriber::EnvFilter;

/// The filter the environment asks for, if any.
fn filter_from_env() -> Option<EnvFilter> {
    if let Ok(spec) = std::env::var("RUST_LOG")
        && !spec.trim().is_empty()
    {
        return Some(EnvFilter::builder().parse_lossy(spec));
    }
    let level = std::env::var("RUNTIME__LOG_LEVEL").ok()?;
    let level = dlt_level(&level)?;
    // Directive targets match by prefix: `restclient` covers every `restclient_*` crate.
    Some(EnvFilter::new(format!("warn,restclient={level}")))
}

/// dlt's (Python logging's) level names as tracing levels.
fn dlt_level(level: &str) -> Option<&'static str> {
    Some(match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "INFO" => "info",
        "WARN" | "WARNING" => "warn",
        "ERROR" | "CRITICAL" | "FATAL" => "error",
        "OFF" | "NONE" => "off",
        _ => return None,
    })
}

/// Installs the stderr subscriber when the environment asks for logs; returns whether it did.
pub(crate) fn init() -> bool {
    let Some(filter) = filter_from_env() else {
        return false;
    };
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlt_levels_map_to_tracing_levels() {
        assert_eq!(dlt_level("INFO"), Some("info"));
        assert_eq!(dlt_level("warning"), Some("warn"));
        assert_eq!(dlt_level("CRITICAL"), Some("error"));
        assert_eq!(dlt_level("verbose"), None);
    }
}
