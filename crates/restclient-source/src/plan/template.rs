//! `{placeholder}` strings, as dlt formats them with Python's `str.format`.
//!
//! `{name}` is a field, `{{` and `}}` are literal braces. Format specs and conversions
//! (`{x:>4}`, `{x!r}`) are not supported and are rejected when the config is read; so are an
//! empty `{}` and a lone brace (Python raises on those too).
//!
//! A value fills a field as Python's `str()` would: a string as is, a number as written, `True`/
//! `False`, `None`; a list or dict as compact JSON (Python would print its repr).

use serde_json::Value;

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Field(String),
}

impl Template {
    /// Parses `text`; the error says what is wrong (not where: the caller knows).
    pub(crate) fn parse(text: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err("a single `}` (write `}}` for a literal brace)".to_owned()),
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err("a `{` without its `}` (write `{{` for a literal brace)".to_owned());
                    };
                    let field = &rest[..end];
                    if field.is_empty() {
                        return Err("an empty placeholder `{}`; name it, e.g. `{id}`".to_owned());
                    }
                    if field.contains(['{', ':', '!']) {
                        return Err(format!(
                            "placeholder `{{{field}}}`: format specs, conversions and nested braces are not supported"
                        ));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Field(field.to_owned()));
                    // skip the field and its closing brace
                    while let Some(&(j, _)) = chars.peek() {
                        if j > i + end + 1 {
                            break;
                        }
                        chars.next();
                    }
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { pieces })
    }

    /// The field names, in order (repeats kept).
    pub(crate) fn fields(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Field(f) => Some(f.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// Whether the template has no fields.
    pub(crate) fn is_literal(&self) -> bool {
        self.fields().next().is_none()
    }

    /// The field name when the template is exactly one field and nothing else (dlt then keeps
    /// the value's type in JSON bodies).
    pub(crate) fn single_field(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [Piece::Field(f)] => Some(f),
            _ => None,
        }
    }

    /// The text with every field replaced by `lookup(field)` (Python's `str()` of the value).
    /// A field `lookup` does not know is kept as `{field}` (validation has ruled those out).
    pub(crate) fn render(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => match lookup(f) {
                    Some(v) => out.push_str(&python_str(&v)),
                    None => {
                        out.push('{');
                        out.push_str(f);
                        out.push('}');
                    }
                },
            }
        }
        out
    }

    /// Replaces `{name}` by a literal text (binding a static path param).
    pub(crate) fn bind(&mut self, name: &str, text: &str) {
        for piece in &mut self.pieces {
            if matches!(piece, Piece::Field(f) if f == name) {
                *piece = Piece::Text(text.to_owned());
            }
        }
    }
}

/// Python's `str()` of a JSON value: what `str.format` and requests put in a URL.
pub(crate) fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_fields_and_escapes() {
        let t = Template::parse("users/{id}/posts/{{x}}/{resources.users.name}").unwrap();
        assert_eq!(t.fields().collect::<Vec<_>>(), ["id", "resources.users.name"]);
        let out = t.render(&|f| Some(if f == "id" { json!(7) } else { json!("ann") }));
        assert_eq!(out, "users/7/posts/{x}/ann");
        assert!(Template::parse("plain").unwrap().is_literal());
        assert_eq!(Template::parse("{id}").unwrap().single_field(), Some("id"));
        assert_eq!(Template::parse("x{id}").unwrap().single_field(), None);
        assert_eq!(
            Template::parse("é{a}ü").unwrap().render(&|_| Some(json!(true))),
            "éTrueü"
        );
    }

    #[test]
    fn rejects_what_python_rejects_or_we_do_not_support() {
        for bad in ["a}", "{a", "{}", "{a:>3}", "{a!r}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn python_str_of_values() {
        assert_eq!(python_str(&json!("s")), "s");
        assert_eq!(python_str(&json!(1.5)), "1.5");
        assert_eq!(python_str(&json!(false)), "False");
        assert_eq!(python_str(&json!(null)), "None");
        assert_eq!(python_str(&json!([1, "a"])), "[1,\"a\"]");
    }

    #[test]
    fn bind_replaces_a_field() {
        let mut t = Template::parse("v/{ver}/x/{id}").unwrap();
        t.bind("ver", "2");
        assert_eq!(t.fields().collect::<Vec<_>>(), ["id"]);
        assert_eq!(t.render(&|_| None), "v/2/x/{id}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = Template::parse(&s).map(|t| t.render(&|_| Some(json!(1))));
        }
    }
}
