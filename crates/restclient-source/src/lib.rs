//! **restclient-source** runs dlt's declarative `rest_api` source: a config with a client and
//! many resources, some of which fan out per parent record, extracted concurrently into one
//! NDJSON file per resource.
//!
//! ```no_run
//! # async fn run() -> Result<(), restclient_source::SourceError> {
//! use restclient_source::{RunOptions, Source};
//!
//! let source = Source::from_path("examples/blog.yaml")?; // JSON, YAML or TOML
//! let options = RunOptions { concurrency: 16, state_file: Some("state.json".into()), ..RunOptions::new("out") };
//! let summary = source.run(&options).await?;
//! assert!(summary.is_success());
//! # Ok(()) }
//! ```
//!
//! A command line needs one call, [`run_config`]: [`RunOptions`] carries every option of
//! `restclient run` (output folder, resources, state file, concurrency, rate, retry settings), a
//! [`Progress`] to draw status lines from ([`Progress::status_lines`]) while it runs, and the
//! [`RunSummary`] says per resource its pages, records and failure (status and URL;
//! [`RunSummary::failure_lines`] for stderr).
//!
//! ```json
//! {"client": {"base_url": "https://api.example.com/v1", "auth": {"token": "${API_TOKEN}"},
//!             "paginator": {"type": "page_number", "base_page": 1, "total_path": null}},
//!  "resource_defaults": {"primary_key": "id", "endpoint": {"params": {"per_page": 50}}},
//!  "resources": [
//!    "users",
//!    {"name": "posts", "endpoint": {"path": "users/{user_id}/posts",
//!                                   "params": {"user_id": {"type": "resolve", "resource": "users", "field": "id"}}},
//!     "include_from_parent": ["name"]},
//!    {"name": "events", "endpoint": {"path": "events", "paginator": {"type": "cursor", "cursor_path": "next"},
//!                                    "incremental": {"start_param": "since", "cursor_path": "updated_at",
//!                                                    "initial_value": "2024-01-01T00:00:00Z"}}}]}
//! ```
//!
//! # Rules kept from dlt (`dlt/sources/rest_api`, dlt 1.31)
//! - **Config shape**: `client` (`base_url`, `headers`, `auth`, `paginator` as a dict or a bare
//!   name; also the facade's [`ClientConfig`](restclient::ClientConfig) keys such as
//!   `data_selector`, `max_attempts`, `timeout`), `resource_defaults`, `resources` (a bare name, or a dict with `name`, `endpoint` as a
//!   path or a dict of `path`, `method`, `params`, `json`, `data`, `headers`, `paginator`,
//!   `data_selector`, `response_actions`, `incremental`, `auth`; `include_from_parent`,
//!   `selected`, and the loader's keys — `primary_key`, `write_disposition`, `columns`,
//!   `table_name`, `merge_key`, ... — which are accepted and carried).
//! - **Merging** (dlt's `_merge_resource_endpoints`): the endpoint over
//!   `resource_defaults.endpoint`, key by key, with `params` and `json` merged one level deep; the
//!   other resource keys replace the defaults'. A resource without a paginator uses the client's,
//!   else auto-detection. A missing path is the resource name.
//! - **Single entities**: a path whose last segment holds a `{placeholder}` gets
//!   `data_selector: "$"` and a single page unless its endpoint (or the defaults) set them, even
//!   when the client sets a paginator (`_setup_single_entity_endpoint`).
//! - **Path params**: `{name}` in the path binds a plain param of that name (and removes it from the
//!   query), or a `resolve` param.
//! - **Parents and children**: `{"type": "resolve", "resource": P, "field": F}` (or a
//!   `{resources.P.F}` placeholder in the path, params, json, data or headers) makes the resource
//!   a child of `P`: one request chain per record of `P` (after `P`'s own incremental filter), `F`
//!   being a JSONPath into that record. A resource has one parent; chains may go any number of
//!   levels deep. `include_from_parent: [f]` adds the parent's field `f` to every child record as
//!   `_P_f`. A placeholder that is the whole of a JSON body string keeps the value's type.
//! - **`selected: false`**: the resource runs only to feed its children and writes nothing.
//! - **Order** (dlt's `next_item_mode = "fifo"`): a resource's records in page order; a child's in
//!   its parent's record order, all of one parent record's chain before the next one's —
//!   whatever finished first.
//! - **`response_actions`**: `{"status_code": 404, "action": "ignore"}`, `{"content": "text",
//!   "action": "ignore"}`, or both (both must match). A matching response ends that request chain
//!   quietly, without its records; a content match on a 200 page thus ends pagination. Other error
//!   statuses fail the resource.
//! - **Incremental** (`dlt/extract/incremental`): `{"type": "incremental", ...}` as a param, or
//!   `endpoint.incremental` with `start_param`/`end_param`, or `{incremental.start_value}` (and
//!   `initial_value`, `last_value`, `end_value`) placeholders anywhere a request is described. The
//!   start value (the `last_value` a previous successful run saved in the [`State`] file, else
//!   `initial_value`) and `end_value` are sent; records outside `[start, end)` are dropped, and
//!   records at the start value already seen by the previous run are dropped by primary key
//!   (`incremental.primary_key`, else the resource's) or else by a hash of the whole record;
//!   `last_value_func` `max` (default) or `min`; `range_start`, `range_end`,
//!   `on_cursor_value_missing` and `row_order` as dlt; nothing is read or saved when `end_value`
//!   is set. A run's new values are committed when the run is complete (see *Kill and resume*);
//!   a failed resource keeps the state it had.
//! - **Next links**: a JSON or header link replaces the whole URL, so it does not carry the first
//!   request's params (dlt clears them).
//! - **Retry settings**: `[runtime]` `request_max_attempts`, `request_backoff_factor`,
//!   `request_max_retry_delay`, `request_timeout` from `.dlt/config.toml`; `RUNTIME__*`
//!   environment variables win over the file ([`RuntimeConfig`]).
//!
//! # Deviations (more than dlt, or different)
//! - **Concurrency**: independent resources and a child's request chains run concurrently under
//!   one cap on requests in flight (default 8; it shrinks after a 429 and grows back) and an
//!   optional requests-per-second limit, over one client (one connection pool, one OAuth token,
//!   one rate limiter). A top-level resource whose paginator knows its total fetches its pages
//!   ahead within the same cap (without a total, at most `concurrency - 1` requests go past the
//!   end and are dropped). dlt runs everything one request at a time.
//! - **A `resolve` param not named in the path** is sent as a query parameter with the parent's
//!   value; dlt raises and asks for `{resources.P.F}` instead (both work here).
//! - **`${NAME}`** in any string value reads the environment (dlt has no such syntax; it reads
//!   secrets from its own config). `$${NAME}` is a literal `${NAME}`. Values read this way are
//!   masked as secrets in every message, except in `client.base_url`, resource names and paths.
//! - **Validation is stricter and earlier**: unknown keys (in a resource, endpoint, incremental,
//!   response action, resolve), unknown paginator or auth types, a bad JSONPath (data selector,
//!   resolve field, cursor path, paginator paths), a parent that does not exist, a cycle, a
//!   placeholder nothing fills — all fail before any request, naming the resource and key. dlt
//!   finds some of these only on the first record, others never (an unknown action is ignored
//!   there; here only `"ignore"` is accepted).
//! - **Not supported** (they are Python objects in dlt): callables in `response_actions`,
//!   `processing_steps`, incremental `convert`/`transform`, `lag`, external schedulers, an auth
//!   given as a bare type name (dlt resolves its fields from secrets), `session`.
//! - **Formatting**: a list or dict filling a placeholder is written as compact JSON (Python
//!   would print its repr); format specs (`{x:>4}`) are rejected. `status_code` may be given as a
//!   string of digits.
//! - **Response actions and retries**: the facade retries a retryable status (429, 5xx) before
//!   the actions see the response; dlt's hooks run inside its retry loop and can ignore a 503 at once.
//! - **Incremental**: cursor values compare as JSON (numbers with numbers, strings with strings);
//!   the saved hashes are only those at the final last value; with `row_order`, pagination stops
//!   early only for top-level resources, as in dlt.
//! - **Resource names** become file names: no `/`, `\`, `.` or `..`.
//!
//! # Kill and resume (`--state FILE`)
//! With a state file, [`Source::run`] keeps the run's progress in the file's `run` entry (layout in
//! [`State`]), so a run killed at any instant (or one where resources failed) and started again
//! with the same state file and resources writes every record exactly once, in order:
//! - **Durability**: a resource writes a page's records and hands them to the OS; a writer task
//!   then flushes that output to disk and only then replaces the state file atomically (temp
//!   file in the same folder, fsync, rename, fsync the folder) with, per resource, its output's
//!   length, its record count and where to continue. Reports that arrive while a write is under
//!   way are saved together by the next one, so the state may lag behind the outputs but never
//!   runs ahead of them. On start, each output is cut back to the length the state holds.
//! - **Leaves continue from checkpoints**: a resource that feeds no child of the run keeps the
//!   library's checkpoint after each written page ([`restclient::Page::checkpoint`]). A
//!   top-level one resumes with it (`PaginateBuilder::resume`): the recorded next request is sent.
//!   A child keeps the index of the parent record whose request chain it is writing and that
//!   chain's checkpoint: it skips the parent records before it and continues that chain. Its
//!   incremental filter continues from the last value it had reached.
//! - **Parents replay from the page their children need**: a resource that feeds a child which
//!   has not finished must produce the records that child still needs again. It numbers the
//!   records it keeps, feeds them with their numbers, and writes only those its output lacks. A
//!   top-level parent whose running children are all leaves keeps *replay points* (the
//!   checkpoint of each page's start, and the number of its first record, pruned as the children
//!   go on and thinned past 64) and resumes from the page holding the first record any
//!   unfinished child has not finished (and no later than the first its output lacks), with the
//!   incremental state it had reached there. Other parents (a middle link of a chain, or a
//!   parent of one) start again from their first page, their filters deciding the same way
//!   since the start value is unchanged.
//! - **Finished** resources (whose children, if any, also finished) do not run again; their
//!   outputs are kept.
//! - **The end**: when every resource of the run has finished, the incremental values they
//!   reached are committed and the `run` entry goes, in one replacement of the file (a file left
//!   with nothing in it is removed). The next run is then a new one and rewrites the outputs.
//!   Until then every run with that file continues the unfinished one: a run asking for other
//!   resources is refused, naming the ones it wrote. A checkpoint written for another request
//!   (a config changed in between) fails that resource with the library's checkpoint error.
//! - **Assumed**: the API returns the same records when asked again (as any resume must; a
//!   changed parent record fails its child's checkpoint rather than write a wrong chain).
//!   [`Source::stream`] keeps no progress: with a state file it only reads and saves incremental
//!   values, per resource as it finishes.
//!
//! # Formats
//! JSON (`.json`), YAML (`.yaml`, `.yml`) and TOML (`.toml`), chosen by extension; the three read
//! into the same JSON value (TOML date-times become strings). YAML is read with `serde_norway`:
//! `serde_yaml` is unmaintained, and its fork `serde_yml` is archived with an unsoundness advisory
//! (RUSTSEC-2025-0068); `serde_norway` is the maintained fork of `serde_yaml`, same API and the
//! workspace's licence.
//!
//! # Memory
//! Records stay raw bytes (parsed only to read a parent field, a cursor or a primary key). A child
//! runs at most `2 × concurrency` request chains ahead of the one it writes, each buffering at most
//! four pages; a parent waits when its children's queues (64 records) are full.
//!
//! # Secrets
//! Errors and summaries name resources, keys, statuses and URLs with secrets redacted; auth
//! values never appear in messages (config errors describe a wrong value by its kind). The state
//! file holds cursor values and record hashes only.

mod config;
mod error;
mod incremental;
mod plan;
mod run;
mod state;

pub use config::{Format, RestApiConfig, RuntimeConfig};
pub use error::SourceError;
pub use run::{
    DEFAULT_CONCURRENCY, Progress, ResourceFailure, ResourceProgress, ResourceStatus, ResourceSummary,
    RunOptions, RunSummary, Source, SourceEvent, SourceStream, run_config,
};
pub use state::{IncrementalState, ReplayPoint, ResourceState, RunProgress, RunState, STATE_VERSION, State};
