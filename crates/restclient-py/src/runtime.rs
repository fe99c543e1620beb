//! The tokio runtimes, and waiting on them with the GIL released.
//!
//! A client that fetches ahead (`concurrency > 1`) runs on the module's one multi-threaded
//! runtime ([`shared`]): its requests and the task that keeps pages ready must progress while
//! Python works on the current page. A process forked after that runtime started
//! (multiprocessing's `fork`) has none of its threads, so each process id gets its own.
//!
//! A client with `concurrency=1` (dlt's way: one request at a time, only when asked) gets a
//! runtime of its own with no threads ([`current_thread`]): the Python thread that waits for a
//! response drives the I/O itself, so a response reaches it without a hand-off between threads.
//! On a busy machine each hand-off waits for a CPU time slice, which made a request several
//! times slower. Python threads sharing such a client take turns driving it.
//!
//! [`block_on`] runs a future with the GIL released, waking every 100 ms to let Python handle
//! signals: Ctrl-C stops a slow page instead of waiting for it.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How often a wait wakes to let Python handle signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// A runtime without threads, driven by whichever thread waits on it.
pub(crate) fn current_thread() -> PyResult<Arc<Runtime>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(Arc::new)
        .map_err(|e| PyRuntimeError::new_err(format!("restclient: cannot start a runtime: {e}")))
}

/// The shared multi-threaded runtime of this process, started on first use.
pub(crate) fn shared() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .map_err(|_| PyRuntimeError::new_err("restclient: the runtime lock is poisoned"))?;
    if let Some((owner, runtime)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(runtime.clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("restclient")
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("restclient: cannot start the runtime: {e}")))?;
    let runtime = Arc::new(runtime);
    *slot = Some((pid, runtime.clone()));
    Ok(runtime)
}

/// Runs `future` to completion on `runtime` with the GIL released, checking for signals
/// (KeyboardInterrupt) every 100 ms; a signal handler's exception drops the future.
pub(crate) fn block_on<F>(py: Python<'_>, runtime: &Runtime, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let mut future = std::pin::pin!(future);
    // Bounded by the future itself: each round either finishes it or lets Python run signal
    // handlers, which may raise and end the wait.
    loop {
        let done = py.detach(|| {
            runtime.block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut future).await.ok() })
        });
        match done {
            Some(output) => return Ok(output),
            None => py.check_signals()?,
        }
    }
}
