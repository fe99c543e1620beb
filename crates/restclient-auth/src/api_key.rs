//! [`ApiKey`]: an API key in a header, a query parameter or a cookie.
//!
//! dlt's `APIKeyAuth(name="Authorization", api_key=..., location="header")`:
//!
//! - **header** (default): `<name>: <api_key>`, the raw key with no scheme. The default name is
//!   `Authorization`. The header replaces one of the same name.
//! - **query** (dlt also says `param`): `name=api_key` is appended to the URL's query, after all
//!   other parameters, form-encoded (a space becomes `+`, `&` becomes `%26`). The existing query is
//!   kept byte for byte. If exactly that pair is already there (a `next` link that echoes the key,
//!   say) nothing is added, so a key is never sent twice.
//! - **cookie**: `name=api_key` is appended to the request's `Cookie` header (`a=1; name=key`), or
//!   becomes it. dlt raises `NotImplementedError` here; we support it.
//!
//! Names and values are checked when the strategy is made, so a bad header name or a key that
//! cannot travel in a header fails at construction.
//!
//! ```
//! use restclient_auth::{ApiKey, ApiKeyLocation};
//! let in_header = ApiKey::header("X-API-Key", "k1").unwrap();
//! let raw = ApiKey::new("k2").unwrap(); // Authorization: k2
//! let in_query = ApiKey::query("api_key", "k3");
//! let in_cookie = ApiKey::cookie("session", "k4").unwrap();
//! let from_dlt = ApiKey::with_location("key", "k5", "param".parse::<ApiKeyLocation>().unwrap()).unwrap();
//! assert_eq!(from_dlt.location(), ApiKeyLocation::Query);
//! assert!(!format!("{in_header:?}{raw:?}{in_query:?}{in_cookie:?}").contains("k1"));
//! ```

use std::fmt;
use std::str::FromStr;

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderName, HeaderValue, Uri};
use restclient_core::{Request, Secret};

use crate::{AuthClient, AuthError, AuthFuture, Authenticate};

/// Where an [`ApiKey`] travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeyLocation {
    /// A request header (dlt's default).
    #[default]
    Header,
    /// A query parameter (dlt: `query` or `param`).
    Query,
    /// A cookie.
    Cookie,
}

impl FromStr for ApiKeyLocation {
    type Err = AuthError;

    /// `header`, `query`, `param` (an alias of `query`) or `cookie`.
    fn from_str(s: &str) -> Result<Self, AuthError> {
        match s {
            "header" => Ok(ApiKeyLocation::Header),
            "query" | "param" => Ok(ApiKeyLocation::Query),
            "cookie" => Ok(ApiKeyLocation::Cookie),
            _ => Err(AuthError::Config(
                "api_key `location` must be one of: header, query, param, cookie".to_owned(),
            )),
        }
    }
}

/// Sends an API key in a header, the query or a cookie.
#[derive(Clone)]
pub struct ApiKey {
    name: String,
    api_key: Secret,
    applied: Applied,
}

#[derive(Clone)]
enum Applied {
    Header(HeaderName, HeaderValue),
    /// The form-encoded `name=value` pair, and the pair decoded, to spot it in a query.
    Query(String),
    /// `name=value`.
    Cookie(String),
}

impl ApiKey {
    /// The key in the `Authorization` header, raw (dlt's defaults).
    ///
    /// # Errors
    /// [`AuthError::InvalidCredential`] when the key cannot be a header value.
    pub fn new(api_key: impl Into<Secret>) -> Result<ApiKey, AuthError> {
        ApiKey::header(AUTHORIZATION.as_str(), api_key)
    }

    /// The key in header `name`.
    ///
    /// # Errors
    /// [`AuthError::InvalidName`] for a bad header name, [`AuthError::InvalidCredential`] for a key that
    /// cannot be a header value.
    pub fn header(name: impl Into<String>, api_key: impl Into<Secret>) -> Result<ApiKey, AuthError> {
        ApiKey::with_location(name, api_key, ApiKeyLocation::Header)
    }

    /// The key as query parameter `name`. Any name and key can be encoded, so this cannot fail.
    pub fn query(name: impl Into<String>, api_key: impl Into<Secret>) -> ApiKey {
        let name = name.into();
        let api_key = api_key.into();
        let pair = form_urlencoded::Serializer::new(String::new())
            .append_pair(&name, api_key.expose())
            .finish();
        ApiKey {
            name,
            api_key,
            applied: Applied::Query(pair),
        }
    }

    /// The key as cookie `name`.
    ///
    /// # Errors
    /// [`AuthError::InvalidName`] for a name that is not a cookie token, [`AuthError::InvalidCredential`]
    /// for a key with `;`, whitespace or control characters.
    pub fn cookie(name: impl Into<String>, api_key: impl Into<Secret>) -> Result<ApiKey, AuthError> {
        ApiKey::with_location(name, api_key, ApiKeyLocation::Cookie)
    }

    /// The key named `name` in `location` (dlt's three parameters).
    ///
    /// # Errors
    /// As [`ApiKey::header`] and [`ApiKey::cookie`].
    pub fn with_location(
        name: impl Into<String>,
        api_key: impl Into<Secret>,
        location: ApiKeyLocation,
    ) -> Result<ApiKey, AuthError> {
        let name = name.into();
        let api_key = api_key.into();
        let applied = match location {
            ApiKeyLocation::Query => return Ok(ApiKey::query(name, api_key)),
            ApiKeyLocation::Header => {
                let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| AuthError::InvalidName {
                    what: "header",
                    name: name.clone(),
                })?;
                let mut value =
                    HeaderValue::from_str(api_key.expose()).map_err(|_| AuthError::InvalidCredential {
                        what: "API key for a header",
                    })?;
                value.set_sensitive(true);
                Applied::Header(header, value)
            }
            ApiKeyLocation::Cookie => {
                if name.is_empty() || !name.bytes().all(is_cookie_name_byte) {
                    return Err(AuthError::InvalidName { what: "cookie", name });
                }
                if !api_key.expose().bytes().all(is_cookie_value_byte) {
                    return Err(AuthError::InvalidCredential {
                        what: "API key for a cookie",
                    });
                }
                Applied::Cookie(format!("{name}={}", api_key.expose()))
            }
        };
        Ok(ApiKey {
            name,
            api_key,
            applied,
        })
    }

    /// The header, parameter or cookie name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key.
    pub fn api_key(&self) -> &Secret {
        &self.api_key
    }

    /// Where the key goes.
    pub fn location(&self) -> ApiKeyLocation {
        match self.applied {
            Applied::Header(..) => ApiKeyLocation::Header,
            Applied::Query(_) => ApiKeyLocation::Query,
            Applied::Cookie(_) => ApiKeyLocation::Cookie,
        }
    }

    fn apply(&self, request: &mut Request) -> Result<(), AuthError> {
        match &self.applied {
            Applied::Header(name, value) => {
                request.headers_mut().insert(name.clone(), value.clone());
            }
            Applied::Query(pair) => {
                let already_there = request.uri().query().is_some_and(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .any(|(k, v)| k == self.name.as_str() && v == self.api_key.expose())
                });
                if !already_there {
                    *request.uri_mut() = append_query(request.uri(), pair)?;
                }
            }
            Applied::Cookie(cookie) => {
                let headers = request.headers_mut();
                let mut combined = Vec::new();
                for value in headers.get_all(COOKIE) {
                    combined.extend_from_slice(value.as_bytes());
                    combined.extend_from_slice(b"; ");
                }
                combined.extend_from_slice(cookie.as_bytes());
                let mut value =
                    HeaderValue::from_bytes(&combined).map_err(|_| AuthError::InvalidCredential {
                        what: "Cookie header with the API key",
                    })?;
                value.set_sensitive(true);
                headers.insert(COOKIE, value);
            }
        }
        Ok(())
    }
}

/// `uri` with `pair` appended to its query (after every existing parameter).
pub(crate) fn append_query(uri: &Uri, pair: &str) -> Result<Uri, AuthError> {
    let path = match uri.path() {
        "" => "/",
        path => path,
    };
    let path_and_query = match uri.query() {
        Some(query) if !query.is_empty() => format!("{path}?{query}&{pair}"),
        _ => format!("{path}?{pair}"),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().map_err(|_| AuthError::InvalidCredential {
        what: "URL with the API key",
    })?);
    Uri::from_parts(parts).map_err(|_| AuthError::InvalidCredential {
        what: "URL with the API key",
    })
}

/// RFC 6265 cookie-name: an RFC 7230 token.
fn is_cookie_name_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// RFC 6265 cookie-octet, less strict about `,` and `\` (some APIs use them; browsers accept them).
fn is_cookie_value_byte(b: u8) -> bool {
    b.is_ascii_graphic() && b != b';' && b != b'"'
}

impl Authenticate for ApiKey {
    fn authenticate(&self, mut request: Request, _client: &AuthClient) -> AuthFuture {
        AuthFuture::ready(self.apply(&mut request).map(|()| request))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("name", &self.name)
            .field("api_key", &format_args!("***"))
            .field("location", &self.location())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthLayer;
    use crate::test_support::{get, http_client, send};
    use bytes::Bytes;
    use proptest::prelude::*;
    use restclient_testkit::{Reply, TestServer};
    use tower::Layer;

    async fn applied(auth: &ApiKey, request: Request) -> Request {
        auth.authenticate(request, &AuthClient::unavailable())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn header_defaults_to_raw_authorization() {
        // scenario 107
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        for (auth, name, value) in [
            (ApiKey::header("X-API-Key", "k1").unwrap(), "x-api-key", "k1"),
            (ApiKey::new("k2").unwrap(), "authorization", "k2"),
        ] {
            server.clear_requests();
            let mut svc = AuthLayer::new(auth).layer(http_client());
            send(&mut svc, get(&server.url("/r"))).await.unwrap();
            assert_eq!(server.requests()[0].header(name), Some(value));
        }
    }

    #[tokio::test]
    async fn query_key_is_appended_after_existing_params() {
        // scenario 108
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        let mut svc = AuthLayer::new(ApiKey::query("key", "k3")).layer(http_client());
        send(&mut svc, get(&server.url("/r?a=1"))).await.unwrap();
        send(&mut svc, get(&server.url("/r"))).await.unwrap();
        send(&mut svc, get(&server.url("/r?offset=0&limit=1")))
            .await
            .unwrap();
        let seen = server.requests();
        assert_eq!(seen[0].query(), "a=1&key=k3");
        assert_eq!(seen[1].query(), "key=k3");
        assert_eq!(seen[2].query(), "offset=0&limit=1&key=k3");
    }

    #[tokio::test]
    async fn query_values_are_percent_encoded_and_existing_query_kept_verbatim() {
        let auth = ApiKey::query("api key", "a&b=c d/é");
        let out = applied(&auth, get("http://h/p?x=%20y&z")).await;
        assert_eq!(
            out.uri().to_string(),
            "http://h/p?x=%20y&z&api+key=a%26b%3Dc+d%2F%C3%A9"
        );
        let pairs: Vec<_> = form_urlencoded::parse(out.uri().query().unwrap().as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs.last().unwrap(), &("api key".into(), "a&b=c d/é".into()));
        // no path at all
        let out = applied(&auth, get("http://h")).await;
        assert_eq!(out.uri().path(), "/");
    }

    #[tokio::test]
    async fn the_same_pair_is_not_sent_twice() {
        let auth = ApiKey::query("key", "k3");
        let out = applied(&auth, get("http://h/p?key=k3&page=2")).await;
        assert_eq!(out.uri().query(), Some("key=k3&page=2"));
        let out = applied(&auth, get("http://h/p?key=other")).await;
        assert_eq!(out.uri().query(), Some("key=other&key=k3"));
    }

    #[tokio::test]
    async fn cookie_is_appended_to_existing_cookies() {
        // row 9: dlt raises NotImplementedError
        let server = TestServer::start().await;
        server.route("/r", Reply::text("ok"));
        let mut svc = AuthLayer::new(ApiKey::cookie("session", "k4").unwrap()).layer(http_client());
        let mut req = get(&server.url("/r"));
        req.headers_mut().insert(COOKIE, HeaderValue::from_static("a=1"));
        send(&mut svc, req).await.unwrap();
        send(&mut svc, get(&server.url("/r"))).await.unwrap();
        let seen = server.requests();
        assert_eq!(seen[0].header("cookie"), Some("a=1; session=k4"));
        assert_eq!(seen[1].header("cookie"), Some("session=k4"));
    }

    #[test]
    fn invalid_names_and_values_fail_at_construction_without_the_key() {
        let err = ApiKey::header("bad name", "apikey-secret-1").unwrap_err();
        assert!(err.to_string().contains("bad name"));
        let err = ApiKey::header("x-k", "apikey-secret-2\n").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("apikey-secret-2"));
        let err = ApiKey::cookie("c", "apikey;secret-3").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("apikey;secret-3"));
        assert!(ApiKey::cookie("a=b", "x").is_err());
        assert!("body".parse::<ApiKeyLocation>().is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        for auth in [
            ApiKey::new("apikey-dbg-1").unwrap(),
            ApiKey::query("k", "apikey-dbg-1"),
            ApiKey::cookie("k", "apikey-dbg-1").unwrap(),
        ] {
            assert!(!format!("{auth:?}").contains("apikey-dbg-1"));
        }
    }

    proptest! {
        #[test]
        fn query_merge_never_drops_or_duplicates(
            existing in proptest::collection::vec(("[a-z%+ &=é]{0,6}", "[a-z0-9%+ &=é]{0,6}"), 0..6),
            name in "[a-zA-Z_ &=é]{1,8}",
            value in "[a-zA-Z0-9 &=/é]{0,8}",
        ) {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &existing {
                ser.append_pair(k, v);
            }
            let query = ser.finish();
            let uri: Uri = format!("http://h/p?{query}").parse().unwrap();
            let auth = ApiKey::query(name.clone(), value.clone());
            let mut request = Request::new(Bytes::new());
            *request.uri_mut() = uri;
            let out = auth.authenticate(request, &AuthClient::unavailable());
            let out = futures_util::FutureExt::now_or_never(out).unwrap().unwrap();
            let got: Vec<(String, String)> =
                form_urlencoded::parse(out.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
            let mut expected = existing.clone();
            if !existing.iter().any(|(k, v)| *k == name && *v == value) {
                expected.push((name, value));
            }
            prop_assert_eq!(got, expected);
            // the existing query is a prefix, byte for byte
            prop_assert!(out.uri().query().unwrap_or("").starts_with(&query));
        }
    }
}
