//! One record: its kind, dlt's truthiness, string access.

use crate::JsonKind;
use crate::test_support::doc;

#[test]
fn record_kinds_and_truthiness() {
    let cases = [
        ("null", JsonKind::Null, false),
        ("true", JsonKind::Bool, true),
        ("false", JsonKind::Bool, false),
        ("0", JsonKind::Number, false),
        ("0.0", JsonKind::Number, false),
        ("-0e3", JsonKind::Number, false),
        ("7", JsonKind::Number, true),
        ("\"\"", JsonKind::String, false),
        ("\"a\"", JsonKind::String, true),
        ("[]", JsonKind::Array, false),
        ("[ \n ]", JsonKind::Array, false),
        ("[0]", JsonKind::Array, true),
        ("{}", JsonKind::Object, false),
        ("{\"a\":1}", JsonKind::Object, true),
    ];
    for (json, kind, truthy) in cases {
        let r = doc(json).root();
        assert_eq!(r.kind(), kind, "{json}");
        assert_eq!(r.is_truthy(), truthy, "{json}");
        assert_eq!(r.is_null(), kind == JsonKind::Null);
    }
    assert_eq!(doc(r#""a\u00e9\n""#).root().as_str().as_deref(), Some("aé\n"));
    assert!(matches!(
        doc(r#""plain""#).root().as_str(),
        Some(std::borrow::Cow::Borrowed("plain"))
    ));
    assert_eq!(doc("1").root().as_str(), None);
    assert!(doc("[1]").root().deserialize::<Vec<String>>().is_err());
}
