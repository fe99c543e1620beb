//! `paginate` and `get`: turn the checked command line into a client, run it, write the output.
//!
//! `paginate` fetches a page, writes its records, then fetches the next, all on one thread: memory
//! stays bounded by one page however many there are.

use std::path::Path;
use std::time::Duration;

use futures_util::StreamExt;
use restclient::prelude::*;
use serde_json::Value;

use crate::Failure;
use crate::checkpoint::{self, CheckpointFile};
use crate::cli::{GetArgs, PaginateArgs, RequestArgs};
use crate::input::{self, HttpMethod, UsageError};
use crate::output::{self, Layout, RecordWriter};
use crate::progress::Progress;
use restclient::core::redact;

/// Everything checked from the command line, ready for the facade.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) client: RestClient,
    pub(crate) url: String,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) method: HttpMethod,
    pub(crate) json: Option<Value>,
}

impl Prepared {
    fn method(&self) -> Method {
        match self.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
        }
    }
}

/// A runtime failure, its message cleaned of every secret the user gave.
fn fail(message: impl std::fmt::Display) -> Failure {
    Failure::Runtime(redact::redact_text(&message.to_string()).into_owned())
}

/// A usage failure, its message cleaned of every secret the user gave.
fn usage(message: impl std::fmt::Display) -> Failure {
    Failure::Usage(redact::redact_text(&message.to_string()).into_owned())
}

/// Checks the shared options and builds the client through [`ClientConfig`], as every caller of
/// the library does. Every problem here is a usage error.
pub(crate) fn prepare(
    args: &RequestArgs,
    paginator: Option<&str>,
    data_selector: Option<&str>,
    concurrency: usize,
) -> Result<Prepared, Failure> {
    // Credentials first, so that no later message can show one.
    let mut auth = input::auth_text(args.auth.as_deref())?
        .map(|text| input::parse_auth(&text))
        .transpose()?;
    if let Some(auth) = &mut auth {
        input::secrets::auth(auth);
        input::expand_json("--auth", auth)?;
        input::secrets::auth(auth);
    }
    let params = args
        .params
        .iter()
        .map(|raw| {
            let (key, value) = input::parse_param(raw)?;
            let value = input::expand("--param", &value)?;
            input::secrets::param(&key, &value);
            Ok((key, value))
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let mut config = ClientConfig::default();
    for (i, raw) in args.headers.iter().enumerate() {
        let (name, value) = input::parse_header(raw, i + 1)?;
        let value = input::expand("--header", &value)?;
        input::secrets::header(&name, &value);
        config.headers.insert(name, value);
    }
    let method = input::parse_method(&args.method)?;
    let json = args.json.as_deref().map(input::parse_json_body).transpose()?;
    let timeout = input::parse_seconds("--timeout", args.timeout, true)?;
    let max_retry_delay = input::parse_seconds("--max-retry-delay", args.max_retry_delay, false)?;
    let backoff_factor = input::check_factor(args.backoff_factor)?;
    let url = target_url(args)?;

    config.base_url = args.base_url.clone();
    config.max_attempts = Some(args.max_attempts.max(1));
    config.backoff_factor = Some(backoff_factor);
    config.max_retry_delay = Some(max_retry_delay.as_secs_f64());
    config.timeout = Some(timeout.as_secs_f64());
    if let Some(auth) = auth {
        config.auth = Some(serde_json::from_value(auth).map_err(|e| usage(format!("invalid --auth: {e}")))?);
    }
    if let Some(raw) = paginator {
        let value = input::parse_paginator(raw)?;
        config.paginator =
            Some(serde_json::from_value(value).map_err(|e| usage(format!("invalid --paginator: {e}")))?);
    }
    config.data_selector = data_selector.map(str::to_owned);
    config.max_rps = args.max_rps.map(input::check_rps).transpose()?;
    // The in-flight cap halves on a 429 and grows back; one request at a time needs none.
    config.max_in_flight = (concurrency > 1).then_some(concurrency);
    // Everything that can be checked before the first request is checked by build().
    let client = RestClientBuilder::from_config(config).build().map_err(usage)?;
    Ok(Prepared {
        client,
        url,
        params,
        method,
        json,
    })
}

/// The URL argument: absolute, or a path joined to `--base-url` (by the client).
fn target_url(args: &RequestArgs) -> Result<String, UsageError> {
    let url = args.url.clone().unwrap_or_default();
    let absolute = url.contains("://");
    if !absolute && args.base_url.is_none() {
        return Err(UsageError(if url.is_empty() {
            "a URL is required: an absolute URL, or a path with --base-url".to_owned()
        } else {
            format!("{url:?} is not an absolute URL; give --base-url to join it to")
        }));
    }
    Ok(url)
}

/// How long written records may wait in the buffer for the next page.
const IDLE_FLUSH: Duration = Duration::from_millis(50);

/// A single-threaded runtime: pagination is sequential, and every extra thread only adds wake-ups.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the async runtime: {e}")))
}

fn open_output(path: Option<&Path>) -> Result<output::Output, Failure> {
    output::open(path).map_err(|e| match path {
        Some(path) => Failure::Runtime(format!("cannot create {}: {e}", path.display())),
        None => Failure::Runtime(format!("cannot open stdout: {e}")),
    })
}

/// A write error: quiet success when the reader went away, a failure otherwise.
fn write_failed(e: &std::io::Error, path: Option<&Path>) -> Result<(), Failure> {
    if path.is_none() && output::is_broken_pipe(e) {
        return Ok(());
    }
    let target = path.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    Err(Failure::Runtime(format!("writing {target}: {e}")))
}

/// Where `paginate` writes: opened on the first page (or at the end), so a checkpoint the library
/// refuses leaves the output untouched.
struct LazyWriter<'a> {
    path: Option<&'a Path>,
    layout: Layout,
    /// The recorded output length of a resumed run.
    resume_len: Option<u64>,
    writer: Option<RecordWriter<output::Output>>,
}

impl LazyWriter<'_> {
    fn get(&mut self) -> Result<&mut RecordWriter<output::Output>, Failure> {
        if self.writer.is_none() {
            let writer = match (self.path, self.resume_len) {
                (Some(path), Some(len)) => {
                    let file = checkpoint::reopen_output(path, len).map_err(|e| {
                        Failure::Runtime(format!("cannot resume into {}: {e}", path.display()))
                    })?;
                    RecordWriter::starting_at(output::buffered(file), self.layout, len)
                }
                _ => RecordWriter::new(open_output(self.path)?, self.layout),
            };
            self.writer = Some(writer);
        }
        // Set just above when it was missing.
        self.writer
            .as_mut()
            .ok_or_else(|| Failure::Runtime("output not open".to_owned()))
    }

    fn has_pending(&self) -> bool {
        self.writer.as_ref().is_some_and(RecordWriter::has_pending)
    }
}

/// `restclient paginate`.
pub(crate) fn paginate(args: PaginateArgs, logging: bool) -> Result<(), Failure> {
    let concurrency = input::check_count("--concurrency", args.concurrency)?;
    let max_pages = args
        .max_pages
        .map(|n| input::check_count("--max-pages", n))
        .transpose()?;
    let output_path = args.request.output.as_deref();
    let checkpoint = match (&args.checkpoint, output_path) {
        (Some(_), None) => {
            return Err(usage(
                "--checkpoint needs --output FILE: a resumed run cuts its output back to the checkpoint",
            ));
        }
        (Some(path), Some(_)) => Some(CheckpointFile::new(path)),
        (None, _) => None,
    };
    let prepared = prepare(
        &args.request,
        args.paginator.as_deref(),
        args.data_selector.as_deref(),
        concurrency,
    )?;
    // Read before anything is written: a corrupt checkpoint touches nothing.
    let saved = match &checkpoint {
        Some(file) => file.load().map_err(Failure::Runtime)?,
        None => None,
    };
    let runtime = runtime()?;

    let mut request = prepared
        .client
        .paginate(prepared.url.as_str())
        .method(prepared.method())
        .concurrency(concurrency);
    for (key, value) in &prepared.params {
        request = request.param(key.as_str(), value.as_str());
    }
    if let Some(json) = &prepared.json {
        request = request.json(json);
    }
    if let Some(n) = max_pages {
        request = request.max_pages(n);
    }
    let mut writer = LazyWriter {
        path: output_path,
        layout: if args.pages {
            Layout::Pages
        } else {
            Layout::Records
        },
        resume_len: saved.as_ref().map(|s| s.output_len),
        writer: None,
    };
    if let Some(saved) = saved {
        tracing::info!(
            page = saved.checkpoint.page_index(),
            "resuming from the checkpoint"
        );
        request = request.resume(saved.checkpoint);
    }
    let pages = request.pages();
    let quiet = args.request.quiet;
    let mut progress = Progress::new(quiet, logging);
    // One thread does it all: fetch a page, write it, fetch the next. Handing pages to another
    // thread cost more in wake-ups than writing them here (measured with `cargo xtask bench`).
    // Records reach the reader when the buffer fills, or once no page has come for IDLE_FLUSH:
    // fast APIs cost no flush per page, slow ones still stream. With a checkpoint every page is
    // made durable before the checkpoint moves past it.
    let outcome = runtime.block_on(async {
        let mut pages = std::pin::pin!(pages);
        // Whether the last page written leaves pages to fetch (the run was capped).
        let mut capped = false;
        loop {
            let item = if writer.has_pending() {
                tokio::select! {
                    biased;
                    item = pages.next() => item,
                    () = tokio::time::sleep(IDLE_FLUSH) => {
                        // `next()` is cancel-safe: the stream keeps the page in flight.
                        if let Err(e) = writer.get()?.flush() {
                            return write_failed(&e, output_path);
                        }
                        continue;
                    }
                }
            } else {
                pages.next().await
            };
            match item {
                None => {
                    if let Err(e) = writer.get()?.flush() {
                        return write_failed(&e, output_path);
                    }
                    if let Some(file) = &checkpoint {
                        writer
                            .get()?
                            .sync()
                            .map_err(|e| fail(format!("writing the output: {e}")))?;
                        // A run cut short by --max-pages keeps its checkpoint: the same command
                        // goes on from there.
                        if !capped {
                            file.remove()
                                .map_err(|e| fail(format!("removing the checkpoint: {e}")))?;
                        }
                    }
                    return Ok(());
                }
                Some(Ok(page)) => {
                    // Auto-detection read one page but the response says there are more: say so
                    // (the log says it already when logs are on).
                    if let Some(warning) = page.detected.as_ref().and_then(|d| d.warning.as_ref())
                        && !logging
                        && !quiet
                    {
                        eprintln!("warning: {}", redact::redact_text(warning));
                    }
                    let records = page.records();
                    let out = writer.get()?;
                    if let Err(e) = out.write_page(records.iter().map(|r| r.as_bytes())) {
                        return write_failed(&e, output_path);
                    }
                    if let Some(file) = &checkpoint {
                        let len = out.sync().map_err(|e| fail(format!("writing the output: {e}")))?;
                        let after = page.checkpoint();
                        capped = !after.is_finished();
                        file.save(len, &after)
                            .map_err(|e| fail(format!("writing the checkpoint: {e}")))?;
                    }
                    progress.page(records.len());
                }
                Some(Err(e)) => {
                    // Keep what was read before the failure.
                    if let Some(out) = writer.writer.as_mut() {
                        let _ = out.flush();
                    }
                    return Err(fail(e));
                }
            }
        }
    });
    match &outcome {
        Ok(()) => progress.finish(),
        Err(_) => progress.abandon(),
    }
    runtime.shutdown_timeout(Duration::from_millis(100));
    tracing::debug!(
        pages = progress.pages(),
        records = progress.records(),
        "pagination finished"
    );
    outcome
}

/// `restclient get`: one request; a 4xx/5xx after retries fails as with `curl --fail`.
pub(crate) fn get(args: GetArgs) -> Result<(), Failure> {
    let prepared = prepare(&args.request, None, None, 1)?;
    let output_path = args.request.output.as_deref();
    let runtime = runtime()?;
    let mut request = prepared.client.request(prepared.method(), prepared.url.as_str());
    for (key, value) in &prepared.params {
        request = request.param(key.as_str(), value.as_str());
    }
    if let Some(json) = &prepared.json {
        request = request.json(json);
    }
    let response = runtime.block_on(request.send()).map_err(fail)?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    // curl --fail: a 4xx/5xx is a failure, named by dlt's message with the URL redacted.
    let response = response.error_for_status().map_err(fail)?;
    let mut out = open_output(output_path)?;
    use std::io::Write;
    if let Err(e) = out.write_all(response.body()).and_then(|()| out.flush()) {
        return write_failed(&e, output_path);
    }
    Ok(())
}
