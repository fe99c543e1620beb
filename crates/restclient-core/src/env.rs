//! `${NAME}` in configuration values, read from the environment.
//!
//! Secrets belong in the environment (or a file), not on a command line where every local user sees
//! them in `ps`, nor in a config file under version control. Any value that the CLI or a source
//! config takes may therefore say `${API_TOKEN}`; the reference is replaced by the variable's value
//! before anything else reads it. An unset variable is an error naming it — never an empty string
//! sent to an API. Only `${` followed by a name (`[A-Za-z_][A-Za-z0-9_]*`) and `}` is a reference;
//! any other `$` is kept as it is, and `$${NAME}` writes `${NAME}` literally.
//!
//! ```
//! use restclient_core::env::expand;
//! # let path = std::env::var("PATH").unwrap();
//! assert_eq!(expand("Bearer ${PATH}").unwrap(), format!("Bearer {path}"));
//! assert_eq!(expand("price: $5, literal $${PATH}").unwrap(), "price: $5, literal ${PATH}");
//! let e = expand("${RESTCLIENT_SURELY_UNSET_VARIABLE}").unwrap_err();
//! assert_eq!(e.name(), "RESTCLIENT_SURELY_UNSET_VARIABLE");
//! ```

use std::borrow::Cow;

/// A `${NAME}` whose variable is not set (or not valid UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {name} is not set (referenced as ${{{name}}})")]
pub struct UnsetVariable {
    name: String,
}

impl UnsetVariable {
    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Replaces every `${NAME}` in `text` with the environment variable's value.
///
/// # Errors
/// [`UnsetVariable`] for the first reference whose variable is not set.
pub fn expand(text: &str) -> Result<Cow<'_, str>, UnsetVariable> {
    expand_with(text, |name| std::env::var(name).ok())
}

/// [`expand`] with another source of values (a map in tests, a config's own table).
///
/// # Errors
/// [`UnsetVariable`] for the first reference `lookup` cannot resolve.
pub fn expand_with(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Cow<'_, str>, UnsetVariable> {
    if !text.contains("${") {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Each round consumes at least one byte of `rest`, so the loop ends.
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(escaped) = after.strip_prefix("${") {
            out.push_str("${");
            rest = escaped;
            continue;
        }
        match reference(after) {
            Some((name, len)) => {
                let value = lookup(name).ok_or_else(|| UnsetVariable {
                    name: name.to_owned(),
                })?;
                out.push_str(&value);
                rest = &after[len..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// `{NAME}` at the start of `text`: the name and the length of `{NAME}`.
fn reference(text: &str) -> Option<(&str, usize)> {
    let inner = text.strip_prefix('{')?;
    let end = inner.find('}')?;
    let name = &inner[..end];
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((name, end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("t-1".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn references_are_replaced() {
        assert_eq!(expand_with("Bearer ${TOKEN}", vars).unwrap(), "Bearer t-1");
        assert_eq!(expand_with("${TOKEN}${TOKEN}", vars).unwrap(), "t-1t-1");
        assert_eq!(expand_with("a${EMPTY}b", vars).unwrap(), "ab");
        assert!(matches!(
            expand_with("plain", vars).unwrap(),
            Cow::Borrowed("plain")
        ));
    }

    #[test]
    fn other_dollars_are_kept() {
        for text in [
            "$", "$5", "${", "${}", "${1A}", "${A-B}", "${TOKEN", "$TOKEN", "a$",
        ] {
            assert_eq!(expand_with(text, vars).unwrap(), text, "{text}");
        }
        assert_eq!(expand_with("$${TOKEN}", vars).unwrap(), "${TOKEN}");
    }

    #[test]
    fn unset_names_are_errors_naming_them() {
        let e = expand_with("x ${TOKEN} ${MISSING_1}", vars).unwrap_err();
        assert_eq!(e.name(), "MISSING_1");
        assert!(e.to_string().contains("MISSING_1"));
    }

    proptest! {
        #[test]
        fn never_panics_and_plain_text_is_unchanged(text in ".{0,60}", plain in "[^$]{0,60}") {
            let _ = expand_with(&text, vars);
            prop_assert_eq!(expand_with(&plain, vars).unwrap(), plain.as_str());
        }
    }
}
