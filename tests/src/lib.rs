//! End-to-end tests across crates (the facade with the source runner, ...) live in `tests/tests/`;
//! this library is empty. Tests of one crate live in that crate.
//!
//! The tests that run the `restclient` binary live in `crates/restclient-cli/tests/`: Cargo gives
//! the path of a built binary (`CARGO_BIN_EXE_restclient`) only to its own package's tests.
