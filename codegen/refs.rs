//! JSON references in a spec: RFC 6901 tokens and following `$ref`s. The one copy, shared by
//! the generator and by the SDK's runtime mock (`src/mock.rs`, which builds this crate without
//! its `generator` feature): it needs nothing but `serde_json`.

use serde_json::Value;

/// How many `$ref`s are followed before giving up (a cycle of references to references).
const MAX_HOPS: usize = 32;

/// RFC 6901 escaping of one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The `$ref` to a whole component, `#/components/schemas/<name>` (the name escaped).
pub fn component_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape(name))
}

/// Where a chain of `$ref`s led.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    /// The first schema without a `$ref`; or, when a reference does not resolve (or there are
    /// too many), the last schema reached, the one holding that `$ref`.
    pub schema: &'a Value,
    /// The first `$ref` followed, if any.
    pub first_ref: Option<&'a str>,
    /// Whether a reference did not resolve.
    pub dangling: bool,
}

/// Follows `schema`'s `$ref`s, each looked up with `lookup` (see [`in_document`] and
/// [`in_components`]).
pub fn follow<'a>(schema: &'a Value, lookup: impl Fn(&str) -> Option<&'a Value>) -> Resolved<'a> {
    let mut out = Resolved {
        schema,
        first_ref: None,
        dangling: false,
    };
    for _ in 0..MAX_HOPS {
        let Some(r) = out.schema.get("$ref").and_then(Value::as_str) else {
            return out;
        };
        out.first_ref.get_or_insert(r);
        match lookup(r) {
            Some(next) => out.schema = next,
            None => {
                out.dangling = true;
                return out;
            }
        }
    }
    out
}

/// Looks a local reference (`#/components/schemas/X/properties/y`) up in the document `root`.
pub fn in_document<'a>(root: &'a Value) -> impl Fn(&str) -> Option<&'a Value> + 'a {
    move |r: &str| r.strip_prefix('#').and_then(|p| root.pointer(p))
}

/// Looks a reference to a whole component (`#/components/schemas/X`) up in `components` (the
/// spec's `components.schemas`); any other reference does not resolve.
pub fn in_components<'a>(components: &'a Value) -> impl Fn(&str) -> Option<&'a Value> + 'a {
    move |r: &str| {
        r.strip_prefix("#/components/schemas/")
            .and_then(|n| components.get(n))
    }
}

/// Calls `f` with every `$ref` under `v`.
pub fn each_ref(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                f(r);
            }
            m.values().for_each(|v| each_ref(v, f));
        }
        Value::Array(a) => a.iter().for_each(|v| each_ref(v, f)),
        _ => {}
    }
}

/// The component a reference points into (`#/components/schemas/X` and
/// `#/components/schemas/X/properties/y` both name `X`), unescaped.
pub fn component_of(r: &str) -> Option<String> {
    let rest = r.strip_prefix("#/components/schemas/")?;
    let token = rest.split('/').next()?;
    Some(token.replace("~1", "/").replace("~0", "~"))
}

/// The components of `components` (the spec's `components.schemas`) that `roots` reach,
/// following `$ref`s transitively (roots included, even those `components` lacks).
pub fn reachable_components(
    components: &Value,
    roots: impl IntoIterator<Item = String>,
) -> std::collections::BTreeSet<String> {
    let mut todo: Vec<String> = roots.into_iter().collect();
    let mut reached = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = components.get(&name) {
            each_ref(schema, &mut |r| todo.extend(component_of(r)));
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_followed_to_their_end() {
        let root = json!({ "components": { "schemas": {
            "A": { "$ref": "#/components/schemas/B" },
            "B": { "type": "object", "properties": { "c": { "type": "string" } } },
            "Loop": { "$ref": "#/components/schemas/Loop" },
        } } });
        let schemas = &root["components"]["schemas"];
        let a = json!({ "$ref": "#/components/schemas/A" });
        let r = follow(&a, in_document(&root));
        assert_eq!(r.schema, &schemas["B"]);
        assert_eq!(r.first_ref, Some("#/components/schemas/A"));
        assert!(!r.dangling);
        assert_eq!(follow(&a, in_components(schemas)).schema, &schemas["B"]);
        // Into a schema: only the document lookup resolves it.
        let c = json!({ "$ref": "#/components/schemas/B/properties/c" });
        assert_eq!(
            follow(&c, in_document(&root)).schema,
            &json!({ "type": "string" })
        );
        let r = follow(&c, in_components(schemas));
        assert!(r.dangling && r.schema == &c);
        // A cycle ends; a plain schema is its own end.
        assert!(!follow(&schemas["Loop"], in_document(&root)).dangling);
        let plain = json!({ "type": "integer" });
        assert_eq!(follow(&plain, in_document(&root)).first_ref, None);
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(component_ref("A/b"), "#/components/schemas/A~1b");
        let a_ref = json!({ "$ref": component_ref("A") });
        assert_eq!(follow(&a_ref, in_document(&root)).schema, &schemas["B"]);
        // Reachability follows whole and pointer references, transitively.
        let reached = reachable_components(schemas, ["A".to_string()]);
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(
            component_of("#/components/schemas/A~1b/properties/c").as_deref(),
            Some("A/b")
        );
        assert_eq!(component_of("#/paths/x"), None);
    }
}
