//! Compiled paths: plain key/index paths walked lazily, full JSONPath through jsonpath_lib.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::SelectError;

/// One step of a plain path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    /// An object member, matched exactly.
    Key(String),
    /// An array element; negative counts from the end, as in Python.
    Index(i64),
}

#[derive(Clone)]
pub(crate) enum Compiled {
    /// Keys and indices only: at most one match, found by a lazy walk or the one-pass scan.
    Plain(Vec<Step>),
    /// Anything else, evaluated by jsonpath_lib over a `serde_json::Value` tree.
    Full {
        normalized: String,
        compiled: Arc<jsonpath_lib::Compiled>,
    },
}

/// A compiled path, as dlt accepts it for `data_selector`, `next_url_path`, `total_path`,
/// `cursor_path` and `has_more_path`.
///
/// Accepted forms: plain dotted paths (`results.posts`, `many-results`), with or without a leading
/// `$` (`$.a.b`), bracket indices (`a[0].b`, `a[-1]`), quoted keys (`['@odata.nextLink']`,
/// `["x y"]`), and full JSONPath (wildcards, recursive descent, filters, slices, unions), which is
/// handed to jsonpath_lib. Paths made only of keys and indices are *plain*: they are walked lazily
/// over the raw body, without building a `serde_json::Value`.
///
/// Equality and hashing follow the meaning, not the spelling: `a.b`, `$.a.b` and `['a']['b']` are
/// equal. `Display` and serde show the original text.
///
/// ```
/// use restclient_select::Selector;
///
/// let s = Selector::parse("results.posts").unwrap();
/// assert!(s.is_plain());
/// assert_eq!(s, Selector::parse("$['results'].posts").unwrap());
/// assert_eq!(s.to_string(), "results.posts");
///
/// let full = Selector::parse("data[*].id").unwrap();
/// assert!(!full.is_plain());
///
/// // detection returns exact key paths, whatever the keys contain
/// let keys = Selector::from_keys(["odd.key", "x y"]);
/// assert_eq!(keys.as_str(), "['odd.key']['x y']");
/// assert_eq!(Selector::parse(keys.as_str()).unwrap(), keys);
/// ```
#[derive(Clone)]
pub struct Selector {
    text: Arc<str>,
    compiled: Compiled,
}

impl Selector {
    /// Compiles a path. An invalid path fails here, naming the path and the problem.
    ///
    /// ```
    /// use restclient_select::Selector;
    ///
    /// assert!(Selector::parse("['@odata.nextLink']").unwrap().is_plain());
    /// assert!(Selector::parse("a[0].b").unwrap().is_plain());
    /// assert!(Selector::parse("$..id").is_ok());
    /// let err = Selector::parse("a b").unwrap_err();
    /// assert!(err.to_string().contains("`a b`"));
    /// ```
    pub fn parse(path: &str) -> Result<Selector, SelectError> {
        let compiled = match parse_plain(path) {
            Ok(Some(steps)) => Compiled::Plain(steps),
            Ok(None) => {
                check_bare_keys(path)
                    .map_err(|reason| SelectError::invalid_path(path, with_quoting_hint(path, reason)))?;
                compile_full(path)?
            }
            Err(reason) => return Err(SelectError::invalid_path(path, with_quoting_hint(path, reason))),
        };
        Ok(Selector {
            text: Arc::from(path),
            compiled,
        })
    }

    /// The root, `$`: the whole document.
    ///
    /// ```
    /// use restclient_select::Selector;
    /// assert_eq!(Selector::root().as_str(), "$");
    /// assert_eq!(Selector::root(), Selector::parse("$").unwrap());
    /// ```
    pub fn root() -> Selector {
        Selector {
            text: Arc::from("$"),
            compiled: Compiled::Plain(Vec::new()),
        }
    }

    /// An exact key path: each key is matched literally, whatever it contains (dots, spaces,
    /// quotes). This is what record detection returns. No keys gives [`Selector::root`].
    ///
    /// ```
    /// use restclient_select::Selector;
    /// assert_eq!(Selector::from_keys(["_embedded", "items"]).as_str(), "_embedded.items");
    /// assert_eq!(Selector::from_keys(["a.b"]).as_str(), "['a.b']");
    /// assert_eq!(Selector::from_keys(Vec::<String>::new()), Selector::root());
    /// ```
    pub fn from_keys<I, S>(keys: I) -> Selector
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let steps: Vec<Step> = keys.into_iter().map(|k| Step::Key(k.into())).collect();
        let text = render(&steps);
        Selector {
            text: Arc::from(text),
            compiled: Compiled::Plain(steps),
        }
    }

    /// The path as it was given (or rendered, for [`Selector::from_keys`]).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the path is made of keys and indices only, so it is walked lazily over the raw
    /// body and matches at most one value.
    pub fn is_plain(&self) -> bool {
        matches!(self.compiled, Compiled::Plain(_))
    }

    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub(crate) fn steps(&self) -> Option<&[Step]> {
        match &self.compiled {
            Compiled::Plain(steps) => Some(steps),
            Compiled::Full { .. } => None,
        }
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Selector").field(&&*self.text).finish()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Selector {
    fn eq(&self, other: &Self) -> bool {
        match (&self.compiled, &other.compiled) {
            (Compiled::Plain(a), Compiled::Plain(b)) => a == b,
            (Compiled::Full { normalized: a, .. }, Compiled::Full { normalized: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for Selector {}

impl Hash for Selector {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.compiled {
            Compiled::Plain(steps) => {
                0u8.hash(state);
                steps.hash(state);
            }
            Compiled::Full { normalized, .. } => {
                1u8.hash(state);
                normalized.hash(state);
            }
        }
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

impl serde::Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Selector::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A key that can be written bare in a dotted path.
fn is_bare_key(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Renders steps as a path that [`parse_plain`] reads back to the same steps.
pub(crate) fn render(steps: &[Step]) -> String {
    if steps.is_empty() {
        return "$".to_owned();
    }
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Key(k) if is_bare_key(k) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Key(k) => {
                out.push_str("['");
                for c in k.chars() {
                    if c == '\'' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push_str("']");
            }
            Step::Index(n) => {
                out.push('[');
                out.push_str(&n.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Characters that make a bare segment JSONPath syntax rather than a key.
fn is_jsonpath_special(c: char) -> bool {
    matches!(
        c,
        '*' | '?' | '@' | '(' | ')' | ',' | ':' | '\'' | '"' | '$' | '=' | '<' | '>' | '!' | '&' | '|'
    )
}

/// Parses a plain path. `Ok(None)`: not plain (full JSONPath syntax), try jsonpath_lib.
/// `Err(reason)`: invalid whatever the parser.
pub(crate) fn parse_plain(path: &str) -> Result<Option<Vec<Step>>, String> {
    let s = path.trim();
    if s.is_empty() {
        return Err("the path is empty".to_owned());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    let mut first = true;
    if chars[0] == '$' {
        i = 1;
        first = false;
    }
    while i < chars.len() {
        let c = chars[i];
        if c == '.' || (first && c != '[') {
            let start = if c == '.' {
                if first {
                    return Err("the path starts with '.'".to_owned());
                }
                if chars.get(i + 1) == Some(&'.') {
                    return Ok(None); // recursive descent
                }
                i + 1
            } else {
                i
            };
            let mut end = start;
            while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                end += 1;
            }
            let key: String = chars[start..end].iter().collect();
            if key.is_empty() {
                return Err(format!("empty key at character {}", start + 1));
            }
            if let Some(bad) = key.chars().find(|c| *c == ']') {
                return Err(format!("unexpected `{bad}` in the key `{key}`"));
            }
            if key == "*" {
                return Ok(None); // wildcard
            }
            if let Some(bad) = key.chars().find(|c| is_jsonpath_special(*c)) {
                // jsonpath_lib would read such a path only partly (`a:b` selects `a`) and
                // jsonpath-ng reads `@odata.nextLink` as two keys: both match nothing in silence
                return Err(format!("`{bad}` cannot appear in the unquoted key `{key}`"));
            }
            if key.chars().any(char::is_whitespace) {
                return Err(format!("the key `{key}` contains whitespace"));
            }
            steps.push(Step::Key(key));
            i = end;
            first = false;
        } else if c == '[' {
            first = false;
            let Some(&open) = chars.get(i + 1) else {
                return Err("unclosed '['".to_owned());
            };
            if open == '\'' || open == '"' {
                let mut key = String::new();
                let mut j = i + 2;
                loop {
                    match chars.get(j) {
                        None => return Err(format!("unterminated quoted key at character {}", i + 2)),
                        Some('\\') => {
                            match chars.get(j + 1) {
                                Some(&e) => key.push(e),
                                None => {
                                    return Err(format!("unterminated quoted key at character {}", i + 2));
                                }
                            }
                            j += 2;
                        }
                        Some(&q) if q == open => break,
                        Some(&other) => {
                            key.push(other);
                            j += 1;
                        }
                    }
                }
                // j is at the closing quote
                match chars.get(j + 1) {
                    Some(']') => {
                        steps.push(Step::Key(key));
                        i = j + 2;
                    }
                    Some(',') => return Ok(None), // union of keys
                    _ => {
                        return Err(format!(
                            "expected ']' after the quoted key at character {}",
                            j + 2
                        ));
                    }
                }
            } else {
                let Some(close) = chars[i + 1..].iter().position(|c| *c == ']') else {
                    return Err(format!("unclosed '[' at character {}", i + 1));
                };
                let inner: String = chars[i + 1..i + 1 + close].iter().collect();
                let inner = inner.trim();
                let digits = inner.strip_prefix('-').unwrap_or(inner);
                if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                    match inner.parse::<i64>() {
                        Ok(n) => steps.push(Step::Index(n)),
                        Err(_) => return Err(format!("index `{inner}` is out of range")),
                    }
                    i = i + 2 + close;
                } else if inner.is_empty() {
                    return Err(format!("empty brackets at character {}", i + 1));
                } else {
                    return Ok(None); // wildcard, slice, union, filter
                }
            }
        } else {
            return Err(format!(
                "unexpected `{c}` at character {}: expected '.' or '['",
                i + 1
            ));
        }
    }
    Ok(Some(steps))
}

/// Checks the unquoted keys of a full JSONPath (the dotted parts outside brackets): each is a
/// plain key or the wildcard `*`. jsonpath_lib stops reading at the first character it does not
/// expect and evaluates the rest as if it were not there (`a.b:c` selects `a.b`, `a|b` selects
/// `a`), so such a path would match the wrong thing, or nothing, in silence.
fn check_bare_keys(path: &str) -> Result<(), String> {
    let t = path.trim();
    let t = t.strip_prefix('$').unwrap_or(t);
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut key = String::new();
    let check = |key: &str| -> Result<(), String> {
        if key.is_empty() || key == "*" {
            return Ok(());
        }
        if let Some(bad) = key.chars().find(|c| is_jsonpath_special(*c)) {
            return Err(format!("`{bad}` cannot appear in the unquoted key `{key}`"));
        }
        if key.chars().any(char::is_whitespace) {
            return Err(format!("the key `{key}` contains whitespace"));
        }
        Ok(())
    };
    for c in t.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '[' => {
                if depth == 0 {
                    check(&key)?;
                    key.clear();
                }
                depth += 1;
            }
            ']' => depth = depth.saturating_sub(1),
            '\'' | '"' if depth > 0 => quote = Some(c),
            '.' if depth == 0 => {
                check(&key)?;
                key.clear();
            }
            _ if depth == 0 => key.push(c),
            _ => {}
        }
    }
    check(&key)
}

/// `reason`, plus how to write `path` if it was meant as keys: see [`quoted_form`].
fn with_quoting_hint(path: &str, reason: String) -> String {
    match quoted_form(path) {
        Some((key, quoted)) => format!("{reason}; if `{key}` is one key, write the path as `{quoted}`"),
        None if reason.contains("whitespace") => format!("{reason}; quote such keys as ['...']"),
        None => reason,
    }
}

/// A dotted path whose keys hold JSONPath syntax or whitespace (`@odata.nextLink`,
/// `d.@odata.nextLink`, `next link`), rewritten with everything from the first such key on
/// quoted as one key: `("@odata.nextLink", "$['@odata.nextLink']")`. `None` when the path
/// uses brackets or recursive descent, or has no such key.
pub(crate) fn quoted_form(path: &str) -> Option<(String, String)> {
    let t = path.trim();
    let rest = match t.strip_prefix('$') {
        Some(r) => r.strip_prefix('.')?,
        None => t,
    };
    if rest.contains(['[', ']']) || rest.contains("..") {
        return None;
    }
    let segments: Vec<&str> = rest.split('.').collect();
    if segments.iter().any(|s| s.is_empty() || *s == "*") {
        return None;
    }
    let plain = |s: &str| !s.chars().any(|c| is_jsonpath_special(c) || c.is_whitespace());
    let first_odd = segments.iter().position(|s| !plain(s))?;
    let key = segments[first_odd..].join(".");
    let mut steps: Vec<Step> = segments[..first_odd]
        .iter()
        .map(|s| Step::Key((*s).to_owned()))
        .collect();
    steps.push(Step::Key(key.clone()));
    let rendered = render(&steps);
    let quoted = if rendered.starts_with('[') {
        format!("${rendered}")
    } else {
        format!("$.{rendered}")
    };
    Some((key, quoted))
}

/// Turns a dlt path into the `$`-rooted form jsonpath_lib accepts.
fn normalize(path: &str) -> String {
    let t = path.trim();
    if t.starts_with('$') {
        t.to_owned()
    } else if t.starts_with('[') {
        format!("${t}")
    } else {
        format!("$.{t}")
    }
}

/// Rejects what jsonpath_lib 0.3 is known to panic on, so those fail quietly at parse time.
fn precheck_full(normalized: &str) -> Result<(), String> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut bracket: Option<String> = None;
    for (i, c) in normalized.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '$' if i > 0 => {
                return Err(
                    "`$` may only start the path (jsonpath_lib cannot evaluate it inside a filter)"
                        .to_owned(),
                );
            }
            '[' => bracket = Some(String::new()),
            ']' => {
                if let Some(inner) = bracket.take() {
                    let parts: Vec<&str> = inner.split(':').collect();
                    if parts.len() == 3 && parts[2].trim().parse::<i64>() == Ok(0) {
                        return Err(format!("slice step cannot be zero: [{inner}]"));
                    }
                }
            }
            _ => {
                if let Some(b) = bracket.as_mut() {
                    b.push(c);
                }
            }
        }
    }
    if quote.is_some() {
        return Err("unterminated quoted key".to_owned());
    }
    Ok(())
}

fn compile_full(path: &str) -> Result<Compiled, SelectError> {
    let normalized = normalize(path);
    precheck_full(&normalized).map_err(|r| SelectError::invalid_path(path, r))?;
    let result = catch_unwind(AssertUnwindSafe(|| jsonpath_lib::Compiled::compile(&normalized)));
    match result {
        Ok(Ok(compiled)) => Ok(Compiled::Full {
            normalized,
            compiled: Arc::new(compiled),
        }),
        Ok(Err(msg)) => Err(SelectError::invalid_path(
            path,
            format!("not valid JSONPath: {}", msg.replace('\n', " ")),
        )),
        Err(_) => Err(SelectError::invalid_path(
            path,
            "jsonpath_lib cannot compile this path (it panicked)",
        )),
    }
}

/// Runs a full JSONPath over a value, containing jsonpath_lib panics.
pub(crate) fn eval_full<'v>(
    selector: &Selector,
    compiled: &jsonpath_lib::Compiled,
    value: &'v serde_json::Value,
) -> Result<Vec<&'v serde_json::Value>, SelectError> {
    match catch_unwind(AssertUnwindSafe(|| compiled.select(value))) {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(e)) => Err(SelectError::Evaluate {
            path: selector.as_str().to_owned(),
            reason: e.to_string(),
        }),
        Err(_) => Err(SelectError::Evaluate {
            path: selector.as_str().to_owned(),
            reason: "jsonpath_lib panicked on this path".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests;
