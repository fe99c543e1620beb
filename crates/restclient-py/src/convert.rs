//! JSON bytes to Python objects, as `json.loads` builds them.
//!
//! jiter tokenises the bytes (floats parsed with correct rounding, integers of any size); the
//! objects are built here as the tokens arrive, with no intermediate tree. jiter's own Python
//! builder would do the same but needs CPython ≥ 3.10 under abi3, and the package supports 3.9.
//!
//! The result is what `json.loads` gives: dicts keep the body's key order (a repeated key keeps
//! its first place and its last value), integers of any size are `int` (`-0` is `0`; beyond 64
//! bits they go through `int(text)`, so Python's digit limit applies as it does to `json.loads`),
//! floats are the same double, `NaN` and `(-)Infinity` are accepted. Nesting deeper than
//! [`MAX_DEPTH`] is an error rather than a stack overflow.
//!
//! Keys repeat on every record, and so do short values (`"active"`, `"DE"`), so a
//! [`StringCache`] keeps the strings built (keys up to 64 bytes, values up to 16) and reuses them;
//! Python strings are immutable, so sharing them is invisible. A page iterator keeps one cache for
//! all its pages (the keys of page 2 are those of page 1); values stop being cached once most of
//! them turn out to be unique (ids, timestamps), where the lookups would only cost.

use std::collections::HashMap;

use fnv::FnvBuildHasher;

use jiter::{Jiter, JiterError, NumberAny, NumberInt, Peek};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use restclient::RawRecord;

use crate::errors;

/// The deepest nesting accepted (Python's own recursion limit is about 1000).
pub(crate) const MAX_DEPTH: usize = 512;

/// Keys longer than this are not cached.
const MAX_CACHED_KEY: usize = 64;

/// String values longer than this are not cached.
const MAX_CACHED_VALUE: usize = 16;

/// Distinct strings cached.
const MAX_CACHED_STRINGS: usize = 4096;

/// Value lookups after which caching values is judged.
const VALUE_TRIAL: u32 = 512;

/// Python strings reused across documents: by one call, or by a page iterator for all its pages.
#[derive(Default)]
pub(crate) struct StringCache {
    strings: HashMap<Box<str>, Py<PyString>, FnvBuildHasher>,
    value_lookups: u32,
    value_hits: u32,
    /// Set once values proved mostly unique: they are then built without a lookup.
    skip_values: bool,
}

impl StringCache {
    /// A Python string for `text`: from the cache when it is at most `max_cached` bytes long.
    fn get<'py>(
        &mut self,
        py: Python<'py>,
        text: &str,
        max_cached: usize,
        key: bool,
    ) -> Bound<'py, PyString> {
        if text.len() > max_cached || (!key && self.skip_values) {
            return PyString::new(py, text);
        }
        let hit = self.strings.get(text).map(|cached| cached.bind(py).clone());
        if !key {
            self.judge_values(hit.is_some());
        }
        if let Some(hit) = hit {
            return hit;
        }
        let made = PyString::new(py, text);
        if self.strings.len() < MAX_CACHED_STRINGS {
            self.strings.insert(text.into(), made.clone().unbind());
        }
        made
    }

    /// Counts a value lookup; after [`VALUE_TRIAL`] of them, values fewer than half of which
    /// were found are not looked up any more.
    fn judge_values(&mut self, hit: bool) {
        if self.value_lookups >= VALUE_TRIAL {
            return;
        }
        self.value_lookups += 1;
        self.value_hits += u32::from(hit);
        if self.value_lookups == VALUE_TRIAL && self.value_hits * 2 < VALUE_TRIAL {
            self.skip_values = true;
        }
    }
}

/// Builds Python objects from JSON, reusing strings through `cache`.
struct Builder<'py, 'c> {
    py: Python<'py>,
    cache: &'c mut StringCache,
}

/// Why a document could not be built.
enum Failure {
    Json(JiterError),
    Python(PyErr),
    TooDeep,
}

impl From<JiterError> for Failure {
    fn from(e: JiterError) -> Self {
        Failure::Json(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

impl<'py, 'c> Builder<'py, 'c> {
    fn new(py: Python<'py>, cache: &'c mut StringCache) -> Builder<'py, 'c> {
        Builder { py, cache }
    }

    /// One whole document (trailing whitespace allowed, anything else after it is an error).
    fn document(&mut self, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let mut jiter = Jiter::new(bytes).with_allow_inf_nan();
        let built = jiter
            .peek()
            .map_err(Failure::from)
            .and_then(|peek| self.value(&mut jiter, peek, 0))
            .and_then(|value| jiter.finish().map(|()| value).map_err(Failure::from));
        built.map_err(|failure| match failure {
            Failure::Python(e) => e,
            Failure::Json(e) => errors::select_error(
                self.py,
                &format!("the body is not valid JSON: {}", e.description(&jiter)),
            ),
            Failure::TooDeep => errors::select_error(
                self.py,
                &format!("the JSON is nested deeper than {MAX_DEPTH} levels"),
            ),
        })
    }

    fn key(&mut self, text: &str) -> Bound<'py, PyString> {
        self.cache.get(self.py, text, MAX_CACHED_KEY, true)
    }

    fn value(
        &mut self,
        jiter: &mut Jiter<'_>,
        peek: Peek,
        depth: usize,
    ) -> Result<Bound<'py, PyAny>, Failure> {
        let py = self.py;
        Ok(match peek {
            Peek::Null => {
                jiter.known_null()?;
                py.None().into_bound(py)
            }
            Peek::True | Peek::False => PyBool::new(py, jiter.known_bool(peek)?).to_owned().into_any(),
            Peek::String => {
                let text = jiter.known_str()?;
                self.cache.get(py, text, MAX_CACHED_VALUE, false).into_any()
            }
            Peek::Array => {
                if depth >= MAX_DEPTH {
                    return Err(Failure::TooDeep);
                }
                let list = PyList::empty(py);
                let mut next = jiter.known_array()?;
                // Bounded by the input: every step consumes bytes.
                while let Some(peek) = next {
                    list.append(self.value(jiter, peek, depth + 1)?)?;
                    next = jiter.array_step()?;
                }
                list.into_any()
            }
            Peek::Object => {
                if depth >= MAX_DEPTH {
                    return Err(Failure::TooDeep);
                }
                let dict = PyDict::new(py);
                let mut next = jiter.known_object()?.map(|k| self.key(k));
                // Bounded by the input: every step consumes bytes.
                while let Some(key) = next {
                    let peek = jiter.peek()?;
                    let value = self.value(jiter, peek, depth + 1)?;
                    dict.set_item(key, value)?;
                    next = jiter.next_key()?.map(|k| self.key(k));
                }
                dict.into_any()
            }
            _ => match jiter.known_number(peek)? {
                NumberAny::Int(NumberInt::Int(i)) => PyInt::new(py, i).into_any(),
                NumberAny::Int(NumberInt::BigInt(big)) => py.get_type::<PyInt>().call1((big.to_string(),))?,
                NumberAny::Float(f) => PyFloat::new(py, f).into_any(),
            },
        })
    }
}

/// One JSON document as a Python object; `SelectError` (a `ValueError`) when it is not JSON.
pub(crate) fn json_to_py<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    Builder::new(py, &mut StringCache::default()).document(bytes)
}

/// A page's records as a Python list, reusing the strings in `cache`.
pub(crate) fn records_to_py<'py>(
    py: Python<'py>,
    records: &[RawRecord],
    cache: &mut StringCache,
) -> PyResult<Bound<'py, PyList>> {
    let mut builder = Builder::new(py, cache);
    let list = PyList::empty(py);
    for record in records {
        list.append(builder.document(record.as_bytes())?)?;
    }
    Ok(list)
}

/// `restclient._native.loads(data)`: the records builder on any JSON bytes (tests compare it
/// with `json.loads`).
#[pyfunction]
pub(crate) fn loads<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    json_to_py(py, data)
}
