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
//! Keys repeat on every record of a page, and so do short values (`"active"`, `"DE"`), so one
//! call keeps a small cache of the strings it has built (keys up to 64 bytes, values up to 16)
//! and reuses them; Python strings are immutable, so sharing them is invisible.

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

/// Distinct strings cached per call.
const MAX_CACHED_STRINGS: usize = 4096;

/// Builds Python objects from JSON, reusing strings across the documents of one call.
struct Builder<'py> {
    py: Python<'py>,
    strings: HashMap<Box<str>, Bound<'py, PyString>, FnvBuildHasher>,
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

impl<'py> Builder<'py> {
    fn new(py: Python<'py>) -> Builder<'py> {
        Builder {
            py,
            strings: HashMap::default(),
        }
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

    /// A Python string for `text`, from the cache when it is at most `max_cached` bytes long.
    fn string(&mut self, text: &str, max_cached: usize) -> Bound<'py, PyString> {
        if text.len() > max_cached {
            return PyString::new(self.py, text);
        }
        if let Some(cached) = self.strings.get(text) {
            return cached.clone();
        }
        let made = PyString::new(self.py, text);
        if self.strings.len() < MAX_CACHED_STRINGS {
            self.strings.insert(text.into(), made.clone());
        }
        made
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
            Peek::String => self.string(jiter.known_str()?, MAX_CACHED_VALUE).into_any(),
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
                let mut next = jiter.known_object()?.map(|k| self.string(k, MAX_CACHED_KEY));
                // Bounded by the input: every step consumes bytes.
                while let Some(key) = next {
                    let peek = jiter.peek()?;
                    let value = self.value(jiter, peek, depth + 1)?;
                    dict.set_item(key, value)?;
                    next = jiter.next_key()?.map(|k| self.string(k, MAX_CACHED_KEY));
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
    Builder::new(py).document(bytes)
}

/// A page's records as a Python list.
pub(crate) fn records_to_py<'py>(py: Python<'py>, records: &[RawRecord]) -> PyResult<Bound<'py, PyList>> {
    let mut builder = Builder::new(py);
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
