//! Response hooks: functions that see every response before it is parsed (dlt's `response`
//! hooks). One may end pagination quietly ([`HookAction::Stop`], dlt's `IgnoreResponseException`)
//! or fail the run.

use std::fmt;
use std::sync::Arc;

use restclient_core::{BoxError, Response};

/// What a response hook decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookAction {
    /// Carry on with this response.
    Continue,
    /// End pagination quietly; this response is not yielded (dlt's `IgnoreResponseException`).
    Stop,
}

type HookFn = dyn Fn(&Response) -> Result<HookAction, BoxError> + Send + Sync;

/// A function that sees every response before it is parsed.
///
/// ```
/// use restclient_paginate::{HookAction, ResponseHook};
/// // end pagination on 404 instead of failing
/// let hook = ResponseHook::new(|response| {
///     Ok(if response.status() == 404 { HookAction::Stop } else { HookAction::Continue })
/// });
/// # let _ = hook;
/// ```
#[derive(Clone)]
pub struct ResponseHook(Arc<HookFn>);

impl ResponseHook {
    /// Wraps a hook function.
    pub fn new(
        hook: impl Fn(&Response) -> Result<HookAction, BoxError> + Send + Sync + 'static,
    ) -> ResponseHook {
        ResponseHook(Arc::new(hook))
    }

    /// Runs the hook.
    pub fn call(&self, response: &Response) -> Result<HookAction, BoxError> {
        (self.0)(response)
    }
}

impl fmt::Debug for ResponseHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseHook(..)")
    }
}
