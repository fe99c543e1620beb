use std::fmt;
use std::sync::Arc;

use crate::redact;

/// A credential: a token, password, API key or client secret.
///
/// `Debug` and `Display` print `***`, never the value, so a `Secret` can sit in any struct that
/// derives `Debug`. Creating one also registers its value with [`redact`], so the value is masked
/// wherever restclient writes a URL, header or message, even if it leaked into one by another way,
/// for as long as the `Secret` (or a clone of it) lives: a process creating credentials without
/// end keeps only the live ones registered.
/// Read the value only where it is sent, with [`Secret::expose`].
///
/// ```
/// use restclient_core::Secret;
/// let password = Secret::new("hunter22");
/// assert_eq!(password.to_string(), "***");
/// assert_eq!(password.expose(), "hunter22");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a credential and registers its value for redaction.
    pub fn new(value: impl Into<Arc<str>>) -> Self {
        let value: Arc<str> = value.into();
        if value.len() >= redact::MIN_REGISTERED_LEN {
            redact::hold_secret(&value);
        }
        Secret(value)
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(redact::MASK)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("very-secret-value");
        assert!(!format!("{s:?}").contains("very-secret-value"));
        assert!(!format!("{s}").contains("very-secret-value"));
        assert!(!format!("{:#?}", Some(&s)).contains("very-secret-value"));
        assert_eq!(s.expose(), "very-secret-value");
    }

    #[test]
    fn deserialized_secrets_are_registered() {
        let s: Secret = serde_json::from_str("\"from-config-42\"").unwrap();
        assert_eq!(s.expose(), "from-config-42");
        assert_eq!(redact::redact_text("x from-config-42 y"), "x *** y");
    }
}
