//! [`BearerToken`]: `Authorization: Bearer <token>`.
//!
//! dlt's `BearerTokenAuth(token=...)`. The header replaces any `Authorization` the request had.
//! The header value is built once, when the strategy is made, and marked sensitive (HTTP/2 never
//! indexes it); a token that cannot be a header value (a newline in it, say) is an error then, not
//! on the first request.
//!
//! ```
//! use restclient_auth::BearerToken;
//! let auth = BearerToken::new("s3cr3t-t0ken").unwrap();
//! assert_eq!(format!("{auth:?}"), "BearerToken { token: *** }");
//! assert!(BearerToken::new("bad\ntoken").is_err());
//! ```

use std::fmt;

use http::HeaderValue;
use http::header::AUTHORIZATION;
use restclient_core::{Request, Secret};

use crate::{AuthClient, AuthError, AuthFuture, Authenticate};

/// Sends `Authorization: Bearer <token>` with every request.
#[derive(Clone)]
pub struct BearerToken {
    token: Secret,
    header: HeaderValue,
}

impl BearerToken {
    /// A bearer token strategy.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredential`] when the token cannot be sent in a header.
    pub fn new(token: impl Into<Secret>) -> Result<BearerToken, AuthError> {
        let token = token.into();
        let header = bearer_header(&token, "bearer token")?;
        Ok(BearerToken { token, header })
    }

    /// The token.
    pub fn token(&self) -> &Secret {
        &self.token
    }
}

/// `Bearer <token>` as a sensitive header value.
pub(crate) fn bearer_header(token: &Secret, what: &'static str) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose()))
        .map_err(|_| AuthError::InvalidCredential { what })?;
    value.set_sensitive(true);
    Ok(value)
}

impl Authenticate for BearerToken {
    fn authenticate(&self, mut request: Request, _client: &AuthClient) -> AuthFuture {
        request.headers_mut().insert(AUTHORIZATION, self.header.clone());
        AuthFuture::ready(Ok(request))
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &format_args!("***"))
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
    async fn sends_bearer_header_and_replaces_an_existing_one() {
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        let mut svc = AuthLayer::new(BearerToken::new("tkn").unwrap()).layer(http_client());
        let mut req = get(&server.url("/r"));
        req.headers_mut()
            .insert(AUTHORIZATION, HeaderValue::from_static("Basic old"));
        let resp = send(&mut svc, req).await.unwrap();
        assert_eq!(resp.status(), 200);
        let seen = server.requests();
        assert_eq!(seen[0].header("authorization"), Some("Bearer tkn"));
        assert_eq!(seen[0].headers.get_all("authorization").iter().count(), 1);
    }

    #[test]
    fn debug_and_errors_hide_the_token() {
        let auth = BearerToken::new("bearer-secret-1").unwrap();
        assert!(!format!("{auth:?}").contains("bearer-secret-1"));
        assert!(!format!("{:?}", AuthLayer::new(auth)).contains("bearer-secret-1"));
        let err = BearerToken::new("bearer-secret-2\r\n").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("bearer-secret-2"));
    }
}
