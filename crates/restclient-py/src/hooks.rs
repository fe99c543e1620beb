//! Python response hooks (`hooks={"response": [fn, ...]}`) as one core response hook.
//!
//! Each function is called as `fn(response)` with the package's response object, in order, before
//! the page is parsed (dlt calls `fn(response, *args, **kwargs)`, so both signatures work).
//! `IgnoreResponseException` ends the pagination quietly; any other exception ends it and comes
//! back out of the iterator unchanged. A hook's return value is ignored (requests would use it as
//! a replacement response).
//!
//! Differs from dlt: hooks run after the retries, not inside them, so a hook raising an
//! `HTTPError` for a 5xx does not cause another attempt.

use pyo3::prelude::*;
use restclient::HookAction;
use restclient::core::BoxError;

use crate::errors;
use crate::response::Response;

/// The core hook that runs `hooks` (called with the GIL taken on the runtime's thread; the
/// iterator waiting for the page has released it).
pub(crate) fn response_hook(
    hooks: Vec<Py<PyAny>>,
) -> impl Fn(&restclient::core::Response) -> Result<HookAction, BoxError> + Send + Sync + 'static {
    move |response| {
        Python::attach(|py| {
            // the HTTP client records the final URL on every response
            let url = restclient::core::response_uri(response)
                .map(ToString::to_string)
                .unwrap_or_default();
            let object = Response::new(
                response.status(),
                url,
                response.headers().clone(),
                response.body().clone(),
            );
            let object = Py::new(py, object).map_err(|e| Box::new(e) as BoxError)?;
            for hook in &hooks {
                if let Err(err) = hook.call1(py, (object.clone_ref(py),)) {
                    if errors::is_ignore_response(py, &err) {
                        return Ok(HookAction::Stop);
                    }
                    return Err(Box::new(err) as BoxError);
                }
            }
            Ok(HookAction::Continue)
        })
    }
}
