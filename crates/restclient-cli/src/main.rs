//! The `restclient` command-line tool (placeholder).
fn main() {}
