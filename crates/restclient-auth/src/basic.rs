//! [`HttpBasic`]: `Authorization: Basic base64(utf8("<username>:<password>"))`.
//!
//! dlt's `HttpBasicAuth(username, password)`. The credentials are encoded as UTF-8 before base64,
//! so non-ASCII passwords work (`"user":"pä"` gives `dXNlcjpww6Q=`). The username is kept as a
//! [`Secret`] too: some APIs (Stripe, say) take the API key as the username.
//!
//! ```
//! use restclient_auth::HttpBasic;
//! let auth = HttpBasic::new("user", "pä");
//! assert_eq!(auth.header_value().to_str().unwrap(), "Basic dXNlcjpww6Q=");
//! assert!(!format!("{auth:?}").contains("pä"));
//! ```

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use http::header::AUTHORIZATION;
use restclient_core::{Request, Secret};

use crate::{AuthClient, AuthFuture, Authenticate};

/// Sends `Authorization: Basic ...` with every request.
#[derive(Clone)]
pub struct HttpBasic {
    username: Secret,
    password: Secret,
    header: HeaderValue,
}

impl HttpBasic {
    /// A basic-auth strategy. Any username and password can be encoded, so this cannot fail.
    pub fn new(username: impl Into<Secret>, password: impl Into<Secret>) -> HttpBasic {
        let username = username.into();
        let password = password.into();
        let header = basic_header(&username, &password);
        HttpBasic {
            username,
            password,
            header,
        }
    }

    /// The username.
    pub fn username(&self) -> &Secret {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &Secret {
        &self.password
    }

    /// The `Authorization` header value this strategy sends (marked sensitive).
    pub fn header_value(&self) -> &HeaderValue {
        &self.header
    }
}

/// `Basic base64(utf8("user:password"))`, marked sensitive.
pub(crate) fn basic_header(username: &Secret, password: &Secret) -> HeaderValue {
    let encoded = STANDARD.encode(format!("{}:{}", username.expose(), password.expose()));
    // Base64 output is ASCII letters, digits, '+', '/' and '=': always a valid header value.
    let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

impl Authenticate for HttpBasic {
    fn authenticate(&self, mut request: Request, _client: &AuthClient) -> AuthFuture {
        request.headers_mut().insert(AUTHORIZATION, self.header.clone());
        AuthFuture::ready(Ok(request))
    }
}

impl fmt::Debug for HttpBasic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpBasic")
            .field("username", &format_args!("***"))
            .field("password", &format_args!("***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthLayer;
    use crate::test_support::{get, http_client, send};
    use restclient_testkit::{Reply, TestServer};
    use tower::Layer;

    #[tokio::test]
    async fn utf8_credentials_are_base64_encoded() {
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        let mut svc = AuthLayer::new(HttpBasic::new("user", "pä")).layer(http_client());
        send(&mut svc, get(&server.url("/r"))).await.unwrap();
        let header = server.requests()[0].header("authorization").unwrap().to_owned();
        let encoded = header.strip_prefix("Basic ").unwrap();
        assert_eq!(STANDARD.decode(encoded).unwrap(), "user:pä".as_bytes());
    }

    #[test]
    fn debug_hides_both_fields() {
        let auth = HttpBasic::new("basic-user-9", "basic-pass-9");
        let dbg = format!("{auth:?}");
        assert!(!dbg.contains("basic-user-9") && !dbg.contains("basic-pass-9"));
    }
}
