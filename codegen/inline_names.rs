//! Names for inline schemas, so that typify never gives two different schemas one type.
//!
//! typify names an inline schema after where it sits (`{Parent}{Property}`, `{Parent}Item`,
//! …) and, when a name is already taken, silently reuses the type it already has for that name
//! (typify-impl 0.8 `assign_type`, "TODO … verify that the type is structurally the same").
//! Variants of a `oneOf` share their parent's name, so the 14 platform variants of a publish
//! item all got one `option` type — Bilibili's — and every other platform's options were
//! dropped on the wire. An inline schema whose name clashes with a component is merged the
//! same way.
//!
//! This adaptation predicts typify's names, finds every name given to schemas that differ
//! (documentation aside), and gives each of them a name of its own through `title` (which
//! typify prefers to the name it would derive): `{Parent}{Variant}{Property}`, where the
//! variant is named by its discriminator value (the single-valued property every variant
//! has, e.g. `platform: [douyin]` → `Douyin`), or by its title, or by its index. Schemas that
//! are the same keep sharing one type. Titles that are not ASCII (`图片`) would become type
//! names a person cannot type; they are moved into the description.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::naming;
use super::spec_walk::{each_operation, resolve};

/// One inline schema that typify will turn into a named type.
struct Entry {
    pointer: String,
    name: String,
    fingerprint: String,
    /// For a member of a composite: the name built from its variant instead.
    qualified: Option<String>,
}

/// Runs the adaptation; returns how many schemas were given a name of their own.
pub fn name_inline_schemas(spec: &mut Value) -> Result<usize, String> {
    let mut count = move_non_ascii_titles(spec);
    // Renaming a parent renames its children; repeat until typify's names are all distinct.
    for _ in 0..16 {
        let (entries, components) = collect(spec);
        let renames = resolve_clashes(&entries, &components);
        if renames.is_empty() {
            return Ok(count);
        }
        for (pointer, name) in renames {
            let schema = spec
                .pointer_mut(&pointer)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("no schema at {pointer}"))?;
            schema.insert("title".into(), Value::String(name));
            count += 1;
        }
    }
    Err("inline schema names did not settle after 16 rounds".into())
}

/// An `anyOf` of objects that typify's model would lose values of is made lossless.
///
/// typify models an `anyOf` as a struct of optional flattened members, each decoded on its
/// own from the same object and serialised over the others. That is lossless while members
/// agree on the properties they share; where they disagree (Bilibili's two options:
/// `copyright: [1]` and `copyright: [2]`) one member's value overwrites the other's.
/// - Members told apart by a discriminator (a single-valued property, different in each)
///   cannot both match: the `anyOf` becomes a `oneOf`, an untagged enum holding exactly one
///   member, its variants named by the discriminator (`Copyright1`, `Copyright2`).
/// - Otherwise the members are merged into one object: every property, required only where
///   every member requires it, and a property the members type differently becomes any JSON
///   value. That is weaker typing than the spec's, so the place is marked
///   `x-aitoearn-downgrade` and listed by [`downgrades`].
///
/// Runs after `name_inline_schemas`, so variant names follow the final parent names, and
/// settles any name clash it creates.
pub fn object_unions(spec: &mut Value) -> Result<usize, String> {
    let (entries, _) = collect(spec);
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    // Components themselves, then every inline schema typify names.
    let mut places: Vec<(String, String)> = components
        .as_object()
        .into_iter()
        .flatten()
        .map(|(n, _)| (format!("/components/schemas/{}", escape(n)), pascal(n)))
        .collect();
    places.extend(entries.into_iter().map(|e| (e.pointer, e.name)));
    let mut count = 0;
    for (pointer, name) in places {
        let Some(schema) = spec.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(Value::Array(members)) = schema.get("anyOf") else {
            continue;
        };
        let resolved: Vec<Value> = members
            .iter()
            .map(|m| resolve(m, &components).clone())
            .collect();
        let all_objects = resolved.len() > 1
            && resolved.iter().all(|m| {
                m.get("type").and_then(Value::as_str) == Some("object")
                    || m.get("properties").is_some()
            });
        if !all_objects || schema.contains_key("oneOf") {
            continue;
        }
        let shared = shared_properties(&resolved);
        if shared.values().all(|shapes| shapes.len() == 1) {
            continue; // typify's struct keeps every value.
        }
        let discriminated = discriminator(&resolved).is_some_and(|tag| {
            let values: BTreeSet<String> = resolved
                .iter()
                .filter_map(|m| single_value(m.pointer(&format!("/properties/{}", escape(&tag)))))
                .map(Value::to_string)
                .collect();
            values.len() == resolved.len()
        });
        let Some(Value::Array(mut members)) = schema.remove("anyOf") else {
            continue;
        };
        if discriminated {
            let labels = variant_labels(&resolved);
            for (member, label) in members.iter_mut().zip(&labels) {
                if let Some(m) = member.as_object_mut().filter(|m| !m.contains_key("$ref")) {
                    m.insert("title".into(), Value::String(format!("{name}{label}")));
                }
            }
            schema.insert("oneOf".into(), Value::Array(members));
        } else {
            merge_members(schema, &resolved, &shared);
        }
        count += 1;
    }
    name_inline_schemas(spec)?;
    Ok(count)
}

/// An object schema's properties (none for any other schema).
fn properties_of(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// Property name → the distinct shapes the members give it (for properties in 2+ members).
fn shared_properties(members: &[Value]) -> BTreeMap<String, BTreeSet<String>> {
    let mut seen: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for m in members {
        for (p, s) in properties_of(m) {
            let entry = seen.entry(p.clone()).or_default();
            entry.0 += 1;
            entry.1.insert(fingerprint(s));
        }
    }
    seen.into_iter()
        .filter(|(_, (n, _))| *n > 1)
        .map(|(p, (_, shapes))| (p, shapes))
        .collect()
}

fn merge_members(
    schema: &mut Map<String, Value>,
    members: &[Value],
    shared: &BTreeMap<String, BTreeSet<String>>,
) {
    let mut properties = Map::new();
    let mut required: Option<BTreeSet<String>> = None;
    let mut conflicting = Vec::new();
    let mut united = Vec::new();
    for m in members {
        for (p, s) in properties_of(m) {
            if shared.get(p).is_some_and(|shapes| shapes.len() > 1) {
                if let Some(widened) = united_enum(members, p) {
                    if !properties.contains_key(p) {
                        united.push(p.clone());
                        properties.insert(p.clone(), widened);
                    }
                } else if !properties.contains_key(p) {
                    conflicting.push(p.clone());
                    let mut any = Map::new();
                    if let Some(d) = s.get("description") {
                        any.insert("description".into(), d.clone());
                    }
                    properties.insert(p.clone(), Value::Object(any));
                }
            } else {
                properties.entry(p.clone()).or_insert_with(|| s.clone());
            }
        }
        let theirs: BTreeSet<String> = m
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        required = Some(match required {
            None => theirs,
            Some(r) => r.intersection(&theirs).cloned().collect(),
        });
    }
    schema.insert("type".into(), Value::String("object".into()));
    schema.insert("properties".into(), Value::Object(properties));
    if let Some(r) = required.filter(|r| !r.is_empty()) {
        schema.insert(
            "required".into(),
            r.into_iter().map(Value::String).collect(),
        );
    }
    schema.insert(
        "x-aitoearn-downgrade".into(),
        Value::String(format!(
            "anyOf of {} objects merged into one{}{}",
            members.len(),
            if united.is_empty() {
                String::new()
            } else {
                format!("; enum values united: {}", united.join(", "))
            },
            if conflicting.is_empty() {
                String::new()
            } else {
                format!(
                    "; any JSON value where the members disagree: {}",
                    conflicting.join(", ")
                )
            },
        )),
    );
}

/// When every member that has `property` gives it an enum of one type: that enum with the
/// values of all of them (the member's constraint is lost, no value is).
fn united_enum(members: &[Value], property: &str) -> Option<Value> {
    let pointer = format!("/properties/{}", escape(property));
    let schemas: Vec<&Value> = members.iter().filter_map(|m| m.pointer(&pointer)).collect();
    let ty = schemas.first()?.get("type")?;
    let mut values: Vec<Value> = Vec::new();
    for s in &schemas {
        if s.get("type") != Some(ty) {
            return None;
        }
        for v in s.get("enum")?.as_array()? {
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
    }
    let mut widened = schemas[0].clone();
    widened["enum"] = Value::Array(values);
    Some(widened)
}

/// Every place where the generated types are weaker than the spec: (JSON pointer, why).
pub fn downgrades(spec: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(why)) = m.get("x-aitoearn-downgrade") {
                    out.push((at.to_string(), why.clone()));
                }
                for (k, c) in m {
                    walk(c, &format!("{at}/{}", escape(k)), out);
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    walk(c, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(spec, "", &mut out);
    out
}

/// `title`s with non-ASCII letters on schemas become the description (or join it).
fn move_non_ascii_titles(spec: &mut Value) -> usize {
    fn walk(v: &mut Value, count: &mut usize) {
        match v {
            Value::Object(m) => {
                let is_schema = [
                    "type",
                    "properties",
                    "oneOf",
                    "anyOf",
                    "allOf",
                    "enum",
                    "items",
                ]
                .iter()
                .any(|k| m.contains_key(*k));
                let title = match m.get("title") {
                    Some(Value::String(t)) if is_schema && !t.is_ascii() => Some(t.clone()),
                    _ => None,
                };
                if let Some(title) = title {
                    m.remove("title");
                    let description = match m.get("description").and_then(Value::as_str) {
                        Some(d) if !d.contains(&title) => format!("{title}\n\n{d}"),
                        Some(d) => d.to_string(),
                        None => title,
                    };
                    m.insert("description".into(), Value::String(description));
                    *count += 1;
                }
                for (k, child) in m.iter_mut() {
                    // Examples are values, not schemas.
                    if k != "example" && k != "examples" {
                        walk(child, count);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, count)),
            _ => {}
        }
    }
    let mut count = 0;
    for key in ["components", "paths"] {
        if let Some(v) = spec.get_mut(key) {
            walk(v, &mut count);
        }
    }
    count
}

/// Which schemas get which new name.
fn resolve_clashes(
    entries: &[Entry],
    components: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut by_name: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_name.entry(e.name.as_str()).or_default().push(e);
    }
    let mut taken: BTreeSet<String> = components.keys().cloned().collect();
    taken.extend(entries.iter().map(|e| e.name.clone()));
    let mut renames = Vec::new();
    for (name, group) in by_name {
        let mut shapes: BTreeSet<&str> = group.iter().map(|e| e.fingerprint.as_str()).collect();
        if let Some(fp) = components.get(name) {
            shapes.insert(fp);
        }
        if shapes.len() < 2 {
            continue;
        }
        // The component keeps its name; otherwise the first schema without a variant does.
        let mut keeper = components.contains_key(name);
        let mut numbered = 2;
        for e in group {
            let new = match &e.qualified {
                Some(q) if !taken.contains(q) => q.clone(),
                _ if !keeper => {
                    keeper = true;
                    continue;
                }
                _ => loop {
                    let candidate = format!("{name}{numbered}");
                    numbered += 1;
                    if !taken.contains(&candidate) {
                        break candidate;
                    }
                },
            };
            taken.insert(new.clone());
            renames.push((e.pointer.clone(), new));
        }
    }
    // Children are named after their parents: rename parents first, then look again.
    let renamed: Vec<String> = renames.iter().map(|(p, _)| format!("{p}/")).collect();
    renames.retain(|(p, _)| !renamed.iter().any(|parent| p.starts_with(parent.as_str())));
    renames
}

/// typify's name for every inline schema that becomes a named type, and each component's
/// fingerprint by name.
fn collect(spec: &Value) -> (Vec<Entry>, BTreeMap<String, String>) {
    let mut entries = Vec::new();
    let mut components = BTreeMap::new();
    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let type_name = pascal(name);
            components.insert(type_name.clone(), fingerprint(schema));
            let pointer = format!("/components/schemas/{}", escape(name));
            children(schema, &pointer, &type_name, &mut entries);
        }
    }
    each_operation(spec, |method, path, op| {
        let stem = naming::type_stem(op.get("operationId").and_then(Value::as_str).unwrap_or(""));
        let base = format!("/paths/{}/{method}", escape(path));
        if let Some(Value::Array(params)) = op.get("parameters") {
            for (i, p) in params.iter().enumerate() {
                let (Some(name), Some(schema)) =
                    (p.get("name").and_then(Value::as_str), p.get("schema"))
                else {
                    continue;
                };
                let at = format!("{base}/parameters/{i}/schema");
                visit(
                    schema,
                    &at,
                    format!("{stem}{}", pascal(name)),
                    None,
                    &mut entries,
                );
            }
        }
        if let Some(Value::Object(content)) = op.get("requestBody").and_then(|b| b.get("content")) {
            for (media, m) in content {
                if let Some(schema) = m.get("schema") {
                    let at = format!("{base}/requestBody/content/{}/schema", escape(media));
                    visit(schema, &at, format!("{stem}Body"), None, &mut entries);
                }
            }
        }
    });
    (entries, components)
}

/// Records `schema` (suggested name `name`) if typify names it, then its children.
fn visit(
    schema: &Value,
    pointer: &str,
    name: String,
    qualified: Option<String>,
    out: &mut Vec<Entry>,
) {
    let Value::Object(m) = schema else { return };
    if m.contains_key("$ref") || m.contains_key("x-rust-type") {
        return;
    }
    let name = match m.get("title").and_then(Value::as_str) {
        Some(t) if t.is_ascii() && !t.is_empty() => pascal(t),
        _ => name,
    };
    if is_named_kind(m) {
        out.push(Entry {
            pointer: pointer.to_string(),
            name: name.clone(),
            fingerprint: fingerprint(schema),
            qualified,
        });
    }
    children(schema, pointer, &name, out);
}

fn children(schema: &Value, pointer: &str, name: &str, out: &mut Vec<Entry>) {
    let Value::Object(m) = schema else { return };
    if let Some(Value::Object(props)) = m.get("properties") {
        for (p, s) in props {
            let at = format!("{pointer}/properties/{}", escape(p));
            visit(s, &at, format!("{name}{}", pascal(p)), None, out);
        }
    }
    if let Some(items) = m.get("items") {
        visit(
            items,
            &format!("{pointer}/items"),
            format!("{name}Item"),
            None,
            out,
        );
    }
    if let Some(extra @ Value::Object(_)) = m.get("additionalProperties") {
        let at = format!("{pointer}/additionalProperties");
        visit(extra, &at, format!("{name}Value"), None, out);
    }
    if let Some(Value::Array(parts)) = m.get("allOf") {
        for (i, part) in parts.iter().enumerate() {
            children(part, &format!("{pointer}/allOf/{i}"), name, out);
        }
    }
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(variants)) = m.get(key) else {
            continue;
        };
        let labels = variant_labels(variants);
        let tag = discriminator(variants).filter(|_| key == "oneOf");
        let tagged = tag.is_some();
        for (i, variant) in variants.iter().enumerate() {
            let at = format!("{pointer}/{key}/{i}");
            let label = &labels[i];
            let Value::Object(vm) = variant else { continue };
            if vm.contains_key("$ref") {
                continue;
            }
            let titled = vm
                .get("title")
                .and_then(Value::as_str)
                .filter(|t| t.is_ascii());
            // An internally tagged variant's fields are named after the enum (or the
            // variant's title); other variants are types of their own.
            let base = match (tagged, titled, key) {
                (_, Some(t), _) => pascal(t),
                (true, None, _) => name.to_string(),
                (false, None, "anyOf") => format!("{name}Subtype{i}"),
                (false, None, _) => format!("{name}Variant{i}"),
            };
            if !tagged && is_named_kind(vm) {
                out.push(Entry {
                    pointer: at.clone(),
                    name: base.clone(),
                    fingerprint: fingerprint(variant),
                    qualified: Some(format!("{name}{label}")),
                });
            }
            if let Some(Value::Object(props)) = vm.get("properties") {
                // The tag of an internally tagged enum is no type of its own.
                for (p, s) in props.iter().filter(|(p, _)| tag.as_ref() != Some(*p)) {
                    let child = format!("{at}/properties/{}", escape(p));
                    let qualified = Some(format!("{name}{label}{}", pascal(p)));
                    visit(s, &child, format!("{base}{}", pascal(p)), qualified, out);
                }
            }
            if let Some(items) = vm.get("items") {
                let qualified = Some(format!("{name}{label}Item"));
                visit(
                    items,
                    &format!("{at}/items"),
                    format!("{base}Item"),
                    qualified,
                    out,
                );
            }
            children_of_composites(variant, &at, &base, out);
        }
    }
}

/// Composites nested directly in a variant (`oneOf` of `anyOf`s).
fn children_of_composites(schema: &Value, pointer: &str, name: &str, out: &mut Vec<Entry>) {
    let Value::Object(m) = schema else { return };
    if m.contains_key("oneOf") || m.contains_key("anyOf") || m.contains_key("allOf") {
        let mut stripped = m.clone();
        stripped.remove("properties");
        stripped.remove("items");
        children(&Value::Object(stripped), pointer, name, out);
    }
}

/// The property every variant has with one single allowed value: the union's tag.
fn discriminator(variants: &[Value]) -> Option<String> {
    let first = variants.first()?.get("properties")?.as_object()?;
    first
        .keys()
        .find(|k| {
            variants
                .iter()
                .all(|v| single_value(v.pointer(&format!("/properties/{}", escape(k)))).is_some())
        })
        .cloned()
}

fn single_value(schema: Option<&Value>) -> Option<&Value> {
    let schema = schema?;
    if let Some(c) = schema.get("const") {
        return Some(c);
    }
    match schema.get("enum").and_then(Value::as_array) {
        Some(values) if values.len() == 1 => values.first(),
        _ => None,
    }
}

/// A name per variant: its discriminator value, else its ASCII title, else its index.
fn variant_labels(variants: &[Value]) -> Vec<String> {
    let tag = discriminator(variants);
    let labels: Vec<String> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let by_tag = tag.as_ref().and_then(|t| {
                single_value(v.pointer(&format!("/properties/{}", escape(t)))).map(|value| {
                    match value {
                        Value::String(s) => pascal(s),
                        other => format!("{}{}", pascal(t), pascal(&other.to_string())),
                    }
                })
            });
            let by_title = v
                .get("title")
                .and_then(Value::as_str)
                .filter(|t| t.is_ascii() && !t.is_empty())
                .map(pascal);
            by_tag
                .or(by_title)
                .filter(|l| !l.is_empty() && l.starts_with(|c: char| c.is_ascii_alphabetic()))
                .unwrap_or_else(|| format!("Variant{i}"))
        })
        .collect();
    // Labels must tell the variants apart.
    let distinct: BTreeSet<&String> = labels.iter().collect();
    if distinct.len() == labels.len() {
        labels
    } else {
        (0..variants.len()).map(|i| format!("Variant{i}")).collect()
    }
}

/// Will typify make a named type of this schema?
fn is_named_kind(m: &Map<String, Value>) -> bool {
    let non_empty = |k: &str| match m.get(k) {
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    };
    let constrained_string = m.get("type").and_then(Value::as_str) == Some("string")
        && ["pattern", "minLength", "maxLength"]
            .iter()
            .any(|k| m.contains_key(*k));
    non_empty("properties")
        || non_empty("enum")
        || non_empty("oneOf")
        || non_empty("anyOf")
        || non_empty("allOf")
        || constrained_string
}

/// The schema's structure, documentation left out: schemas with the same fingerprint can
/// share a type without losing anything.
fn fingerprint(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "description" | "title" | "example" | "examples" | "deprecated"
                        ) && !k.starts_with("x-")
                            || k.as_str() == "x-rust-type"
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(schema).to_string()
}

/// An identifier part as typify writes it (`no_reprint` → `NoReprint`): [`naming::type_name`].
pub fn pascal(s: &str) -> String {
    naming::type_name(s)
}

pub use super::refs::escape;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn union_spec() -> Value {
        json!({ "components": { "schemas": {
            "Body": { "type": "object", "properties": { "items": { "type": "array", "items": {
                "oneOf": [
                    { "type": "object", "properties": {
                        "platform": { "type": "string", "enum": ["douyin"] },
                        "option": { "type": "object", "properties": { "shortTitle": { "type": "string" } } },
                        "extra": { "type": "object", "properties": { "a": { "type": "string" } } } } },
                    { "type": "object", "properties": {
                        "platform": { "type": "string", "enum": ["xhs"] },
                        "option": { "type": "object", "properties": { "workLink": { "type": "string" } } },
                        "extra": { "type": "object", "properties": { "a": { "type": "string", "description": "d" } } } } }
                ] } } } }
        } } })
    }

    #[test]
    fn variants_with_different_fields_get_names_of_their_own() {
        let mut spec = union_spec();
        assert_eq!(name_inline_schemas(&mut spec).unwrap(), 2);
        let variants =
            &spec["components"]["schemas"]["Body"]["properties"]["items"]["items"]["oneOf"];
        assert_eq!(
            variants[0]["properties"]["option"]["title"],
            "BodyItemsItemDouyinOption"
        );
        assert_eq!(
            variants[1]["properties"]["option"]["title"],
            "BodyItemsItemXhsOption"
        );
        // The same shape (documentation aside) keeps one shared type.
        assert!(variants[0]["properties"]["extra"].get("title").is_none());
        // Stable: a second run changes nothing.
        assert_eq!(name_inline_schemas(&mut spec).unwrap(), 0);
    }

    #[test]
    fn object_any_of_becomes_a_named_union() {
        let mut spec = json!({ "components": { "schemas": { "Opt": { "type": "object", "properties": {
            "o": { "anyOf": [
                { "type": "object", "properties": { "c": { "type": "number", "enum": [1] } } },
                { "type": "object", "properties": { "c": { "type": "number", "enum": [2] },
                    "source": { "type": "string" } } } ] },
            "scalar": { "anyOf": [{ "type": "string" }, { "type": "object" }] } } } } } });
        assert_eq!(object_unions(&mut spec).unwrap(), 1);
        let o = &spec["components"]["schemas"]["Opt"]["properties"]["o"];
        assert!(o.get("anyOf").is_none());
        assert_eq!(o["oneOf"][0]["title"], "OptOC1");
        assert_eq!(o["oneOf"][1]["title"], "OptOC2");
        let scalar = &spec["components"]["schemas"]["Opt"]["properties"]["scalar"];
        assert!(
            scalar.get("anyOf").is_some(),
            "a member that is no object stays"
        );
        assert!(downgrades(&spec).is_empty());
    }

    #[test]
    fn any_of_members_that_agree_stay_and_members_that_disagree_merge() {
        let mut spec = json!({ "components": { "schemas": { "M": { "type": "object", "properties": {
            "agree": { "anyOf": [
                { "type": "object", "properties": { "w": { "type": "number" } }, "required": ["w"] },
                { "type": "object", "properties": { "w": { "type": "number" }, "d": { "type": "number" } } } ] },
            "disagree": { "anyOf": [
                { "type": "object", "properties": { "v": { "type": "string" }, "a": { "type": "string" } },
                  "required": ["v", "a"] },
                { "type": "object", "properties": { "v": { "type": "integer" }, "b": { "type": "string" } },
                  "required": ["v"] } ] } } } } } });
        assert_eq!(object_unions(&mut spec).unwrap(), 1);
        let p = &spec["components"]["schemas"]["M"]["properties"];
        assert!(p["agree"].get("anyOf").is_some());
        let merged = &p["disagree"];
        assert!(merged.get("anyOf").is_none());
        assert_eq!(merged["required"], json!(["v"]));
        assert_eq!(merged["properties"]["v"], json!({}));
        assert_eq!(merged["properties"]["a"]["type"], "string");
        assert_eq!(merged["properties"]["b"]["type"], "string");
        let listed = downgrades(&spec);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, "/components/schemas/M/properties/disagree");
        assert!(listed[0].1.contains("v"));

        let mut spec = json!({ "components": { "schemas": { "P": { "anyOf": [
            { "type": "object", "properties": { "d": { "type": "string", "enum": ["next", "previous"] } } },
            { "type": "object", "properties": { "d": { "type": "string", "enum": ["next"] },
                "limit": { "type": "integer" } }, "required": ["limit"] } ] } } } });
        assert_eq!(
            object_unions(&mut spec).unwrap(),
            1,
            "a component's own anyOf"
        );
        let mut spec = json!({ "components": { "schemas": { "Q": { "type": "object", "properties": {
            "p": { "anyOf": [
                { "type": "object", "properties": { "d": { "type": "string", "enum": ["next", "previous"] } } },
                { "type": "object", "properties": { "d": { "type": "string", "enum": ["next"] },
                    "limit": { "type": "integer" } }, "required": ["limit"] } ] } } } } } });
        assert_eq!(object_unions(&mut spec).unwrap(), 1);
        let p = &spec["components"]["schemas"]["Q"]["properties"]["p"];
        assert_eq!(p["properties"]["d"]["enum"], json!(["next", "previous"]));
        assert!(downgrades(&spec)[0].1.contains("enum values united: d"));
    }

    #[test]
    fn an_inline_schema_named_like_a_component_is_renamed() {
        let mut spec = json!({ "components": { "schemas": {
            "Thing": { "type": "object", "properties": { "kind": { "type": "object",
                "properties": { "x": { "type": "string" } } } } },
            "ThingKind": { "type": "object", "properties": { "y": { "type": "integer" } } }
        } } });
        assert_eq!(name_inline_schemas(&mut spec).unwrap(), 1);
        assert_eq!(
            spec["components"]["schemas"]["Thing"]["properties"]["kind"]["title"],
            "ThingKind2"
        );
    }

    #[test]
    fn non_ascii_titles_become_descriptions() {
        let mut spec = json!({ "components": { "schemas": { "C": { "type": "object", "properties": {
            "content": { "oneOf": [
                { "title": "图片", "type": "object", "properties": { "type": { "enum": ["image_url"] },
                    "image_url": { "type": "object", "properties": { "url": { "type": "string" } } } } },
                { "title": "纯文本", "type": "object", "properties": { "type": { "enum": ["text"] },
                    "text": { "type": "string" } } } ] } } } } } });
        name_inline_schemas(&mut spec).unwrap();
        let v = &spec["components"]["schemas"]["C"]["properties"]["content"]["oneOf"];
        assert!(v[0].get("title").is_none());
        assert_eq!(v[0]["description"], "图片");
        assert!(!spec.to_string().contains("\"title\":\"图片\""));
    }

    #[test]
    fn variant_labels_follow_the_tag_then_titles_then_indices() {
        let tagged = [
            json!({ "properties": { "platform": { "enum": ["wxGzh"] } } }),
            json!({ "properties": { "platform": { "const": "x" } } }),
        ];
        assert_eq!(variant_labels(&tagged), ["WxGzh", "X"]);
        let titled = [json!({ "title": "Text" }), json!({ "title": "Image" })];
        assert_eq!(variant_labels(&titled), ["Text", "Image"]);
        let plain = [json!({ "type": "object" }), json!({ "title": "Same" })];
        assert_eq!(variant_labels(&plain), ["Variant0", "Same"]);
    }
}
