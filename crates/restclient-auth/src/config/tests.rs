use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::{AuthClient, Authenticate};

fn parse(v: Value) -> Result<AuthConfig, AuthError> {
    AuthConfig::from_value(&v)
}

fn err(v: Value) -> String {
    parse(v).unwrap_err().to_string()
}

#[test]
fn dlt_dicts_are_accepted() {
    // scenario 132
    assert_eq!(parse(json!({"token": "s3"})).unwrap().kind(), "bearer");
    assert_eq!(
        parse(json!({"type": "bearer", "token": "s3"})).unwrap().kind(),
        "bearer"
    );
    let c = parse(json!({"type": "api_key", "api_key": "k"})).unwrap();
    assert!(
        matches!(&c, AuthConfig::ApiKey { name, location: ApiKeyLocation::Header, .. } if name == "Authorization")
    );
    let c = parse(json!({"type": "api_key", "name": "key", "api_key": "k", "location": "param"})).unwrap();
    assert!(matches!(
        c,
        AuthConfig::ApiKey {
            location: ApiKeyLocation::Query,
            ..
        }
    ));
    let c = parse(json!({"type": "api_key", "name": "sid", "api_key": "k", "location": "cookie"})).unwrap();
    assert!(matches!(
        c,
        AuthConfig::ApiKey {
            location: ApiKeyLocation::Cookie,
            ..
        }
    ));
    assert_eq!(
        parse(json!({"type": "http_basic", "username": "u", "password": "p"}))
            .unwrap()
            .kind(),
        "http_basic"
    );
    let c = parse(json!({
        "type": "oauth2_client_credentials",
        "access_token_url": "https://auth.example.com/token",
        "client_id": "id",
        "client_secret": "secret",
        "access_token_request_data": {"scope": "read", "n": 5, "flag": true, "skip": null, "aud": ["a", "b"]},
        "default_token_expiration": "60",
        "access_token": "PRESET",
        "client_auth": "basic_header"
    }))
    .unwrap();
    let AuthConfig::OAuth2ClientCredentials {
        access_token_request_data,
        default_token_expiration,
        client_auth,
        ..
    } = &c
    else {
        panic!("not oauth: {c:?}");
    };
    assert_eq!(*default_token_expiration, Duration::from_secs(60));
    assert_eq!(*client_auth, ClientAuthMethod::BasicHeader);
    let data: Vec<(&str, &str)> = access_token_request_data
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        data,
        [
            ("scope", "read"),
            ("n", "5"),
            ("flag", "True"),
            ("aud", "a"),
            ("aud", "b")
        ]
    );
    let c = parse(json!({"type": "oauth2_client_credentials", "access_token_url": "https://a/t", "client_id": "i", "client_secret": "s"})).unwrap();
    assert!(
        matches!(c, AuthConfig::OAuth2ClientCredentials { default_token_expiration, .. } if default_token_expiration == Duration::from_secs(3600))
    );
}

#[tokio::test]
async fn built_auth_applies_like_the_typed_strategy() {
    let auth = parse(json!({"type": "api_key", "name": "key", "api_key": "k5", "location": "query"}))
        .unwrap()
        .build()
        .unwrap();
    let request = http::Request::get("http://h/p?offset=0&limit=1")
        .body(bytes::Bytes::new())
        .unwrap();
    let out = auth
        .authenticate(request, &AuthClient::unavailable())
        .await
        .unwrap();
    assert_eq!(out.uri().query(), Some("offset=0&limit=1&key=k5"));
}

#[test]
fn errors_name_the_problem() {
    assert!(err(json!({"type": "bearer"})).contains("missing field `token` for auth type `bearer`"));
    assert!(err(json!({"type": "bearer", "token": null})).contains("missing field `token`"));
    let e = err(json!({"type": "oauth"}));
    assert!(
        e.contains("unknown auth type `oauth`") && e.contains("oauth2_client_credentials"),
        "{e}"
    );
    assert!(
        err(json!({"type": "bearer", "token": "t", "location": "header"}))
            .contains("unknown field `location`")
    );
    assert!(err(json!({"type": "api_key", "api_key": "k", "location": "body"})).contains("`location`"));
    assert!(err(json!({"type": "api_key", "api_key": "k", "name": "bad name"})).contains("header"));
    assert!(
        err(json!({"type": "oauth2_client_credentials", "client_id": "i", "client_secret": "s"}))
            .contains("`access_token_url`")
    );
    assert!(err(json!({"type": "oauth2_client_credentials", "access_token_url": "nope", "client_id": "i", "client_secret": "s"})).contains("access_token_url"));
    assert!(err(json!("bearer")).contains("expected a map"));
    assert!(err(json!({"type": 3})).contains("`type` must be a string"));
    assert!(
        AuthConfig::from_json("{\"token\": ")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON")
    );
}

#[test]
fn errors_never_echo_values() {
    // scenario 135's point, without dlt's `s*****t`: nothing of the value at all.
    let s = "cfg-secret-value-1234";
    for v in [
        json!({"type": "bearer", "token": 12345678901_u64}),
        json!({"type": "bearer", "token": [s]}),
        json!({"type": "bearer", "tokn": s}),
        json!({"type": "bearer", "token": s, "location": s}),
        json!({"type": "api_key", "api_key": s, "location": s}),
        json!({"type": "api_key", "api_key": format!("{s}\n")}),
        json!({"type": "api_key", "api_key": "k", "name": s, "location": "cookie", s: 1}),
        json!({"type": s, "token": s}),
        json!({"type": "http_basic", "username": s}),
        json!({"type": "oauth2_client_credentials", "access_token_url": format!("x?client_secret={s}"), "client_id": s, "client_secret": s}),
        json!({"type": "oauth2_client_credentials", "access_token_url": "https://a/t", "client_id": s, "client_secret": s, "default_token_expiration": s}),
        json!({"type": "oauth2_client_credentials", "access_token_url": "https://a/t", "client_id": s, "client_secret": s, "access_token_request_data": {"k": {"x": s}}}),
        json!({"type": "oauth2_client_credentials", "access_token_url": "https://a/t", "client_id": s, "client_secret": s, "client_auth": s}),
    ] {
        let text = v.to_string();
        let e = serde_json::from_str::<AuthConfig>(&text).unwrap_err();
        assert!(!e.to_string().contains("cfg-secret"), "{e}");
        assert!(!e.to_string().contains("12345678901"), "{e}");
        let e = AuthConfig::from_value(&v).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("cfg-secret"), "{e}");
    }
}

#[test]
fn debug_of_configs_and_built_auth_hides_secrets() {
    let s = "dbg-secret-98765";
    for v in [
        json!({"token": s}),
        json!({"type": "api_key", "api_key": s}),
        json!({"type": "http_basic", "username": s, "password": s}),
        json!({"type": "oauth2_client_credentials", "access_token_url": format!("https://a/t?token={s}"), "client_id": s, "client_secret": s, "access_token_request_data": {"account_id": s}}),
    ] {
        let c = parse(v).unwrap();
        let text = format!(
            "{c:?} {:?} {:#?}",
            c.build().unwrap(),
            crate::AuthLayer::from_arc(c.build().unwrap())
        );
        assert!(!text.contains(s), "{text}");
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "[a-z_]{0,8}".prop_map(Value::String),
        prop::sample::select(vec![
            "bearer",
            "api_key",
            "http_basic",
            "oauth2_client_credentials",
            "header",
            "param",
            "cookie",
            "query",
            "https://a/t",
            "bad name",
            "-1",
            "60"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type",
                        "token",
                        "name",
                        "api_key",
                        "location",
                        "username",
                        "password",
                        "access_token_url",
                        "client_id",
                        "client_secret",
                        "access_token_request_data",
                        "default_token_expiration",
                        "client_auth",
                        "x"
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        if let Ok(c) = AuthConfig::from_value(&v) {
            prop_assert!(c.build().is_ok());
        }
    }

    #[test]
    fn wrong_kind_values_are_never_quoted(secret in "[A-Za-z0-9]{12,20}", field in prop::sample::select(vec!["token", "type", "location"])) {
        let v = json!({"type": "bearer", field: [secret.clone()], "extra": secret.clone()});
        if let Err(e) = AuthConfig::from_value(&v) {
            prop_assert!(!e.to_string().contains(&secret));
        }
    }
}
