//! `restclient demo`: the embedded demo API and a tour of every pagination style.

mod data;
pub(crate) mod server;

use crate::Failure;
use crate::cli::DemoArgs;

pub(crate) fn run(_args: &DemoArgs) -> Result<(), Failure> {
    Err(Failure::Runtime("demo: not wired yet".into()))
}
