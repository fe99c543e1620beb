//! `paginate` and `get` (wired to the facade once it lands).

use crate::Failure;
use crate::cli::{GetArgs, PaginateArgs};

pub(crate) fn paginate(_args: PaginateArgs, _logging: bool) -> Result<(), Failure> {
    Err(Failure::Runtime("paginate: not wired yet".into()))
}

pub(crate) fn get(_args: GetArgs) -> Result<(), Failure> {
    Err(Failure::Runtime("get: not wired yet".into()))
}
