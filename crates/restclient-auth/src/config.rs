//! [`AuthConfig`]: auth from dlt's declarative dicts.
//!
//! Accepts what dlt's `create_auth` accepts as a dict (scenario 132):
//!
//! ```json
//! {"type": "bearer", "token": "..."}
//! {"token": "..."}                                    // no type: bearer, as in dlt
//! {"type": "api_key", "name": "X-API-Key", "api_key": "...", "location": "header"}
//! {"type": "http_basic", "username": "...", "password": "..."}
//! {"type": "oauth2_client_credentials", "access_token_url": "...", "client_id": "...",
//!  "client_secret": "...", "access_token_request_data": {"scope": "read"},
//!  "default_token_expiration": 3600}
//! ```
//!
//! `api_key` defaults: `name` `"Authorization"`, `location` `"header"` (also `query`, its alias
//! `param`, and `cookie`). OAuth also takes `client_auth`: `"request_body"` (default) or
//! `"basic_header"`, our extension; a preset `access_token` is accepted and ignored, as dlt does.
//! `null` counts as absent. Values of `access_token_request_data` may be strings, numbers,
//! booleans (sent as `True`/`False`, like dlt) or lists of those (repeated fields).
//!
//! # Errors
//!
//! An unknown `type`, a missing or unknown field, a value of the wrong kind: each is an
//! [`AuthError::Config`] that names the type and field. AuthError messages describe a wrong value by its
//! kind ("got a number") and never quote it: serde's own messages would (`invalid type: string
//! "s3cr3t"`), so this config is parsed by hand from a `serde_json::Value`. Every field is
//! checked when the config is read, not on the first request.
//!
//! ```
//! use restclient_auth::AuthConfig;
//!
//! let config: AuthConfig = serde_json::from_str(r#"{"token": "s3cr3t-token"}"#).unwrap();
//! assert_eq!(config.kind(), "bearer");
//! let auth = config.build().unwrap(); // an Arc<dyn Authenticate>
//! assert!(!format!("{auth:?} {config:?}").contains("s3cr3t-token"));
//!
//! let err = serde_json::from_str::<AuthConfig>(r#"{"type": "bearer", "token": 42424242}"#).unwrap_err();
//! assert!(err.to_string().contains("`token`") && !err.to_string().contains("42424242"));
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use restclient_core::{Secret, redact};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::{
    ApiKeyLocation, AuthError, BearerToken, ClientAuthMethod, HttpBasic, OAuth2ClientCredentials, SharedAuth,
};

/// The auth types, as dlt's `AUTH_MAP` names them.
pub const AUTH_TYPES: &[&str] = &["bearer", "api_key", "http_basic", "oauth2_client_credentials"];

/// A declarative auth config; see the [module docs](self).
#[derive(Clone)]
#[non_exhaustive]
pub enum AuthConfig {
    /// `{"type": "bearer", "token": ...}`
    Bearer {
        /// The token.
        token: Secret,
    },
    /// `{"type": "api_key", "name": ..., "api_key": ..., "location": ...}`
    ApiKey {
        /// Header, parameter or cookie name (default `Authorization`).
        name: String,
        /// The key.
        api_key: Secret,
        /// Where it goes (default header).
        location: ApiKeyLocation,
    },
    /// `{"type": "http_basic", "username": ..., "password": ...}`
    HttpBasic {
        /// The username.
        username: Secret,
        /// The password.
        password: Secret,
    },
    /// `{"type": "oauth2_client_credentials", ...}`
    OAuth2ClientCredentials {
        /// The token endpoint.
        access_token_url: String,
        /// The client id.
        client_id: Secret,
        /// The client secret.
        client_secret: Secret,
        /// Extra form fields of the token request.
        access_token_request_data: Vec<(String, String)>,
        /// Token lifetime when the response has no `expires_in` (default 3600 s).
        default_token_expiration: Duration,
        /// Where the client credentials go.
        client_auth: ClientAuthMethod,
    },
}

impl AuthConfig {
    /// The config's `type`, as dlt names it.
    pub fn kind(&self) -> &'static str {
        match self {
            AuthConfig::Bearer { .. } => "bearer",
            AuthConfig::ApiKey { .. } => "api_key",
            AuthConfig::HttpBasic { .. } => "http_basic",
            AuthConfig::OAuth2ClientCredentials { .. } => "oauth2_client_credentials",
        }
    }

    /// Reads a config from JSON text.
    ///
    /// # Errors
    /// [`AuthError::Config`] for invalid JSON (position only) or an invalid config.
    pub fn from_json(json: &str) -> Result<AuthConfig, AuthError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            AuthError::Config(format!(
                "not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        AuthConfig::from_value(&value)
    }

    /// Reads a config from a JSON value.
    ///
    /// # Errors
    /// [`AuthError::Config`] naming the type and field that is wrong, and the errors of the
    /// strategy's constructor (a bad header name, say).
    pub fn from_value(value: &Value) -> Result<AuthConfig, AuthError> {
        let Some(map) = value.as_object() else {
            return Err(AuthError::Config(format!(
                "expected a map with a `type` (one of {}), got {}",
                AUTH_TYPES.join(", "),
                kind_of(value)
            )));
        };
        let ty = match map.get("type") {
            None | Some(Value::Null) => "bearer",
            Some(Value::String(s)) => match AUTH_TYPES.iter().find(|t| **t == s.as_str()) {
                Some(t) => t,
                None => {
                    return Err(AuthError::Config(format!(
                        "unknown auth type {}; valid types: {}",
                        show_name(s),
                        AUTH_TYPES.join(", ")
                    )));
                }
            },
            Some(other) => {
                return Err(AuthError::Config(format!(
                    "`type` must be a string, got {}",
                    kind_of(other)
                )));
            }
        };
        let f = Fields { ty, map };
        let config = match ty {
            "bearer" => {
                f.only(&["token"])?;
                AuthConfig::Bearer {
                    token: f.secret("token")?,
                }
            }
            "api_key" => {
                f.only(&["name", "api_key", "location"])?;
                let location = match f.opt_str("location")? {
                    None => ApiKeyLocation::Header,
                    Some(s) => s.parse().map_err(|_| {
                        AuthError::Config(
                            "field `location` of auth type `api_key` must be one of: header, query, param, cookie"
                                .to_owned(),
                        )
                    })?,
                };
                AuthConfig::ApiKey {
                    name: f.opt_str("name")?.unwrap_or_else(|| "Authorization".to_owned()),
                    api_key: f.secret("api_key")?,
                    location,
                }
            }
            "http_basic" => {
                f.only(&["username", "password"])?;
                AuthConfig::HttpBasic {
                    username: f.secret("username")?,
                    password: f.secret("password")?,
                }
            }
            _ => {
                f.only(&[
                    "access_token_url",
                    "client_id",
                    "client_secret",
                    "access_token_request_data",
                    "default_token_expiration",
                    "client_auth",
                    "access_token",
                ])?;
                let client_auth = match f.opt_str("client_auth")?.as_deref() {
                    None | Some("request_body") | Some("client_secret_post") => ClientAuthMethod::RequestBody,
                    Some("basic_header") | Some("client_secret_basic") => ClientAuthMethod::BasicHeader,
                    Some(_) => {
                        return Err(AuthError::Config(
                            "field `client_auth` of auth type `oauth2_client_credentials` must be `request_body` or `basic_header`"
                                .to_owned(),
                        ));
                    }
                };
                AuthConfig::OAuth2ClientCredentials {
                    access_token_url: f.string("access_token_url")?,
                    client_id: f.secret("client_id")?,
                    client_secret: f.secret("client_secret")?,
                    access_token_request_data: f.request_data("access_token_request_data")?,
                    default_token_expiration: f.seconds("default_token_expiration")?,
                    client_auth,
                }
            }
        };
        config.build()?;
        Ok(config)
    }

    /// The strategy this config describes, erased: layer it with
    /// [`AuthLayer::from_arc`](crate::AuthLayer::from_arc).
    ///
    /// # Errors
    /// The errors of the strategy's constructor (already checked when the config was read).
    pub fn build(&self) -> Result<SharedAuth, AuthError> {
        Ok(match self {
            AuthConfig::Bearer { token } => Arc::new(BearerToken::new(token.clone())?),
            AuthConfig::ApiKey {
                name,
                api_key,
                location,
            } => Arc::new(crate::ApiKey::with_location(
                name.clone(),
                api_key.clone(),
                *location,
            )?),
            AuthConfig::HttpBasic { username, password } => {
                Arc::new(HttpBasic::new(username.clone(), password.clone()))
            }
            AuthConfig::OAuth2ClientCredentials {
                access_token_url,
                client_id,
                client_secret,
                access_token_request_data,
                default_token_expiration,
                client_auth,
            } => Arc::new(
                OAuth2ClientCredentials::new(
                    access_token_url.clone(),
                    client_id.clone(),
                    client_secret.clone(),
                )?
                .with_access_token_request_data(access_token_request_data.iter().cloned())
                .with_default_token_expiration(*default_token_expiration)
                .with_client_auth(*client_auth),
            ),
        })
    }
}

impl<'de> Deserialize<'de> for AuthConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        AuthConfig::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthConfig::Bearer { token } => f.debug_struct("Bearer").field("token", token).finish(),
            AuthConfig::ApiKey {
                name,
                api_key,
                location,
            } => f
                .debug_struct("ApiKey")
                .field("name", name)
                .field("api_key", api_key)
                .field("location", location)
                .finish(),
            AuthConfig::HttpBasic { username, password } => f
                .debug_struct("HttpBasic")
                .field("username", username)
                .field("password", password)
                .finish(),
            AuthConfig::OAuth2ClientCredentials {
                access_token_url,
                client_id,
                client_secret,
                access_token_request_data,
                default_token_expiration,
                client_auth,
            } => {
                let keys: Vec<&str> = access_token_request_data
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect();
                f.debug_struct("OAuth2ClientCredentials")
                    .field("access_token_url", &redact::redact_url(access_token_url))
                    .field("client_id", client_id)
                    .field("client_secret", client_secret)
                    .field("access_token_request_data (keys)", &keys)
                    .field("default_token_expiration", default_token_expiration)
                    .field("client_auth", client_auth)
                    .finish()
            }
        }
    }
}

/// The fields of one auth dict, with error messages that name fields and never quote values.
struct Fields<'a> {
    ty: &'static str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn only(&self, allowed: &[&str]) -> Result<(), AuthError> {
        match self
            .map
            .keys()
            .find(|k| k.as_str() != "type" && !allowed.contains(&k.as_str()))
        {
            Some(unknown) => Err(AuthError::Config(format!(
                "unknown field {} for auth type `{}`; expected: {}",
                show_name(unknown),
                self.ty,
                allowed.join(", ")
            ))),
            None => Ok(()),
        }
    }

    fn get(&self, field: &str) -> Option<&Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn wrong(&self, field: &str, expected: &str, got: &Value) -> AuthError {
        AuthError::Config(format!(
            "field `{field}` of auth type `{}` must be {expected}, got {}",
            self.ty,
            kind_of(got)
        ))
    }

    fn opt_str(&self, field: &str) -> Result<Option<String>, AuthError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(field, "a string", other)),
        }
    }

    fn string(&self, field: &str) -> Result<String, AuthError> {
        self.opt_str(field)?
            .ok_or_else(|| AuthError::Config(format!("missing field `{field}` for auth type `{}`", self.ty)))
    }

    fn secret(&self, field: &str) -> Result<Secret, AuthError> {
        self.string(field).map(Secret::new)
    }

    fn seconds(&self, field: &str) -> Result<Duration, AuthError> {
        let expected = "a non-negative number of seconds";
        match self.get(field) {
            None => Ok(Duration::from_secs(3600)),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
                (Some(secs), _) => Ok(Duration::from_secs(secs)),
                (None, Some(secs)) if secs.is_finite() && (0.0..1e12).contains(&secs) => {
                    Ok(Duration::from_secs_f64(secs))
                }
                _ => Err(AuthError::Config(format!(
                    "field `{field}` of auth type `{}` must be {expected}",
                    self.ty
                ))),
            },
            Some(Value::String(s)) => s.trim().parse::<u64>().map(Duration::from_secs).map_err(|_| {
                AuthError::Config(format!(
                    "field `{field}` of auth type `{}` must be {expected}",
                    self.ty
                ))
            }),
            Some(other) => Err(self.wrong(field, expected, other)),
        }
    }

    fn request_data(&self, field: &str) -> Result<Vec<(String, String)>, AuthError> {
        let object = match self.get(field) {
            None => return Ok(Vec::new()),
            Some(Value::Object(object)) => object,
            Some(other) => return Err(self.wrong(field, "a map", other)),
        };
        let mut data = Vec::with_capacity(object.len());
        for (key, value) in object {
            let bad = || {
                AuthError::Config(format!(
                    "value of {} in `{field}` must be a string, number, boolean or a list of them",
                    show_name(key)
                ))
            };
            match value {
                Value::Null => {}
                Value::Array(items) => {
                    for item in items {
                        data.push((key.clone(), scalar(item).ok_or_else(bad)?));
                    }
                }
                other => data.push((key.clone(), scalar(other).ok_or_else(bad)?)),
            }
        }
        Ok(data)
    }
}

/// A form value as Python's `str()` writes it (dlt passes the dict to requests).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        _ => None,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// A key or type name for a message: quoted when it looks like a field name (letters and `_`, at
/// most 32), withheld otherwise: someone may have pasted a credential where a name belongs, and
/// credentials nearly always hold digits or symbols.
fn show_name(name: &str) -> String {
    let looks_like_a_name =
        !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    if looks_like_a_name && redact::redact_text(name) == name {
        format!("`{name}`")
    } else {
        "(name withheld: it does not look like a field name)".to_owned()
    }
}

#[cfg(test)]
mod tests;
