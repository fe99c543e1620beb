//! Every config error is found before any request and names the resource and the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::config_error;
use restclient_source::{RestApiConfig, Source, SourceError};
use serde_json::{Value, json};

fn with(resources: Value) -> Value {
    json!({"client": {"base_url": "http://127.0.0.1:9"}, "resources": resources})
}

#[test]
fn each_error_names_the_resource_and_key() {
    let resolve = |r: &str| json!({"type": "resolve", "resource": r, "field": "id"});
    let cases: Vec<(Value, Option<&str>, &str, &str)> = vec![
        // (resources, resource, key, part of the message)
        (
            json!([{"name": "a", "endpoint": {"paginator": {"type": "pages"}}}]),
            Some("a"),
            "endpoint.paginator",
            "paginator_name=pages",
        ),
        (
            json!([{"name": "a", "endpoint": {"paginator": "offset"}}]),
            Some("a"),
            "endpoint.paginator",
            "requires arguments",
        ),
        (
            json!([{"name": "a", "endpoint": {"paginator": {"type": "offset", "limit": 1, "limitt": 2}}}]),
            Some("a"),
            "endpoint.paginator",
            "limitt",
        ),
        (
            json!([{"name": "a", "endpoint": {"auth": {"type": "kerberos"}}}]),
            Some("a"),
            "endpoint.auth",
            "kerberos",
        ),
        (
            json!([{"name": "a", "endpoint": {"auth": "bearer"}}]),
            Some("a"),
            "endpoint.auth",
            "dict",
        ),
        (
            json!([{"name": "b", "endpoint": {"path": "x/{id}", "params": {"id": resolve("nope")}}}]),
            Some("b"),
            "endpoint.params.id",
            "`nope` that does not exist",
        ),
        (
            json!([{"name": "a", "endpoint": {"path": "a/{id}", "params": {"id": resolve("b")}}},
                {"name": "b", "endpoint": {"path": "b/{id}", "params": {"id": resolve("a")}}}]),
            Some("a"),
            "endpoint.params",
            "cycle: a -> b -> a",
        ),
        (
            json!([{"name": "a", "endpoint": {"path": "a/{id}", "params": {"id": resolve("a")}}}]),
            Some("a"),
            "endpoint.params",
            "cycle: a -> a",
        ),
        (
            json!([{"name": "a", "endpoint": "users/{user_id}/posts"}]),
            Some("a"),
            "endpoint.path",
            "`user_id`",
        ),
        (
            json!([{"name": "a", "endpoint": "users/{ressources.x.id}"}]),
            Some("a"),
            "endpoint.path",
            "not a valid placeholder",
        ),
        (
            json!([{"name": "a", "endpoint": {"path": "p", "params": {"q": "{user}"}}}]),
            Some("a"),
            "endpoint.params.q",
            "`{user}`",
        ),
        (
            json!([{"name": "a", "endpoint": {"path": "p", "json": {"q": "{incremental.start_value}"}}}]),
            Some("a"),
            "endpoint.json",
            "incremental config",
        ),
        (
            json!([{"name": "a", "endpoint": {"data_selector": "data[?("}}]),
            Some("a"),
            "endpoint.data_selector",
            "data[?(",
        ),
        (
            json!([{"name": "a"}, {"name": "b", "endpoint": {"path": "b/{id}", "params": {"id": {"type": "resolve", "resource": "a", "field": "a b"}}}}]),
            Some("b"),
            "endpoint.params.id.field",
            "a b",
        ),
        (
            json!([{"name": "a", "endpoint": {"paginator": {"type": "json_link", "next_url_path": "@odata.nextLink"}}}]),
            Some("a"),
            "endpoint.paginator",
            "@odata.nextLink",
        ),
        (
            json!([{"name": "a", "endpoint": {"incremental": {"cursor_path": "x y"}}}]),
            Some("a"),
            "endpoint.incremental.cursor_path",
            "x y",
        ),
        (
            json!([{"name": "a", "endpoint": {"params": {"since": {"type": "incremental", "cursor_path": "t", "end_value": 3}}}}]),
            Some("a"),
            "endpoint.params.since",
            "end_value",
        ),
        (
            json!([{"name": "a", "endpoint": {"params": {"x": {"type": "other"}}}}]),
            Some("a"),
            "endpoint.params.x",
            "resolve",
        ),
        (
            json!([{"name": "a"}, {"name": "b"}, {"name": "c", "endpoint": {"path": "{resources.a.id}/{resources.b.id}"}}]),
            Some("c"),
            "endpoint.path",
            "one parent",
        ),
        (
            json!([{"name": "a", "include_from_parent": ["id"]}]),
            Some("a"),
            "include_from_parent",
            "does not depend",
        ),
        (
            json!([{"name": "a", "endpont": "x"}]),
            Some("a"),
            "endpont",
            "unknown key",
        ),
        (
            json!([{"name": "a", "endpoint": {"pth": "x"}}]),
            Some("a"),
            "endpoint.pth",
            "unknown key",
        ),
        (
            json!([{"name": "a", "processing_steps": [{"filter": "x"}]}]),
            Some("a"),
            "processing_steps",
            "not supported",
        ),
        (
            json!([{"name": "a", "endpoint": {"response_actions": [{"status_code": 404, "action": "retry"}]}}]),
            Some("a"),
            "endpoint.response_actions[0]",
            "ignore",
        ),
        (
            json!([{"name": "a", "endpoint": {"response_actions": [{"status_code": 4040, "action": "ignore"}]}}]),
            Some("a"),
            "endpoint.response_actions[0]",
            "status",
        ),
        (
            json!([{"name": "a", "endpoint": {"method": "FETCH"}}]),
            Some("a"),
            "endpoint.method",
            "GET",
        ),
        (
            json!([{"name": "a", "selected": "no"}]),
            Some("a"),
            "selected",
            "true or false",
        ),
        (json!(["a", "a"]), Some("a"), "name", "already defined"),
        (
            json!([{"name": "a", "endpoint": {"path": "p", "params": {"q": {"type": "resolve", "resource": "b"}}}}, "b"]),
            Some("a"),
            "endpoint.params.q.field",
            "resolve",
        ),
    ];
    for (resources, resource, key, message) in cases {
        let err = config_error(with(resources.clone()));
        assert!(matches!(err, SourceError::Invalid { .. }), "{resources}: {err}");
        assert_eq!(err.resource(), resource, "{resources}: {err}");
        assert_eq!(err.key(), Some(key), "{resources}: {err}");
        assert!(err.to_string().contains(message), "{resources}: {err}");
    }
}

#[test]
fn client_errors_name_the_client_key() {
    let cases = [
        (
            json!({"base_url": "http://x", "paginator": "pages"}),
            "client.paginator",
        ),
        (
            json!({"base_url": "http://x", "auth": {"type": "api_key"}}),
            "client.auth",
        ),
        (json!({"base_url": 3}), "client.base_url"),
        (
            json!({"base_url": "http://x", "headers": {"X": {"a": 1}}}),
            "client.headers",
        ),
    ];
    for (client, key) in cases {
        let err = config_error(json!({"client": client, "resources": ["a"]}));
        assert_eq!(err.key(), Some(key), "{client}: {err}");
        assert_eq!(err.resource(), None);
    }
    let err = config_error(json!({"client": {"base_url": "ftp://x"}, "resources": ["a"]}));
    assert!(matches!(err, SourceError::Client(_)), "{err}");
}

#[test]
fn secrets_never_appear_in_config_errors() {
    let secret = "s3cr3t-tok3n-value";
    let configs = [
        json!({"client": {"base_url": "http://x", "auth": {"type": "bearer", "token": secret, "extra": secret}}, "resources": ["a"]}),
        json!({"client": {"base_url": "http://x", "auth": {"type": "http_basic", "username": secret}}, "resources": ["a"]}),
        json!({"client": {"base_url": "http://x", "auth": {"type": "api_key", "api_key": secret, "location": secret}}, "resources": ["a"]}),
        json!({"client": {"base_url": "http://x"}, "resources": [{"name": "a", "endpoint": {"auth": {"token": 5, "x": secret}}}]}),
    ];
    for config in configs {
        let err = config_error(config.clone());
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn env_references_set_and_unset() {
    let env = |name: &str| match name {
        "API_HOST" => Some("http://127.0.0.1:9".to_owned()),
        "API_TOKEN" => Some("tok-from-env-123".to_owned()),
        _ => None,
    };
    let config = json!({"client": {"base_url": "${API_HOST}/v1", "auth": {"token": "${API_TOKEN}"}},
                        "resources": [{"name": "a", "endpoint": {"params": {"k": "${API_TOKEN}"}}}]});
    let config = RestApiConfig::from_value_with_env(config, &env).unwrap();
    assert!(!format!("{config:?}").contains("tok-from-env-123"));
    Source::from_config(config).unwrap();

    let unset = json!({"client": {"base_url": "http://x"}, "resources": [{"name": "a", "endpoint": {"headers": {"X-Key": "${MISSING_KEY}"}}}]});
    let err = RestApiConfig::from_value_with_env(unset, &env).unwrap_err();
    assert!(
        matches!(&err, SourceError::MissingEnv { name, at } if name == "MISSING_KEY" && at == "resources[0].endpoint.headers.X-Key"),
        "{err}"
    );
}

#[test]
fn files_in_three_formats_give_the_same_source() {
    let dir = common::temp_dir("formats");
    let json_path = dir.join("c.json");
    let yaml_path = dir.join("c.yaml");
    let toml_path = dir.join("c.toml");
    std::fs::write(&json_path, r#"{"client": {"base_url": "http://h"}, "resources": ["a", {"name": "b", "endpoint": {"path": "a/{id}", "params": {"id": {"type": "resolve", "resource": "a", "field": "id"}}}}]}"#).unwrap();
    std::fs::write(&yaml_path, "client:\n  base_url: http://h\nresources:\n  - a\n  - name: b\n    endpoint:\n      path: 'a/{id}'\n      params:\n        id: {type: resolve, resource: a, field: id}\n").unwrap();
    std::fs::write(&toml_path, "resources = [\"a\", { name = \"b\", endpoint = { path = \"a/{id}\", params = { id = { type = \"resolve\", resource = \"a\", field = \"id\" } } } }]\n[client]\nbase_url = \"http://h\"\n").unwrap();
    for path in [&json_path, &yaml_path, &toml_path] {
        let source = Source::from_path(path).unwrap();
        assert_eq!(source.resource_names(), ["a", "b"], "{}", path.display());
        assert_eq!(source.parent("b"), Some("a"));
    }
    std::fs::write(dir.join("bad.yaml"), "client: [").unwrap();
    let err = Source::from_path(dir.join("bad.yaml")).unwrap_err();
    assert!(err.to_string().contains("bad.yaml"), "{err}");
}

#[test]
fn the_example_configs_read_the_same_in_three_formats() {
    use restclient_source::Format;
    let env = |name: &str| (name == "DEMO_URL").then(|| "http://127.0.0.1:9".to_owned());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let read = |file: &str, format: Format| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        RestApiConfig::from_str_with_env(&text, format, &env).unwrap()
    };
    let configs = [
        read("shop.json", Format::Json),
        read("shop.yaml", Format::Yaml),
        read("shop.toml", Format::Toml),
    ];
    let names: Vec<Vec<String>> = configs
        .iter()
        .map(|c| {
            let source = Source::from_config(c.clone()).unwrap();
            assert_eq!(source.parent("customer_orders"), Some("customers"));
            assert_eq!(source.hints("countries").unwrap()["write_disposition"], "replace");
            source.resource_names().iter().map(|s| (*s).to_owned()).collect()
        })
        .collect();
    assert_eq!(
        names[0],
        ["customers", "customer_orders", "orders", "events", "countries"]
    );
    assert!(names.iter().all(|n| n == &names[0]));
}

#[test]
fn the_paginators_example_reads_with_its_environment() {
    let env = |name: &str| match name {
        "DEMO_URL" => Some("http://127.0.0.1:9".to_owned()),
        "DEMO_CLIENT_SECRET" => Some("s3cret-from-env".to_owned()),
        _ => None,
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/paginators.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let config = RestApiConfig::from_str_with_env(&text, restclient_source::Format::Yaml, &env).unwrap();
    let source = Source::from_config(config).unwrap();
    assert_eq!(source.parent("orders_by_customer"), Some("customers"));
    assert!(!format!("{source:?}").contains("s3cret-from-env"));
    // without the secret's variable, the error names it
    let err = RestApiConfig::from_str_with_env(&text, restclient_source::Format::Yaml, &|n: &str| {
        (n == "DEMO_URL").then(|| "http://127.0.0.1:9".to_owned())
    })
    .unwrap_err();
    assert!(err.to_string().contains("DEMO_CLIENT_SECRET"), "{err}");
}
