//! The iterator `paginate()` returns: one `PageData` per page, built in Rust.
//!
//! With `concurrency=1` each `__next__` fetches its page itself (with the GIL released), so no
//! request is sent before the caller asks for its page, as in dlt. With `concurrency > 1` a task
//! on the runtime drives the pages and keeps up to `concurrency` of them ready while Python
//! consumes the current one; the order and the records are the same. Dropping the iterator stops
//! that task.

use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::StreamExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use restclient::{Error, Page, Pages};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::convert::StringCache;
use crate::response::{Request, Response, types_class};
use crate::{convert, errors, runtime};

/// Where the pages come from.
enum Source {
    /// Fetched by `__next__` itself.
    Direct(Pages),
    /// Fetched ahead by a task on the runtime.
    Ahead {
        receiver: mpsc::Receiver<Result<Page, Error>>,
        task: AbortHandle,
    },
}

impl Source {
    async fn next(&mut self) -> Option<Result<Page, Error>> {
        match self {
            Source::Direct(pages) => pages.next().await,
            Source::Ahead { receiver, .. } => receiver.recv().await,
        }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        if let Source::Ahead { task, .. } = self {
            task.abort();
        }
    }
}

/// What the iterator is doing.
enum State {
    /// Ready for the next page.
    Idle(Source),
    /// A thread is waiting for a page.
    Busy,
    /// The last page (or an error) has been returned.
    Done,
}

/// An iterator of `PageData`.
#[pyclass(module = "restclient._native")]
pub(crate) struct PageIter {
    state: Mutex<State>,
    runtime: Arc<Runtime>,
    /// The strings of all pages' records (keys repeat from page to page).
    strings: Mutex<StringCache>,
}

impl std::fmt::Debug for PageIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter").finish_non_exhaustive()
    }
}

impl PageIter {
    /// Iterates `pages` on `runtime` (the client's), fetching up to `concurrency` pages ahead
    /// when it is above 1.
    pub(crate) fn new(pages: Pages, runtime: Arc<Runtime>, concurrency: usize) -> PyResult<PageIter> {
        let source = if concurrency <= 1 {
            Source::Direct(pages)
        } else {
            let (sender, receiver) = mpsc::channel(concurrency);
            let task = runtime.spawn(async move {
                let mut pages = pages;
                // Ends with the stream, at the first error, or when the iterator is dropped.
                while let Some(item) = pages.next().await {
                    let last = item.is_err();
                    if sender.send(item).await.is_err() || last {
                        break;
                    }
                }
            });
            Source::Ahead {
                receiver,
                task: task.abort_handle(),
            }
        };
        Ok(PageIter {
            state: Mutex::new(State::Idle(source)),
            runtime,
            strings: Mutex::new(StringCache::default()),
        })
    }

    fn lock(&self) -> PyResult<MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| PyRuntimeError::new_err("restclient: the page iterator's lock is poisoned"))
    }
}

#[pymethods]
impl PageIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        // taken in a statement of its own: the guard must not live through the match below
        let state = std::mem::replace(&mut *self.lock()?, State::Busy);
        let mut source = match state {
            State::Idle(source) => source,
            State::Done => {
                *self.lock()? = State::Done;
                return Ok(None);
            }
            State::Busy => {
                return Err(PyRuntimeError::new_err(
                    "restclient: this paginate() iterator is already fetching a page in another thread",
                ));
            }
        };
        let item = runtime::block_on(py, &self.runtime, source.next());
        match item {
            Err(interrupted) => {
                *self.lock()? = State::Idle(source);
                Err(interrupted)
            }
            Ok(None) => {
                *self.lock()? = State::Done;
                Ok(None)
            }
            Ok(Some(Err(error))) => {
                *self.lock()? = State::Done;
                Err(errors::to_py(py, error))
            }
            Ok(Some(Ok(page))) => {
                *self.lock()? = State::Idle(source);
                // Another thread may take the next page while this one builds (a finalizer run
                // by the GC can switch threads): it then builds with a cache of its own rather
                // than wait for this one while holding the GIL.
                match self.strings.try_lock() {
                    Ok(mut strings) => page_to_py(py, page, &mut strings),
                    Err(_) => page_to_py(py, page, &mut StringCache::default()),
                }
                .map(Some)
            }
        }
    }
}

/// `PageData(records, request, response, paginator)`.
fn page_to_py(py: Python<'_>, page: Page, strings: &mut StringCache) -> PyResult<Py<PyAny>> {
    let records = convert::records_to_py(py, &page.records, strings)?;
    let request = Py::new(py, Request::from_http(&page.request))?;
    let state = serde_json::to_vec(&page.paginator_state)
        .map_err(|e| PyRuntimeError::new_err(format!("restclient: paginator state: {e}")))?;
    let state = convert::json_to_py(py, &state)?;
    let paginator = types_class(py, "PaginatorState")?.call1((page.paginator, state, page.has_next_page))?;
    let response = Py::new(
        py,
        Response::new(page.status, page.url.to_string(), page.headers, page.body),
    )?;
    let page_data = types_class(py, "PageData")?.call1((records, request, response, paginator))?;
    Ok(page_data.unbind())
}
