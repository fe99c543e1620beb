//! Declarative paginator configuration: dlt's `{"type": "offset", "limit": 100, ...}` dicts and
//! bare type names (dlt §1.13).
//!
//! | `type` | paginator |
//! |---|---|
//! | `json_link`, `json_response` (deprecated alias) | [`JsonLinkPaginator`](crate::JsonLinkPaginator) |
//! | `header_link` | [`HeaderLinkPaginator`](crate::HeaderLinkPaginator) |
//! | `header_cursor` | [`HeaderCursorPaginator`](crate::HeaderCursorPaginator) |
//! | `cursor` | [`JsonResponseCursorPaginator`](crate::JsonResponseCursorPaginator) |
//! | `offset` | [`OffsetPaginator`](crate::OffsetPaginator) (needs `limit`, so the bare name is an error) |
//! | `page_number` | [`PageNumberPaginator`](crate::PageNumberPaginator) |
//! | `single_page` | [`SinglePagePaginator`] |
//! | `auto` (also `{}` and a dict without `type`) | none: detect from the first response |
//!
//! The other keys of a dict are the paginator's parameters, with dlt's names and defaults. JSON
//! `null` turns a default off (`"total_path": null`). An unknown type or parameter is an error
//! naming it. Parameters are validated when the config is read, so a bad config fails before the
//! first request.
//!
//! # Paths that are not JSONPath (differs from dlt)
//! `next_url_path`, `cursor_path`, `total_path` and `has_more_path` (and the client's
//! `data_selector`) are compiled when the config is read. dlt reads an unquoted
//! `"next_url_path": "@odata.nextLink"` as the keys `@odata` then `nextLink`, which match nothing:
//! it returns page 1 and stops, silently. Here a key holding JSONPath syntax (`@`, `:`, `|`, `(`,
//! ...) or whitespace is a config error that names the option and the path and says how to write
//! it: `$['@odata.nextLink']`. (Deviation 16 of the spec.)
//!
//! ```
//! use restclient_paginate::PaginatorConfig;
//!
//! let cfg: PaginatorConfig = serde_json::from_str(r#"{"type": "offset", "limit": 100, "total_path": null}"#).unwrap();
//! let paginator = cfg.build().unwrap().expect("not auto");
//! assert_eq!(paginator.name(), "offset");
//!
//! let auto: PaginatorConfig = serde_json::from_str(r#""auto""#).unwrap();
//! assert!(auto.build().unwrap().is_none());
//!
//! let err = serde_json::from_str::<PaginatorConfig>(r#"{"type": "offset", "limit": 1, "limitt": 2}"#).unwrap_err();
//! assert!(err.to_string().contains("unknown field `limitt`"));
//! ```

use std::str::FromStr;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{
    CursorConfig, HeaderCursorConfig, HeaderLinkConfig, JsonLinkConfig, OffsetConfig, PageNumberConfig,
    PaginateError, Paginator, SinglePagePaginator,
};

/// The paginator type names a config accepts.
pub const PAGINATOR_TYPES: [&str; 9] = [
    "json_link",
    "json_response",
    "header_link",
    "header_cursor",
    "cursor",
    "offset",
    "page_number",
    "single_page",
    "auto",
];

/// A paginator described as data; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum PaginatorConfig {
    /// Detect the paginator from the first response.
    #[default]
    Auto,
    /// [`SinglePagePaginator`].
    SinglePage,
    /// [`JsonLinkPaginator`](crate::JsonLinkPaginator).
    JsonLink(JsonLinkConfig),
    /// [`HeaderLinkPaginator`](crate::HeaderLinkPaginator).
    HeaderLink(HeaderLinkConfig),
    /// [`OffsetPaginator`](crate::OffsetPaginator).
    Offset(OffsetConfig),
    /// [`PageNumberPaginator`](crate::PageNumberPaginator).
    PageNumber(PageNumberConfig),
    /// [`JsonResponseCursorPaginator`](crate::JsonResponseCursorPaginator).
    Cursor(CursorConfig),
    /// [`HeaderCursorPaginator`](crate::HeaderCursorPaginator).
    HeaderCursor(HeaderCursorConfig),
}

impl PaginatorConfig {
    /// Builds the paginator; `None` for [`PaginatorConfig::Auto`].
    pub fn build(&self) -> Result<Option<Box<dyn Paginator>>, PaginateError> {
        Ok(Some(match self {
            PaginatorConfig::Auto => return Ok(None),
            PaginatorConfig::SinglePage => Box::new(SinglePagePaginator::new()),
            PaginatorConfig::JsonLink(c) => Box::new(c.clone().build()?),
            PaginatorConfig::HeaderLink(c) => Box::new(c.clone().build()),
            PaginatorConfig::Offset(c) => Box::new(c.clone().build()?),
            PaginatorConfig::PageNumber(c) => Box::new(c.clone().build()?),
            PaginatorConfig::Cursor(c) => Box::new(c.clone().build()?),
            PaginatorConfig::HeaderCursor(c) => Box::new(c.clone().build()?),
        }))
    }

    /// The config's type name (`"offset"`, `"auto"`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            PaginatorConfig::Auto => "auto",
            PaginatorConfig::SinglePage => "single_page",
            PaginatorConfig::JsonLink(_) => "json_link",
            PaginatorConfig::HeaderLink(_) => "header_link",
            PaginatorConfig::Offset(_) => "offset",
            PaginatorConfig::PageNumber(_) => "page_number",
            PaginatorConfig::Cursor(_) => "cursor",
            PaginatorConfig::HeaderCursor(_) => "header_cursor",
        }
    }

    /// Reads a config from a JSON value (a type name or a dict) and validates it.
    pub fn from_value(value: Value) -> Result<PaginatorConfig, PaginateError> {
        let (type_name, params) = match value {
            Value::String(name) => (name, None),
            Value::Object(mut map) => {
                let name = match map.remove("type") {
                    None | Some(Value::Null) => "auto".to_owned(),
                    Some(Value::String(s)) => s,
                    Some(other) => {
                        return Err(PaginateError::config(format!(
                            "paginator `type` must be a string, got {other}"
                        )));
                    }
                };
                (name, Some(map))
            }
            other => {
                return Err(PaginateError::config(format!(
                    "a paginator config is a type name or a dict, got {other}"
                )));
            }
        };
        let config = match type_name.as_str() {
            "auto" => {
                no_params("auto", params)?;
                PaginatorConfig::Auto
            }
            "single_page" => {
                no_params("single_page", params)?;
                PaginatorConfig::SinglePage
            }
            "json_link" => PaginatorConfig::JsonLink(typed("json_link", params)?),
            "json_response" => {
                tracing::warn!("paginator type `json_response` is deprecated; use `json_link` instead");
                PaginatorConfig::JsonLink(typed("json_response", params)?)
            }
            "header_link" => PaginatorConfig::HeaderLink(typed("header_link", params)?),
            "header_cursor" => PaginatorConfig::HeaderCursor(typed("header_cursor", params)?),
            "cursor" => PaginatorConfig::Cursor(typed("cursor", params)?),
            "page_number" => PaginatorConfig::PageNumber(typed("page_number", params)?),
            "offset" => {
                let Some(params) = params else {
                    return Err(PaginateError::config(
                        "Paginator `offset` requires arguments to create an instance: `limit` is required. \
                         Use a dict such as {\"type\": \"offset\", \"limit\": 100}.",
                    ));
                };
                PaginatorConfig::Offset(typed("offset", Some(params))?)
            }
            other => {
                return Err(PaginateError::config(format!(
                    "Received invalid value `paginator_name={other}`. Valid values are: {PAGINATOR_TYPES:?}"
                )));
            }
        };
        // validate now, so a bad config fails before the first request
        config.build()?;
        Ok(config)
    }

    /// The config as a dlt dict (`{"type": ..., params...}`), or the bare name for `auto` and
    /// `single_page`.
    pub fn to_value(&self) -> Value {
        let params = match self {
            PaginatorConfig::Auto | PaginatorConfig::SinglePage => {
                return Value::String(self.type_name().to_owned());
            }
            PaginatorConfig::JsonLink(c) => serde_json::to_value(c),
            PaginatorConfig::HeaderLink(c) => serde_json::to_value(c),
            PaginatorConfig::Offset(c) => serde_json::to_value(c),
            PaginatorConfig::PageNumber(c) => serde_json::to_value(c),
            PaginatorConfig::Cursor(c) => serde_json::to_value(c),
            PaginatorConfig::HeaderCursor(c) => serde_json::to_value(c),
        };
        let mut map = Map::new();
        map.insert("type".to_owned(), Value::String(self.type_name().to_owned()));
        if let Ok(Value::Object(params)) = params {
            map.extend(params);
        }
        Value::Object(map)
    }
}

fn no_params(name: &str, params: Option<Map<String, Value>>) -> Result<(), PaginateError> {
    match params.and_then(|p| p.keys().next().cloned()) {
        Some(key) => Err(PaginateError::config(format!(
            "paginator `{name}`: unknown field `{key}`, it takes no parameters"
        ))),
        None => Ok(()),
    }
}

fn typed<T: DeserializeOwned>(name: &str, params: Option<Map<String, Value>>) -> Result<T, PaginateError> {
    serde_json::from_value(Value::Object(params.unwrap_or_default()))
        .map_err(|e| PaginateError::config(format!("paginator `{name}`: {e}")))
}

impl FromStr for PaginatorConfig {
    type Err = PaginateError;

    /// A bare type name (`"header_link"`) or a JSON dict.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if trimmed.starts_with('{') || trimmed.starts_with('"') {
            let value: Value = serde_json::from_str(trimmed)
                .map_err(|e| PaginateError::config(format!("invalid paginator config: {e}")))?;
            PaginatorConfig::from_value(value)
        } else {
            PaginatorConfig::from_value(Value::String(trimmed.to_owned()))
        }
    }
}

impl<'de> Deserialize<'de> for PaginatorConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        PaginatorConfig::from_value(value).map_err(D::Error::custom)
    }
}

impl Serialize for PaginatorConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<PaginatorConfig, PaginateError> {
        PaginatorConfig::from_value(v)
    }

    #[test]
    fn maps_every_type_like_dlt() {
        for (v, name) in [
            (json!({"type": "offset", "limit": 5}), "offset"),
            (json!("json_link"), "json_link"),
            (json!("json_response"), "json_link"),
            (json!("header_link"), "header_link"),
            (json!("cursor"), "cursor"),
            (json!("header_cursor"), "header_cursor"),
            (json!("single_page"), "single_page"),
            (json!("page_number"), "page_number"),
            (json!("auto"), "auto"),
            (json!({"type": "auto"}), "auto"),
            (json!({}), "auto"),
        ] {
            assert_eq!(parse(v.clone()).unwrap().type_name(), name, "{v}");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let e = parse(json!("offset")).unwrap_err().to_string();
        assert!(e.contains("requires arguments"), "{e}");
        let e = parse(json!("nope")).unwrap_err().to_string();
        assert!(e.contains("paginator_name=nope"), "{e}");
        let e = parse(json!({"type": "page_number", "pagee": 1}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `pagee`"), "{e}");
        let e =
            parse(json!({"type": "offset", "limit": 10, "total_path": null, "stop_after_empty_page": false}))
                .unwrap_err()
                .to_string();
        assert!(e.contains("must be provided"), "{e}");
        let e = parse(json!({"type": "offset", "limit": 10, "offset_param": ""}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not both"), "{e}");
        let e = parse(json!({"type": "json_link", "next_url_path": "$[?("}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("next_url_path"), "{e}");
    }

    #[test]
    fn unquoted_keys_with_jsonpath_syntax_fail_naming_the_option_and_the_fix_row_16() {
        for (config, option) in [
            (
                json!({"type": "json_link", "next_url_path": "@odata.nextLink"}),
                "next_url_path",
            ),
            (
                json!({"type": "json_response", "next_url_path": "@odata.nextLink"}),
                "next_url_path",
            ),
            (
                json!({"type": "cursor", "cursor_path": "@odata.nextLink"}),
                "cursor_path",
            ),
            (
                json!({"type": "cursor", "cursor_path": "next", "has_more_path": "@odata.nextLink"}),
                "has_more_path",
            ),
            (
                json!({"type": "offset", "limit": 10, "total_path": "@odata.nextLink"}),
                "total_path",
            ),
            (
                json!({"type": "offset", "limit": 10, "has_more_path": "@odata.nextLink"}),
                "has_more_path",
            ),
            (
                json!({"type": "page_number", "total_path": "@odata.nextLink"}),
                "total_path",
            ),
            (
                json!({"type": "page_number", "has_more_path": "@odata.nextLink"}),
                "has_more_path",
            ),
        ] {
            let e = parse(config.clone()).unwrap_err().to_string();
            assert!(e.contains(&format!("`{option}`")), "{config}: {e}");
            assert!(e.contains("`@odata.nextLink`"), "{config}: {e}");
            assert!(
                e.contains("write the path as `$['@odata.nextLink']`"),
                "{config}: {e}"
            );
            // the same config from a string (the CLI's --paginator) fails the same way
            let e = config
                .to_string()
                .parse::<PaginatorConfig>()
                .unwrap_err()
                .to_string();
            assert!(e.contains("$['@odata.nextLink']"), "{config}: {e}");
        }
        // and the quoted form is accepted and reads the key
        let cfg = parse(json!({"type": "json_link", "next_url_path": "$['@odata.nextLink']"})).unwrap();
        let p = cfg.build().unwrap().expect("not auto");
        assert_eq!(
            p.selectors()[0],
            restclient_select::Selector::from_keys(["@odata.nextLink"])
        );
    }

    #[test]
    fn null_turns_a_default_off_and_round_trips() {
        let cfg = parse(json!({"type": "offset", "limit": 10, "total_path": null})).unwrap();
        let PaginatorConfig::Offset(o) = &cfg else {
            panic!("{cfg:?}")
        };
        assert_eq!(o.total_path, None);
        let back: PaginatorConfig = serde_json::from_value(serde_json::to_value(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
        let s: PaginatorConfig = "header_cursor".parse().unwrap();
        assert_eq!(s.type_name(), "header_cursor");
    }

    #[test]
    fn null_stop_after_empty_page_is_python_none_so_falsy() {
        // §1.13: JSON null becomes Python None; dlt reads `stop_after_empty_page=None` as falsy
        let cfg = parse(json!({"type": "offset", "limit": 10, "stop_after_empty_page": null})).unwrap();
        let PaginatorConfig::Offset(o) = &cfg else {
            panic!("{cfg:?}")
        };
        assert!(!o.stop_after_empty_page);
        let cfg = parse(json!({"type": "page_number", "stop_after_empty_page": null})).unwrap();
        let PaginatorConfig::PageNumber(p) = &cfg else {
            panic!("{cfg:?}")
        };
        assert!(!p.stop_after_empty_page);
        let cfg = parse(json!({"type": "cursor", "stop_after_empty_page": null})).unwrap();
        let PaginatorConfig::Cursor(c) = &cfg else {
            panic!("{cfg:?}")
        };
        assert!(!c.stop_after_empty_page);
        // and with nothing else to stop on, it is rejected like dlt's falsy value
        let e = parse(json!({"type": "page_number", "total_path": null, "stop_after_empty_page": null}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be provided"), "{e}");
        // absent still means dlt's default
        let PaginatorConfig::Offset(o) = parse(json!({"type": "offset", "limit": 1})).unwrap() else {
            panic!()
        };
        assert!(o.stop_after_empty_page);
    }
}
