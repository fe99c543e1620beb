//! [`Origin`]: where credentials may go.
//!
//! An origin is a scheme, a host and a port, as in browsers' same-origin rule. A scoped
//! [`AuthLayer`](crate::AuthLayer) authenticates only requests whose URL has exactly that origin;
//! every other request passes through without credentials. Schemes and hosts compare
//! case-insensitively, and a missing port means the scheme's default (80 for `http`, 443 for
//! `https`), so `https://API.example.com` and `https://api.example.com:443/v2` are the same origin.
//! A request URL without a scheme or host matches no origin: when in doubt, no credentials.
//!
//! ```
//! use restclient_auth::Origin;
//!
//! let origin = Origin::from_url("https://api.example.com/v1?x=1").unwrap();
//! assert_eq!(origin.to_string(), "https://api.example.com:443");
//! assert!(origin.matches(&"https://API.example.com:443/v1/items".parse().unwrap()));
//! assert!(!origin.matches(&"http://api.example.com/v1/items".parse().unwrap()));
//! assert!(!origin.matches(&"https://cdn.example.com/file".parse().unwrap()));
//! ```

use std::fmt;
use std::str::FromStr;

use restclient_core::redact;

use crate::AuthError;

/// A scheme, host and port.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute URL (its path, query and fragment are ignored).
    ///
    /// # Errors
    /// [`AuthError::InvalidUrl`] when `url` is not an absolute URL with a host and a known port.
    pub fn from_url(url: &str) -> Result<Origin, AuthError> {
        let invalid = || AuthError::InvalidUrl {
            what: "origin URL",
            url: redact::redact_url(url),
        };
        let parsed = url::Url::parse(url).map_err(|_| invalid())?;
        let host = parsed.host_str().ok_or_else(invalid)?;
        let port = parsed.port_or_known_default().ok_or_else(invalid)?;
        Ok(Origin {
            scheme: parsed.scheme().to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The origin of a request URI; `None` when it has no scheme or host.
    pub fn from_uri(uri: &http::Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().or_else(|| default_port(&scheme))?;
        Some(Origin { scheme, host, port })
    }

    /// Whether `uri` has this origin.
    pub fn matches(&self, uri: &http::Uri) -> bool {
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(&self.scheme) || !host.eq_ignore_ascii_case(&self.host) {
            return false;
        }
        uri.port_u16().or_else(|| default_port(&self.scheme)) == Some(self.port)
    }

    /// The scheme, lower case.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host, lower case (IPv6 addresses in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (explicit or the scheme's default).
    pub fn port(&self) -> u16 {
        self.port
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

impl FromStr for Origin {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Origin, AuthError> {
        Origin::from_url(s)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Origin({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap()
    }

    #[test]
    fn default_ports_and_case() {
        let o = Origin::from_url("HTTP://Example.COM/a").unwrap();
        assert!(o.matches(&uri("http://example.com:80/b?c=d")));
        assert!(o.matches(&uri("http://EXAMPLE.com/")));
        assert!(!o.matches(&uri("http://example.com:8080/")));
        assert!(!o.matches(&uri("https://example.com/")));
        assert!(!o.matches(&uri("http://example.com.evil.net/")));
        assert!(!o.matches(&uri("/relative/path")));
        assert_eq!(Origin::from_uri(&uri("https://h/x")), Some(o_https("h")));
    }

    fn o_https(h: &str) -> Origin {
        Origin::from_url(&format!("https://{h}")).unwrap()
    }

    #[test]
    fn ipv6_and_explicit_ports() {
        let o = Origin::from_url("http://[::1]:3000/").unwrap();
        assert!(o.matches(&uri("http://[::1]:3000/x")));
        assert!(!o.matches(&uri("http://[::1]:3001/x")));
        let o = Origin::from_url("http://127.0.0.1:3000").unwrap();
        assert!(o.matches(&uri("http://127.0.0.1:3000/x")));
    }

    #[test]
    fn invalid_urls_are_errors_that_hide_secrets() {
        let err = Origin::from_url("not a url?token=abcdef-secret").unwrap_err();
        assert!(err.to_string().contains("origin URL"));
        assert!(!err.to_string().contains("abcdef-secret"));
        assert!("mailto:x@y".parse::<Origin>().is_err());
    }
}
