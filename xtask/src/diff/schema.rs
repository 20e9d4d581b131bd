//! Structural walk of two schemas, and the Rust types the generator makes of them.
//!
//! `$ref`s are followed on both sides, so a change inside a referenced component shows under
//! every place that uses it. A stack of the `$ref` pairs being walked stops cycles (a schema
//! that contains itself is compared once per place). `allOf` is flattened into one object.
//!
//! The Rust types are a best-effort mirror of typify's rules (formats, integer bounds, `Option`
//! for optional fields except `Vec`/map fields, inline types named `Parent` + `Field`); they
//! feed the "rust-api" flag and the reasons, never the structural comparison itself.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::model::{Direction, Finding, Place, What};
use crate::codegen::{naming, refs};

/// Nested `$ref`s deeper than this are not followed (a guard beside the cycle check).
const MAX_REF_DEPTH: usize = 48;

static NULL: Value = Value::Null;

/// Rust type names inherited by inline schemas (old side, new side).
pub type Names = (Option<String>, Option<String>);

/// The place being walked and which way its data flows.
pub struct At<'p> {
    pub place: &'p Place,
    pub dir: Direction,
}

/// The Rust types `send()` returns, pinned to where the body sits in the response schema
/// (`data` of an envelope, the root of a plain JSON body). A `$ref` change there renames them.
#[derive(Debug, Clone)]
pub struct BodyRoot {
    pub place: Place,
    pub path: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

/// Compares schemas of two documents and collects [`Finding`]s.
pub struct Walker<'a> {
    pub old: &'a Value,
    pub new: &'a Value,
    pub findings: Vec<Finding>,
    pub body_root: Option<BodyRoot>,
    /// Where the SDK's typed response bodies start (place, path): enums strictly below are
    /// `aitoearn::Open<E>` (the `open_response_enums` adaptation).
    pub open_roots: Vec<(Place, String)>,
    /// Component schemas reachable from responses: their enums are `Open<E>` where used.
    pub open_schemas: BTreeSet<String>,
    /// Do not follow a `$ref` to a component schema (the same on both sides) below the root of
    /// the walk: each difference is found once, where it is written (`--ignore-text`).
    pub shallow: bool,
    stack: Vec<(Option<String>, Option<String>)>,
}

impl<'a> Walker<'a> {
    pub fn new(old: &'a Value, new: &'a Value) -> Self {
        Walker {
            old,
            new,
            findings: Vec::new(),
            body_root: None,
            open_roots: Vec::new(),
            open_schemas: BTreeSet::new(),
            shallow: false,
            stack: Vec::new(),
        }
    }

    /// Does the generator decode an enum at `path` of `place` as `aitoearn::Open<E>`? The
    /// adaptation wraps every enum reachable from a response body descriptor, except the
    /// descriptor's own root (and the items of a root array).
    pub fn is_open(&self, place: &Place, path: &str) -> bool {
        if let Place::Schema { name } = place {
            return self.open_schemas.contains(name);
        }
        self.open_roots.iter().any(|(p, root)| {
            p == place
                && path.len() > root.len()
                && path.starts_with(root.as_str())
                && (root.is_empty() || path[root.len()..].starts_with(['.', '[', '<']))
                && path[root.len()..] != *"[]"
        })
    }

    pub fn push(&mut self, at: &At, path: &str, what: What) {
        self.findings.push(Finding {
            place: at.place.clone(),
            path: path.to_string(),
            dir: at.dir,
            what,
        });
    }

    /// Resolves on one side; a dangling `$ref` compares as an unconstrained value (the report
    /// notes dangling `$ref`s once, see `diff::dangling_refs`).
    fn resolve<'v>(&self, side: Side, v: &'v Value) -> (&'v Value, Option<&'v str>)
    where
        'a: 'v,
    {
        let root = match side {
            Side::Old => self.old,
            Side::New => self.new,
        };
        let (target, first) = resolve(root, v);
        (target.unwrap_or(&NULL), first)
    }

    /// Compares `old` and `new` (either may be a `$ref`) at `path`. `required` is
    /// `Some((old, new))` when the schema is an object's property.
    pub fn schema(
        &mut self,
        at: &At,
        path: &str,
        old: &Value,
        new: &Value,
        names: Names,
        required: Option<(bool, bool)>,
    ) {
        let (o, oref) = self.resolve(Side::Old, old);
        let (n, nref) = self.resolve(Side::New, new);
        let pinned = self
            .body_root
            .as_ref()
            .filter(|b| &b.place == at.place && b.path == path)
            .map(|b| (b.old.clone(), b.new.clone()));
        let names = match &pinned {
            Some((po, pn)) => (generated_name(po), generated_name(pn)),
            None => (
                oref.map(type_name).or(names.0),
                nref.map(type_name).or(names.1),
            ),
        };
        if oref != nref {
            let (old_rust, new_rust) = pinned.unwrap_or_else(|| {
                (
                    rust_type(self.old, old, names.0.as_deref()),
                    rust_type(self.new, new, names.1.as_deref()),
                )
            });
            let required_fields = if nref.is_some() {
                required_names(n)
            } else {
                Vec::new()
            };
            self.push(
                at,
                path,
                What::RefChanged {
                    old: oref.map(ref_label),
                    new: nref.map(ref_label),
                    old_rust,
                    new_rust,
                    required: required_fields,
                },
            );
        }
        // The component walk (`walk::schemas`) starts at the component's own `$ref`.
        let walk_root =
            matches!(at.place, Place::Schema { .. }) && path.is_empty() && self.stack.is_empty();
        let component = oref.is_some_and(|r| r.starts_with("#/components/schemas/"));
        if self.shallow && oref == nref && component && !walk_root {
            return;
        }
        let key = (oref.map(str::to_owned), nref.map(str::to_owned));
        let guarded = key.0.is_some() || key.1.is_some();
        if guarded {
            if self.stack.contains(&key) || self.stack.len() >= MAX_REF_DEPTH {
                return;
            }
            self.stack.push(key);
        }
        let o = merged(self.old, o, 0);
        let n = merged(self.new, n, 0);
        self.node(at, path, &o, &n, &names, required);
        if guarded {
            self.stack.pop();
        }
    }

    /// Compares two resolved schemas.
    fn node(
        &mut self,
        at: &At,
        path: &str,
        o: &Value,
        n: &Value,
        names: &Names,
        required: Option<(bool, bool)>,
    ) {
        for field in ["title", "description"] {
            let (ot, nt) = (text(o, field), text(n, field));
            if ot != nt {
                self.push(
                    at,
                    path,
                    What::Text {
                        field,
                        old: ot,
                        new: nt,
                    },
                );
            }
        }
        let (od, nd) = (flag(o, "deprecated"), flag(n, "deprecated"));
        if od != nd {
            self.push(at, path, What::Deprecated { now: nd });
        }
        let (ok, nk) = (kind_of(o), kind_of(n));
        let open = self.is_open(at.place, path);
        let orust = open_enum(
            rust_base(self.old, o, names.0.as_deref(), 0),
            open && is_enum(o),
        );
        let nrust = open_enum(
            rust_base(self.new, n, names.1.as_deref(), 0),
            open && is_enum(n),
        );
        if ok != nk {
            self.push(
                at,
                path,
                What::TypeChanged {
                    old: ok,
                    new: nk,
                    old_rust: orust,
                    new_rust: nrust,
                },
            );
            return;
        }
        let (onull, nnull) = (flag(o, "nullable"), flag(n, "nullable"));
        if onull != nnull {
            let (oreq, nreq) = required.unwrap_or((true, true));
            self.push(
                at,
                path,
                What::NullableChanged {
                    now: nnull,
                    old_rust: wrap_option(&orust, onull || (!oreq && !is_collection(o))),
                    new_rust: wrap_option(&nrust, nnull || (!nreq && !is_collection(n))),
                },
            );
        }
        self.enums(at, path, o, n, (&orust, &nrust), open);
        let (of, nf) = (text(o, "format"), text(n, "format"));
        if of != nf {
            self.push(
                at,
                path,
                What::FormatChanged {
                    old: of,
                    new: nf,
                    old_rust: orust.clone(),
                    new_rust: nrust.clone(),
                },
            );
        }
        for keyword in CONSTRAINTS {
            let (oc, nc) = (o.get(*keyword), n.get(*keyword));
            if oc != nc {
                self.push(
                    at,
                    path,
                    What::ConstraintChanged {
                        keyword,
                        old: oc.cloned(),
                        new: nc.cloned(),
                        tighter: tighter(keyword, oc, nc),
                        old_rust: orust.clone(),
                        new_rust: nrust.clone(),
                    },
                );
            }
        }
        if o.get("default") != n.get("default") {
            self.push(
                at,
                path,
                What::DefaultChanged {
                    old: o.get("default").cloned(),
                    new: n.get("default").cloned(),
                },
            );
        }
        self.properties(at, path, o, n, names);
        let child = |suffix: &str| names_with(names, suffix);
        let (oa, na) = (map_values(o), map_values(n));
        if oa.is_some() || na.is_some() {
            let p = join(path, "*");
            self.schema(
                at,
                &p,
                oa.unwrap_or(&NULL),
                na.unwrap_or(&NULL),
                (None, None),
                None,
            );
        }
        if o.get("items").is_some() || n.get("items").is_some() {
            let (oi, ni) = (
                o.get("items").unwrap_or(&NULL),
                n.get("items").unwrap_or(&NULL),
            );
            self.schema(at, &format!("{path}[]"), oi, ni, child("Item"), None);
        }
        for keyword in ["oneOf", "anyOf"] {
            let (ov, nv) = (
                o.get(keyword).and_then(Value::as_array),
                n.get(keyword).and_then(Value::as_array),
            );
            match (ov, nv) {
                (None, None) => {}
                (Some(a), Some(b)) if a.len() == b.len() => {
                    for (i, (x, y)) in a.iter().zip(b).enumerate() {
                        let p = format!("{path}<{keyword} {}>", i + 1);
                        self.schema(at, &p, x, y, (None, None), None);
                    }
                }
                (a, b) => {
                    let (old, new) = (a.map_or(0, Vec::len), b.map_or(0, Vec::len));
                    self.push(at, path, What::VariantsChanged { keyword, old, new });
                }
            }
        }
    }

    fn enums(
        &mut self,
        at: &At,
        path: &str,
        o: &Value,
        n: &Value,
        (orust, nrust): (&str, &str),
        open: bool,
    ) {
        let (oe, ne) = (
            o.get("enum").and_then(Value::as_array),
            n.get("enum").and_then(Value::as_array),
        );
        let what = match (oe, ne) {
            (None, None) => return,
            (Some(a), None) => What::EnumRemoved {
                values: a.clone(),
                old_rust: orust.into(),
                new_rust: nrust.into(),
                open,
            },
            (None, Some(b)) => What::EnumAdded {
                values: b.clone(),
                old_rust: orust.into(),
                new_rust: nrust.into(),
            },
            (Some(a), Some(b)) => {
                let removed: Vec<Value> = a.iter().filter(|v| !b.contains(v)).cloned().collect();
                let added: Vec<Value> = b.iter().filter(|v| !a.contains(v)).cloned().collect();
                if !removed.is_empty() {
                    self.push(
                        at,
                        path,
                        What::EnumValuesRemoved {
                            values: removed,
                            rust: orust.into(),
                        },
                    );
                }
                if added.is_empty() {
                    return;
                }
                What::EnumValuesAdded {
                    values: added,
                    rust: nrust.into(),
                    open,
                }
            }
        };
        self.push(at, path, what);
    }

    fn properties(&mut self, at: &At, path: &str, o: &Value, n: &Value, names: &Names) {
        let empty = Map::new();
        let op = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let np = n
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (oreq, nreq) = (required_names(o), required_names(n));
        let keys: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        for key in keys {
            let p = join(path, key);
            let names = names_with(names, &naming::type_name(key));
            let (or, nr) = (oreq.contains(key), nreq.contains(key));
            let open = self.is_open(at.place, &p);
            match (op.get(key), np.get(key)) {
                (Some(ov), Some(nv)) => {
                    if or != nr {
                        let old_rust = field_rust(self.old, ov, names.0.as_deref(), or, open);
                        let new_rust = field_rust(self.new, nv, names.1.as_deref(), nr, open);
                        self.push(
                            at,
                            &p,
                            What::RequiredChanged {
                                now: nr,
                                old_rust,
                                new_rust,
                            },
                        );
                    }
                    self.schema(at, &p, ov, nv, names, Some((or, nr)));
                }
                (None, Some(nv)) => {
                    let rust = field_rust(self.new, nv, names.1.as_deref(), nr, open);
                    self.push(at, &p, What::FieldAdded { required: nr, rust });
                }
                (Some(ov), None) => {
                    let rust = field_rust(self.old, ov, names.0.as_deref(), or, open);
                    self.push(at, &p, What::FieldRemoved { required: or, rust });
                }
                (None, None) => unreachable!("key comes from one of the maps"),
            }
        }
    }
}

/// Validation keywords compared one by one.
const CONSTRAINTS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Does the new value of a validation keyword admit fewer values than the old one?
fn tighter(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let num = |v: Option<&Value>| v.and_then(Value::as_f64);
    let truthy = |v: Option<&Value>| v.is_some_and(|v| v.as_bool() == Some(true) || v.is_number());
    match keyword {
        "minimum" | "minLength" | "minItems" | "minProperties" => match (num(old), num(new)) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b > a,
            _ => false,
        },
        "maximum" | "maxLength" | "maxItems" | "maxProperties" => match (num(old), num(new)) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b < a,
            _ => false,
        },
        "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => truthy(new) && !truthy(old),
        // A new or different pattern/multiple may reject values the old one accepted.
        _ => new.is_some(),
    }
}

/// Follows `$ref`s (local JSON pointers) and single-member `allOf` wrappers
/// (`allOf: [{$ref}]` + a description) to the schema they name. Returns the target (`None`
/// for a dangling or non-local `$ref`) and the first `$ref` met.
pub fn resolve<'v>(root: &'v Value, v: &'v Value) -> (Option<&'v Value>, Option<&'v str>) {
    let mut cur = v;
    let mut first = None;
    for _ in 0..32 {
        let to = refs::follow(cur, refs::in_document(root));
        first = first.or(to.first_ref);
        if to.dangling {
            return (None, first);
        }
        // `allOf: [{$ref}]` (a reference with siblings, as OpenAPI 3.0 writes it) is followed too.
        match single_all_of(to.schema) {
            Some(inner) if inner.get("$ref").is_some() => cur = inner,
            _ => return (Some(to.schema), first),
        }
    }
    (Some(cur), first)
}

fn single_all_of(s: &Value) -> Option<&Value> {
    let all = s.get("allOf")?.as_array()?;
    all.first()
        .filter(|_| all.len() == 1 && s.get("properties").is_none() && s.get("type").is_none())
}

/// `allOf` flattened into one object schema: properties and `required` merged, the first
/// `type`/`format`/… of any member kept when the schema has none.
fn merged<'v>(root: &'v Value, s: &'v Value, depth: usize) -> Cow<'v, Value> {
    let Some(all) = s.get("allOf").and_then(Value::as_array) else {
        return Cow::Borrowed(s);
    };
    if depth > 8 {
        return Cow::Borrowed(s);
    }
    let mut out = s.as_object().cloned().unwrap_or_default();
    out.remove("allOf");
    let mut props = match out.remove("properties") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut required: Vec<Value> = match out.remove("required") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    for member in all {
        let Some(target) = resolve(root, member).0 else {
            continue;
        };
        let target = merged(root, target, depth + 1);
        if let Some(p) = target.get("properties").and_then(Value::as_object) {
            props.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for r in target
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
        for k in [
            "type",
            "format",
            "enum",
            "nullable",
            "items",
            "additionalProperties",
            "oneOf",
            "anyOf",
        ] {
            if let (false, Some(v)) = (out.contains_key(k), target.get(k)) {
                out.insert(k.into(), v.clone());
            }
        }
    }
    if !props.is_empty() {
        out.insert("properties".into(), Value::Object(props));
        out.entry("type")
            .or_insert_with(|| Value::String("object".into()));
    }
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    Cow::Owned(Value::Object(out))
}

/// The JSON type of a schema, inferred when `type` is absent.
pub fn kind_of(s: &Value) -> String {
    match s.get("type") {
        Some(Value::String(t)) => return t.clone(),
        Some(Value::Array(ts)) => {
            let ts: Vec<&str> = ts
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            return ts.join("|");
        }
        _ => {}
    }
    if s.get("properties").is_some() || s.get("additionalProperties").is_some_and(Value::is_object)
    {
        "object"
    } else if s.get("items").is_some() {
        "array"
    } else if s.get("oneOf").is_some() {
        "oneOf"
    } else if s.get("anyOf").is_some() {
        "anyOf"
    } else {
        match s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.iter().find(|v| !v.is_null()))
        {
            Some(Value::String(_)) => "string",
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => "integer",
            Some(Value::Number(_)) => "number",
            Some(Value::Bool(_)) => "boolean",
            _ => "any",
        }
    }
    .into()
}

/// The Rust type of a value of schema `v` (a `$ref` or inline; `name` is the name typify
/// gives an inline struct or enum here), without the `Option` of an optional field.
pub fn rust_type(root: &Value, v: &Value, name: Option<&str>) -> String {
    match resolve(root, v) {
        (_, Some(r)) => format!("types::{}", type_name(r)),
        (Some(s), None) => wrap_option(&rust_base(root, s, name, 0), flag(s, "nullable")),
        (None, None) => "serde_json::Value".into(),
    }
}

/// The Rust type of an object field: `Option<T>` unless required (typify gives optional
/// `Vec`/map fields a default instead), and for nullable fields; enums in `open` places are
/// `Open<E>`.
pub fn field_rust(
    root: &Value,
    v: &Value,
    name: Option<&str>,
    required: bool,
    open: bool,
) -> String {
    let (target, r) = resolve(root, v);
    let s = target.unwrap_or(&NULL);
    let base = match r {
        Some(r) => format!("types::{}", type_name(r)),
        None => rust_base(root, s, name, 0),
    };
    let base = open_enum(base, open && is_enum(s));
    let collection = r.is_none() && is_collection(s);
    wrap_option(&base, flag(s, "nullable") || (!required && !collection))
}

/// `Open<T>` for an enum the generator opens.
fn open_enum(t: String, open: bool) -> String {
    if open { format!("Open<{t}>") } else { t }
}

fn is_enum(s: &Value) -> bool {
    s.get("enum").is_some_and(Value::is_array)
}

fn wrap_option(t: &str, optional: bool) -> String {
    if optional && !t.starts_with("Option<") {
        format!("Option<{t}>")
    } else {
        t.to_string()
    }
}

/// Arrays and free-form maps: typify defaults them to empty instead of wrapping in `Option`.
fn is_collection(s: &Value) -> bool {
    match kind_of(s).as_str() {
        "array" => true,
        "object" => s
            .get("properties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty),
        _ => false,
    }
}

/// The Rust type of a resolved schema (typify's mapping, simplified).
fn rust_base(root: &Value, s: &Value, name: Option<&str>, depth: usize) -> String {
    let named = |what: &str| match name {
        Some(n) => format!("types::{n}"),
        None => format!("an inline {what}"),
    };
    let has = |k: &str| s.get(k).is_some();
    match kind_of(s).as_str() {
        _ if has("enum") => named("enum"),
        "string" => match s.get("format").and_then(Value::as_str) {
            Some("uuid") => "uuid::Uuid".into(),
            Some("date") => "chrono::NaiveDate".into(),
            Some("date-time") => "chrono::DateTime<Utc>".into(),
            Some("ip") => "std::net::IpAddr".into(),
            Some("ipv4") => "std::net::Ipv4Addr".into(),
            Some("ipv6") => "std::net::Ipv6Addr".into(),
            _ if has("minLength") || has("maxLength") || has("pattern") => {
                named("constrained string")
            }
            _ => "String".into(),
        },
        "integer" => integer_type(s).into(),
        "number" if s.get("format").and_then(Value::as_str) == Some("float") => "f32".into(),
        "number" => "f64".into(),
        "boolean" => "bool".into(),
        "array" if depth > 6 => "Vec<…>".into(),
        "array" => {
            let items = s.get("items").unwrap_or(&NULL);
            let item_name = name.map(|n| format!("{n}Item"));
            let inner = match resolve(root, items) {
                (_, Some(r)) => format!("types::{}", type_name(r)),
                (Some(t), None) => rust_base(root, t, item_name.as_deref(), depth + 1),
                (None, None) => "serde_json::Value".into(),
            };
            format!("Vec<{inner}>")
        }
        "object"
            if s.get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty()) =>
        {
            named("struct")
        }
        "object" => match map_values(s) {
            Some(v) if depth <= 6 => match resolve(root, v) {
                (_, Some(r)) => format!("Map<String, types::{}>", type_name(r)),
                (Some(t), None) => format!("Map<String, {}>", rust_base(root, t, None, depth + 1)),
                (None, None) => "serde_json::Map<String, Value>".into(),
            },
            _ => "serde_json::Map<String, Value>".into(),
        },
        "oneOf" | "anyOf" => named("enum"),
        "any" => "serde_json::Value".into(),
        _ => named("type"),
    }
}

/// typify: the `format`'s type, else `NonZeroU64` for a minimum of 1, `u64` for 0, else `i64`.
fn integer_type(s: &Value) -> &'static str {
    let by_format = match s.get("format").and_then(Value::as_str) {
        Some("int8") => Some("i8"),
        Some("uint8") => Some("u8"),
        Some("int16") => Some("i16"),
        Some("uint16") => Some("u16"),
        Some("int32") => Some("i32"),
        Some("uint32") | Some("uint") => Some("u32"),
        Some("int64") => Some("i64"),
        Some("uint64") => Some("u64"),
        _ => None,
    };
    if let Some(t) = by_format {
        return t;
    }
    let exclusive = s
        .get("exclusiveMinimum")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let min = s
        .get("minimum")
        .and_then(Value::as_f64)
        .map(|m| if exclusive { m + 1.0 } else { m });
    match min {
        Some(1.0) => "std::num::NonZeroU64",
        Some(0.0) => "u64",
        _ => "i64",
    }
}

/// The schema of a map's values (`additionalProperties` given as a schema).
fn map_values(s: &Value) -> Option<&Value> {
    s.get("additionalProperties").filter(|v| v.is_object())
}

fn names_with(names: &Names, suffix: &str) -> Names {
    (
        names.0.as_ref().map(|n| format!("{n}{suffix}")),
        names.1.as_ref().map(|n| format!("{n}{suffix}")),
    )
}

/// `types::AuthStartData` → `AuthStartData`; other Rust types name no generated type.
fn generated_name(rust: &str) -> Option<String> {
    rust.strip_prefix("types::")
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_owned)
}

/// `#/components/schemas/AuthStartVo` → `AuthStartVo`; pointers into a schema keep their tail.
pub fn ref_label(r: &str) -> String {
    r.strip_prefix("#/components/schemas/")
        .unwrap_or(r)
        .to_string()
}

/// The Rust type typify generates for a component ([`naming::pointer_type_name`]).
pub fn type_name(r: &str) -> String {
    naming::pointer_type_name(r)
}

pub fn required_names(s: &Value) -> Vec<String> {
    s.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

pub fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_owned)
}

pub fn flag(v: &Value, field: &str) -> bool {
    v.get(field).and_then(Value::as_bool).unwrap_or(false)
}

/// `a` + `b` → `a.b`; the root path is empty.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
