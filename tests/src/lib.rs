//! End-to-end tests of the whole stack through the facade live in `tests/tests/`; this library is
//! empty.
//!
//! The tests that run the `restclient` binary live in `crates/restclient-cli/tests/`: Cargo gives
//! the path of a built binary (`CARGO_BIN_EXE_restclient`) only to its own package's tests.
