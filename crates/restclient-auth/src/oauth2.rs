//! [`OAuth2ClientCredentials`]: the OAuth 2.0 client-credentials grant, with a token cache.
//!
//! dlt's `OAuth2ClientCredentials`, step by step:
//!
//! 1. Before a request is sent, the cached token is used if it has not expired. Otherwise a token
//!    is fetched: a `POST` to `access_token_url` with `Content-Type:
//!    application/x-www-form-urlencoded` and the form `client_id`, `client_secret`,
//!    `grant_type=client_credentials`, then `access_token_request_data` merged last (so it can
//!    override `grant_type`).
//! 2. The token response must be 2xx JSON with an `access_token`. It expires `expires_in` seconds
//!    later (a number or a numeric string); without `expires_in`, after `default_token_expiration`
//!    (3600 s by default). There is no safety margin: `expires_in: 0` means a fresh token for every
//!    request, as in dlt.
//! 3. The request gets `Authorization: Bearer <access_token>`.
//!
//! # Differences from dlt
//!
//! - The token request goes through the [`AuthClient`], i.e. the service *inside* the auth layer,
//!   so the stack's timeout (and retry, when it sits below auth) apply to it.
//! - Concurrent requests that find the token expired share **one** token request (single flight):
//!   the first fetches, the others wait for it and use its token.
//! - A token response without `access_token` is [`AuthError::MissingAccessToken`], naming the token
//!   URL; dlt sends `Authorization: Bearer None` (row 13).
//! - A non-2xx token response is [`AuthError::TokenStatus`] (dlt's message: status and token URL,
//!   never a credential).
//!
//! # Customising the token request
//!
//! dlt users override `build_access_token_request()`. Here, choose
//! [`ClientAuthMethod::BasicHeader`] for servers that want the client credentials in an
//! `Authorization: Basic` header (Zoom, say), or replace the request entirely with
//! [`OAuth2ClientCredentials::with_token_request`].
//!
//! Clones share the token cache.
//!
//! # Example
//!
//! ```
//! use restclient_auth::{ClientAuthMethod, OAuth2ClientCredentials};
//! use std::time::Duration;
//!
//! // Zoom: client credentials in a Basic header, grant_type overridden.
//! let zoom = OAuth2ClientCredentials::new("https://zoom.us/oauth/token", "my-id", "my-secret")
//!     .unwrap()
//!     .with_client_auth(ClientAuthMethod::BasicHeader)
//!     .with_access_token_request_data([("grant_type", "account_credentials"), ("account_id", "acc1")])
//!     .with_default_token_expiration(Duration::from_secs(600));
//! let request = zoom.default_token_request().unwrap();
//! assert_eq!(request.body().as_ref(), b"grant_type=account_credentials&account_id=acc1");
//! assert!(request.headers()["authorization"].to_str().unwrap().starts_with("Basic "));
//! assert!(!format!("{zoom:?}").contains("my-secret"));
//! ```

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Uri};
use restclient_core::{Request, Secret, StatusError, redact};
use tokio::time::Instant;

use crate::basic::basic_header;
use crate::{AuthClient, AuthError, AuthFuture, Authenticate};

/// The longest token lifetime honoured (a year): keeps `Instant` arithmetic far from overflow.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// How the client authenticates itself to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`; dlt's default).
    #[default]
    RequestBody,
    /// `Authorization: Basic base64(client_id:client_secret)`, and only `grant_type` plus the
    /// extra data in the body (`client_secret_basic`; Zoom and others).
    BasicHeader,
}

type TokenRequestFn = dyn Fn(&OAuth2ClientCredentials) -> Result<Request, AuthError> + Send + Sync;

#[derive(Clone)]
struct Settings {
    access_token_url: String,
    client_id: Secret,
    client_secret: Secret,
    request_data: Vec<(String, String)>,
    default_token_expiration: Duration,
    client_auth: ClientAuthMethod,
    token_request: Option<Arc<TokenRequestFn>>,
}

struct Cache {
    token: RwLock<Option<CachedToken>>,
    /// Held while a token is fetched: the single flight.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct CachedToken {
    header: HeaderValue,
    /// Keeps the token registered for redaction while it is in use (and a while after).
    _token: Secret,
    expires_at: Instant,
}

/// OAuth 2.0 client credentials: fetches a token, caches it until it expires, sends it as a
/// bearer token. See the [module docs](self).
#[derive(Clone)]
pub struct OAuth2ClientCredentials {
    settings: Arc<Settings>,
    cache: Arc<Cache>,
}

impl OAuth2ClientCredentials {
    /// Client credentials for the token endpoint `access_token_url`.
    ///
    /// # Errors
    /// [`AuthError::InvalidUrl`] when `access_token_url` is not an absolute URL.
    pub fn new(
        access_token_url: impl Into<String>,
        client_id: impl Into<Secret>,
        client_secret: impl Into<Secret>,
    ) -> Result<OAuth2ClientCredentials, AuthError> {
        let access_token_url = access_token_url.into();
        let valid = access_token_url
            .parse::<Uri>()
            .is_ok_and(|u| u.scheme().is_some() && u.authority().is_some());
        if !valid {
            return Err(AuthError::InvalidUrl {
                what: "OAuth access_token_url",
                url: redact::redact_url(&access_token_url),
            });
        }
        Ok(OAuth2ClientCredentials {
            settings: Arc::new(Settings {
                access_token_url,
                client_id: client_id.into(),
                client_secret: client_secret.into(),
                request_data: Vec::new(),
                default_token_expiration: Duration::from_secs(3600),
                client_auth: ClientAuthMethod::default(),
                token_request: None,
            }),
            cache: Arc::new(Cache {
                token: RwLock::new(None),
                refresh: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// Extra form fields for the token request (dlt's `access_token_request_data`), merged after
    /// the standard ones: a field of the same name replaces a standard one (`grant_type`, say).
    pub fn with_access_token_request_data<I, K, V>(mut self, data: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Arc::make_mut(&mut self.settings).request_data =
            data.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }

    /// How long a token lives when the response has no `expires_in` (default 3600 s).
    pub fn with_default_token_expiration(mut self, expiration: Duration) -> Self {
        Arc::make_mut(&mut self.settings).default_token_expiration = expiration;
        self
    }

    /// Where the client credentials go in the token request (default: the form body).
    pub fn with_client_auth(mut self, method: ClientAuthMethod) -> Self {
        Arc::make_mut(&mut self.settings).client_auth = method;
        self
    }

    /// Builds the token request with `f` instead (dlt's `build_access_token_request`). `f` gets the
    /// strategy, to read its settings or start from [`default_token_request`](Self::default_token_request).
    ///
    /// ```
    /// use restclient_auth::OAuth2ClientCredentials;
    /// let auth = OAuth2ClientCredentials::new("https://auth.example.com/token", "id", "secret")
    ///     .unwrap()
    ///     .with_token_request(|oauth| {
    ///         let mut request = oauth.default_token_request()?;
    ///         request.headers_mut().insert("x-tenant", http::HeaderValue::from_static("t1"));
    ///         Ok(request)
    ///     });
    /// # let _ = auth;
    /// ```
    pub fn with_token_request<F>(mut self, f: F) -> Self
    where
        F: Fn(&OAuth2ClientCredentials) -> Result<Request, AuthError> + Send + Sync + 'static,
    {
        Arc::make_mut(&mut self.settings).token_request = Some(Arc::new(f));
        self
    }

    /// The token endpoint.
    pub fn access_token_url(&self) -> &str {
        &self.settings.access_token_url
    }

    /// The client id.
    pub fn client_id(&self) -> &Secret {
        &self.settings.client_id
    }

    /// The client secret.
    pub fn client_secret(&self) -> &Secret {
        &self.settings.client_secret
    }

    /// The extra form fields of the token request.
    pub fn access_token_request_data(&self) -> &[(String, String)] {
        &self.settings.request_data
    }

    /// The token lifetime used when the response has no `expires_in`.
    pub fn default_token_expiration(&self) -> Duration {
        self.settings.default_token_expiration
    }

    /// Where the client credentials go.
    pub fn client_auth(&self) -> ClientAuthMethod {
        self.settings.client_auth
    }

    /// Forgets the cached token, so the next request fetches a new one (after a 401, say).
    pub fn invalidate(&self) {
        *self.cache.token.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The token request that [`ClientAuthMethod`] describes, before any
    /// [`with_token_request`](Self::with_token_request) hook.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredential`] when the client credentials cannot go in a header
    /// ([`ClientAuthMethod::BasicHeader`] cannot fail; this is for completeness).
    pub fn default_token_request(&self) -> Result<Request, AuthError> {
        let s = &self.settings;
        let mut pairs: Vec<(&str, &str)> = match s.client_auth {
            ClientAuthMethod::RequestBody => vec![
                ("client_id", s.client_id.expose()),
                ("client_secret", s.client_secret.expose()),
                ("grant_type", "client_credentials"),
            ],
            ClientAuthMethod::BasicHeader => vec![("grant_type", "client_credentials")],
        };
        let standard = pairs.len();
        let mut replaced = vec![false; standard];
        for (key, value) in &s.request_data {
            let slot = (0..standard).find(|&i| pairs[i].0 == key.as_str() && !replaced[i]);
            match slot {
                Some(i) => {
                    pairs[i].1 = value;
                    replaced[i] = true;
                }
                None => pairs.push((key, value)),
            }
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut builder = http::Request::builder()
            .method(Method::POST)
            .uri(s.access_token_url.as_str())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json");
        if s.client_auth == ClientAuthMethod::BasicHeader {
            builder = builder.header(AUTHORIZATION, basic_header(&s.client_id, &s.client_secret));
        }
        builder
            .body(Bytes::from(body))
            .map_err(|_| AuthError::InvalidUrl {
                what: "OAuth access_token_url",
                url: redact::redact_url(&s.access_token_url),
            })
    }

    fn cached(&self) -> Option<HeaderValue> {
        let token = self.cache.token.read().unwrap_or_else(|e| e.into_inner());
        token
            .as_ref()
            .filter(|t| Instant::now() < t.expires_at)
            .map(|t| t.header.clone())
    }

    /// The `Authorization` value to send: cached, or fetched once for all concurrent callers.
    async fn token_header(&self, client: &AuthClient) -> Result<HeaderValue, AuthError> {
        let _flight = self.cache.refresh.lock().await;
        // Someone else may have fetched while we waited.
        if let Some(header) = self.cached() {
            return Ok(header);
        }
        let token = self.fetch(client).await?;
        let header = token.header.clone();
        *self.cache.token.write().unwrap_or_else(|e| e.into_inner()) = Some(token);
        Ok(header)
    }

    async fn fetch(&self, client: &AuthClient) -> Result<CachedToken, AuthError> {
        let request = match &self.settings.token_request {
            Some(build) => build(self)?,
            None => self.default_token_request()?,
        };
        let method = request.method().clone();
        let url = request.uri().to_string();
        tracing::debug!(url = %redact::redact_url(&url), "requesting an OAuth access token");
        let response = client
            .send(request)
            .await
            .map_err(|e| AuthError::token_request(&url, e))?;
        if !response.status().is_success() {
            return Err(AuthError::TokenStatus(StatusError::from_response(
                &method, &url, &response,
            )));
        }
        let (token, header, lifetime) =
            parse_token_response(&url, response.body(), self.settings.default_token_expiration)?;
        Ok(CachedToken {
            header,
            _token: token,
            expires_at: Instant::now() + lifetime.min(MAX_TOKEN_LIFETIME),
        })
    }
}

/// Reads `access_token` and `expires_in` from a token response body.
///
/// The token comes back as a [`Secret`], so it is masked wherever it might appear while it is
/// cached (a dropped `Secret` leaves the redaction registry soon after: rotating tokens do not
/// grow it), and as the sensitive header value to send. The token is never put in any message.
fn parse_token_response(
    url: &str,
    body: &[u8],
    default: Duration,
) -> Result<(Secret, HeaderValue, Duration), AuthError> {
    let invalid = |reason| AuthError::InvalidTokenResponse {
        url: redact::redact_url(url),
        reason,
    };
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| invalid("the body is not JSON"))?;
    let object = json
        .as_object()
        .ok_or_else(|| invalid("the body is not a JSON object"))?;
    let token = match object.get("access_token") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => {
            return Err(AuthError::MissingAccessToken {
                url: redact::redact_url(url),
            });
        }
    };
    let lifetime = match object.get("expires_in") {
        None | Some(serde_json::Value::Null) => default,
        Some(serde_json::Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(secs), _) => Duration::from_secs(secs),
            (None, Some(secs)) if secs.is_finite() && secs > 0.0 => {
                Duration::from_secs_f64(secs.min(MAX_TOKEN_LIFETIME.as_secs_f64()))
            }
            _ => Duration::ZERO,
        },
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(|secs| Duration::from_secs(secs.max(0).unsigned_abs()))
            .map_err(|_| invalid("`expires_in` is not a whole number of seconds"))?,
        Some(_) => return Err(invalid("`expires_in` is not a number")),
    };
    let mut header =
        HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| AuthError::InvalidCredential {
            what: "OAuth access token",
        })?;
    header.set_sensitive(true);
    Ok((Secret::new(token), header, lifetime))
}

impl Authenticate for OAuth2ClientCredentials {
    fn authenticate(&self, mut request: Request, client: &AuthClient) -> AuthFuture {
        if let Some(header) = self.cached() {
            request.headers_mut().insert(AUTHORIZATION, header);
            return AuthFuture::ready(Ok(request));
        }
        let this = self.clone();
        let client = client.clone();
        AuthFuture::new(async move {
            let header = this.token_header(&client).await?;
            request.headers_mut().insert(AUTHORIZATION, header);
            Ok(request)
        })
    }
}

impl fmt::Debug for OAuth2ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        let data_keys: Vec<&str> = s.request_data.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OAuth2ClientCredentials")
            .field("access_token_url", &redact::redact_url(&s.access_token_url))
            .field("client_id", &s.client_id)
            .field("client_secret", &s.client_secret)
            .field("access_token_request_data (keys)", &data_keys)
            .field("default_token_expiration", &s.default_token_expiration)
            .field("client_auth", &s.client_auth)
            .field("custom_token_request", &s.token_request.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests;
