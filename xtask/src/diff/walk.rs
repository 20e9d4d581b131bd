//! Structural walk of two documents: operations (keyed by method + path) with their
//! parameters, request bodies, responses and security; the named component schemas; the
//! servers. Produces unclassified [`Finding`]s; `schema.rs` does the schema-level comparison.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::generated::{SdkOperation, SdkView};
use super::model::{Direction, Finding, Place, Status, What};
use super::schema::{At, BodyRoot, Names, Walker, flag, resolve, text};
use crate::codegen::model::answer::Kind;
use crate::codegen::{adapt, naming, refs};

static NULL: Value = Value::Null;

/// The findings of one operation.
pub struct OperationFindings {
    pub method: String,
    pub path: String,
    pub status: Status,
    pub operation_id: (Option<String>, Option<String>),
    pub rust_method: (Option<String>, Option<String>),
    pub findings: Vec<Finding>,
}

/// The findings of one named component schema.
pub struct SchemaFindings {
    pub name: String,
    pub status: Status,
    pub findings: Vec<Finding>,
    /// The operations that use the schema on either side (`GET /path`), in report order.
    pub used_by: Vec<String>,
}

pub struct Walked {
    pub operations: Vec<OperationFindings>,
    pub schemas: Vec<SchemaFindings>,
    pub document: Vec<Finding>,
}

/// (path, rank of the method in [`adapt::HTTP_METHODS`], upper-case method): sorts operations
/// by path, then in the usual method order.
type OpKey = (String, usize, String);

struct Op<'v> {
    op: &'v Value,
    item: &'v Value,
}

/// `shallow`: a `$ref` to a component schema is not followed from operations (nor from other
/// components), so a difference inside a component is found once, under the component.
pub fn walk(
    old: &Value,
    new: &Value,
    (sdk_old, sdk_new): (&SdkView, &SdkView),
    shallow: bool,
) -> Walked {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let keys: BTreeSet<&OpKey> = old_ops.keys().chain(new_ops.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let (path, _, method) = key;
        let (o, n) = (old_ops.get(key), new_ops.get(key));
        let old_name = o.map(|o| sdk_old.method_name(method, path, o.op));
        let new_name = n.map(|n| sdk_new.method_name(method, path, n.op));
        let mut w = Walker::new(old, new);
        w.shallow = shallow;
        let at = At {
            place: &Place::Operation,
            dir: Direction::Both,
        };
        let status = match (o, n) {
            (Some(o), Some(n)) => {
                let sdk = |v: &SdkView| v.operations.get(&(method.clone(), path.clone())).cloned();
                let names = (
                    old_name.clone().unwrap_or_default(),
                    new_name.clone().unwrap_or_default(),
                );
                operation(&mut w, o, n, (sdk(sdk_old), sdk(sdk_new)), &names);
                Status::Changed
            }
            (None, _) => {
                w.push(&at, "", What::OperationAdded);
                Status::Added
            }
            (_, None) => {
                w.push(&at, "", What::OperationRemoved);
                Status::Removed
            }
        };
        if w.findings.is_empty() {
            continue;
        }
        let id = |o: Option<&Op>| o.and_then(|o| text(o.op, "operationId"));
        out.push(OperationFindings {
            method: method.clone(),
            path: path.clone(),
            status,
            operation_id: (id(o), id(n)),
            rust_method: (old_name, new_name),
            findings: w.findings,
        });
    }
    let schemas = schemas(old, new, shallow);
    let mut document = Vec::new();
    let (os, ns) = (servers(old), servers(new));
    if os != ns {
        document.push(Finding {
            place: Place::Document,
            path: String::new(),
            dir: Direction::Both,
            what: What::ServersChanged { old: os, new: ns },
        });
    }
    Walked {
        operations: out,
        schemas,
        document,
    }
}

fn operations(spec: &Value) -> BTreeMap<OpKey, Op<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item = resolve(spec, item).0.unwrap_or(item);
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(rank) = adapt::HTTP_METHODS.iter().position(|m| m == method) {
                out.insert((path.clone(), rank, method.to_uppercase()), Op { op, item });
            }
        }
    }
    out
}

fn operation(
    w: &mut Walker,
    o: &Op,
    n: &Op,
    sdk: (Option<SdkOperation>, Option<SdkOperation>),
    names: &(String, String),
) {
    let at = At {
        place: &Place::Operation,
        dir: Direction::Both,
    };
    let (oid, nid) = (text(o.op, "operationId"), text(n.op, "operationId"));
    if oid != nid {
        w.push(
            &at,
            "",
            What::OperationIdChanged {
                old: oid.unwrap_or_default(),
                new: nid.unwrap_or_default(),
                old_method: names.0.clone(),
                new_method: names.1.clone(),
            },
        );
    }
    for field in ["summary", "description"] {
        let (ot, nt) = (text(o.op, field), text(n.op, field));
        if ot != nt {
            w.push(
                &at,
                "",
                What::Text {
                    field,
                    old: ot,
                    new: nt,
                },
            );
        }
    }
    if flag(o.op, "deprecated") != flag(n.op, "deprecated") {
        w.push(
            &at,
            "",
            What::Deprecated {
                now: flag(n.op, "deprecated"),
            },
        );
    }
    let (ot, nt) = (strings(o.op.get("tags")), strings(n.op.get("tags")));
    if ot != nt {
        w.push(&at, "", What::TagsChanged { old: ot, new: nt });
    }
    let stems = (naming::type_stem(&names.0), naming::type_stem(&names.1));
    parameters(w, o, n, &stems);
    request_body(w, o.op, n.op, &stems);
    let pinned = body_root(o.op, n.op, &sdk);
    w.body_root = pinned.clone();
    w.open_roots = open_roots(n.op, sdk.1.as_ref());
    responses(w, o.op, n.op);
    w.body_root = None;
    w.open_roots.clear();
    security(w, o.op, n.op, &sdk);

    let (Some(so), Some(sn)) = sdk else { return };
    let rust = |s: &SdkOperation| s.return_type.clone().unwrap_or_default();
    if let (Some(old), Some(new), true) = (so.kind, sn.kind, so.kind != sn.kind) {
        w.push(
            &at,
            "",
            What::ResponseKindChanged {
                old,
                new,
                old_rust: rust(&so),
                new_rust: rust(&sn),
            },
        );
    } else if so.return_type != sn.return_type {
        // A `$ref` change where the body sits already says the type is renamed.
        let explained = pinned.is_some_and(|b| {
            w.findings.iter().any(|f| {
                f.place == b.place && f.path == b.path && matches!(f.what, What::RefChanged { .. })
            })
        });
        if !explained {
            w.push(
                &at,
                "",
                What::ReturnTypeChanged {
                    old: rust(&so),
                    new: rust(&sn),
                },
            );
        }
    }
}

/// Where the decoded JSON body starts in the success response: `data` of an envelope, the
/// root of a JSON body; `None` when the answer has none.
fn body_path(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Envelope => Some("data"),
        Kind::Json | Kind::JsonOrEvents => Some(""),
        Kind::Events | Kind::Empty => None,
    }
}

/// Where the SDK's return type sits in the success response, when both sides read the answer
/// the same way: `data` of an envelope, the root of a JSON body.
fn body_root(
    o: &Value,
    n: &Value,
    sdk: &(Option<SdkOperation>, Option<SdkOperation>),
) -> Option<BodyRoot> {
    let (Some(so), Some(sn)) = sdk else {
        return None;
    };
    if so.kind != sn.kind {
        return None;
    }
    let path = body_path(sn.kind?)?;
    let (status, media) = success_json(n)?;
    if success_json(o).map(|(s, _)| s) != Some(status.clone()) {
        return None;
    }
    Some(BodyRoot {
        place: Place::Response {
            status,
            media: Some(media),
        },
        path: path.into(),
        old: so.return_type.clone()?,
        new: sn.return_type.clone()?,
    })
}

/// Where the typed bodies the SDK decodes start, as the `open_response_enums` adaptation sees
/// them (the roots of the `x-aitoearn-response` descriptors).
fn open_roots(op: &Value, sdk: Option<&SdkOperation>) -> Vec<(Place, String)> {
    let Some(kind) = sdk.and_then(|s| s.kind) else {
        return Vec::new();
    };
    let mut roots = Vec::new();
    if let Some((status, media)) = success_json(op) {
        if let Some(path) = body_path(kind) {
            roots.push((
                Place::Response {
                    status,
                    media: Some(media),
                },
                path.to_string(),
            ));
        }
    }
    if kind.can_stream() {
        let success = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|rs| {
                rs.keys()
                    .filter(|c| c.starts_with('2') || c.as_str() == "default")
                    .min()
                    .cloned()
            });
        if let Some(status) = success {
            let media = Some("text/event-stream".to_string());
            roots.push((Place::Response { status, media }, String::new()));
        }
    }
    roots
}

/// The status and JSON media type of the response the SDK decodes (as `raw_responses` picks
/// it: the lowest 2xx, else `default`).
fn success_json(op: &Value) -> Option<(String, String)> {
    let (status, response) = op
        .get("responses")?
        .as_object()?
        .iter()
        .filter(|(code, _)| code.starts_with('2') || code.as_str() == "default")
        .min_by_key(|(code, _)| code.to_string())?;
    let media = response
        .get("content")?
        .as_object()?
        .keys()
        .find(|ct| ct.as_str() == "application/json" || ct.starts_with("application/json;"))?;
    Some((status.clone(), media.clone()))
}

/// Path-level parameters overridden by operation-level ones with the same name and location.
fn parameters_of<'v>(spec: &'v Value, op: &Op<'v>) -> BTreeMap<(String, String), &'v Value> {
    let mut out = BTreeMap::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let p = resolve(spec, p).0.unwrap_or(p);
            if let (Some(name), Some(location)) = (text(p, "name"), text(p, "in")) {
                out.insert((name, location), p);
            }
        }
    }
    out
}

fn parameters(w: &mut Walker, o: &Op, n: &Op, stems: &(String, String)) {
    let old = parameters_of(w.old, o);
    let mut new = parameters_of(w.new, n);
    let mut unmatched_old = Vec::new();
    let mut pairs = Vec::new();
    for (key, op) in old {
        match new.remove(&key) {
            Some(np) => pairs.push((key.0, key.1.clone(), key.1, op, np)),
            None => unmatched_old.push((key, op)),
        }
    }
    for ((name, location), op) in unmatched_old {
        let moved = new.keys().find(|(n, _)| *n == name).cloned();
        match moved {
            Some(key) => {
                let np = new.remove(&key).expect("key was just found");
                pairs.push((name, location, key.1, op, np));
            }
            None => {
                let place = Place::Parameter { location, name };
                w.push(
                    &At {
                        place: &place,
                        dir: Direction::Request,
                    },
                    "",
                    What::ParameterRemoved,
                );
            }
        }
    }
    for ((name, location), np) in new {
        let place = Place::Parameter { location, name };
        let required = flag(np, "required");
        w.push(
            &At {
                place: &place,
                dir: Direction::Request,
            },
            "",
            What::ParameterAdded { required },
        );
    }
    pairs.sort_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0)));
    for (name, from, to, op, np) in pairs {
        let place = Place::Parameter {
            location: to.clone(),
            name: name.clone(),
        };
        let at = At {
            place: &place,
            dir: Direction::Request,
        };
        if from != to {
            w.push(&at, "", What::ParameterMoved { from, to });
        }
        let (or, nr) = (flag(op, "required"), flag(np, "required"));
        if or != nr {
            w.push(&at, "", What::ParameterRequired { now: nr });
        }
        let (od, nd) = (text(op, "description"), text(np, "description"));
        if od != nd {
            w.push(
                &at,
                "",
                What::Text {
                    field: "description",
                    old: od,
                    new: nd,
                },
            );
        }
        if flag(op, "deprecated") != flag(np, "deprecated") {
            w.push(
                &at,
                "",
                What::Deprecated {
                    now: flag(np, "deprecated"),
                },
            );
        }
        let pascal = naming::type_name(&name);
        let names: Names = (
            Some(format!("{}{pascal}", stems.0)),
            Some(format!("{}{pascal}", stems.1)),
        );
        w.schema(
            &at,
            "",
            parameter_schema(op),
            parameter_schema(np),
            names,
            None,
        );
    }
}

/// A parameter's `schema`, or the schema of its first `content` entry.
fn parameter_schema(p: &Value) -> &Value {
    p.get("schema")
        .or_else(|| {
            p.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
        })
        .unwrap_or(&NULL)
}

fn request_body(w: &mut Walker, o: &Value, n: &Value, stems: &(String, String)) {
    let ob = o
        .get("requestBody")
        .map(|b| resolve(w.old, b).0.unwrap_or(&NULL));
    let nb = n
        .get("requestBody")
        .map(|b| resolve(w.new, b).0.unwrap_or(&NULL));
    let place = Place::RequestBody { media: None };
    let at = At {
        place: &place,
        dir: Direction::Request,
    };
    match (ob, nb) {
        (None, None) => {}
        (None, Some(b)) => w.push(
            &at,
            "",
            What::BodyAdded {
                required: flag(b, "required"),
            },
        ),
        (Some(_), None) => w.push(&at, "", What::BodyRemoved),
        (Some(ob), Some(nb)) => {
            if flag(ob, "required") != flag(nb, "required") {
                w.push(
                    &at,
                    "",
                    What::BodyRequired {
                        now: flag(nb, "required"),
                    },
                );
            }
            let (od, nd) = (text(ob, "description"), text(nb, "description"));
            if od != nd {
                w.push(
                    &at,
                    "",
                    What::Text {
                        field: "description",
                        old: od,
                        new: nd,
                    },
                );
            }
            let names = (
                Some(format!("{}Body", stems.0)),
                Some(format!("{}Body", stems.1)),
            );
            content(w, ob, nb, Direction::Request, names, |media| {
                Place::RequestBody { media }
            });
        }
    }
}

fn responses(w: &mut Walker, o: &Value, n: &Value) {
    let empty = Map::new();
    let or = o
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let nr = n
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let statuses: BTreeSet<&String> = or.keys().chain(nr.keys()).collect();
    for status in statuses {
        let place = Place::Response {
            status: status.clone(),
            media: None,
        };
        let at = At {
            place: &place,
            dir: Direction::Response,
        };
        match (or.get(status), nr.get(status)) {
            (Some(_), None) => w.push(&at, "", What::ResponseRemoved),
            (None, Some(_)) => w.push(&at, "", What::ResponseAdded),
            (Some(ov), Some(nv)) => {
                let ov = resolve(w.old, ov).0.unwrap_or(&NULL);
                let nv = resolve(w.new, nv).0.unwrap_or(&NULL);
                let (od, nd) = (text(ov, "description"), text(nv, "description"));
                if od != nd {
                    w.push(
                        &at,
                        "",
                        What::Text {
                            field: "description",
                            old: od,
                            new: nd,
                        },
                    );
                }
                let status = status.clone();
                content(w, ov, nv, Direction::Response, (None, None), |media| {
                    Place::Response {
                        status: status.clone(),
                        media,
                    }
                });
            }
            (None, None) => {}
        }
    }
}

/// Compares the `content` maps of two request bodies or responses, media type by media type.
fn content(
    w: &mut Walker,
    o: &Value,
    n: &Value,
    dir: Direction,
    names: Names,
    place: impl Fn(Option<String>) -> Place,
) {
    let empty = Map::new();
    let oc = o
        .get("content")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let nc = n
        .get("content")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let media_types: BTreeSet<&String> = oc.keys().chain(nc.keys()).collect();
    for media in media_types {
        let place = place(Some(media.clone()));
        let at = At { place: &place, dir };
        match (oc.get(media), nc.get(media)) {
            (Some(_), None) => w.push(&at, "", What::MediaTypeRemoved),
            (None, Some(_)) => w.push(&at, "", What::MediaTypeAdded),
            (Some(om), Some(nm)) => {
                let (os, ns) = (
                    om.get("schema").unwrap_or(&NULL),
                    nm.get("schema").unwrap_or(&NULL),
                );
                w.schema(&at, "", os, ns, names.clone(), None);
            }
            (None, None) => {}
        }
    }
}

/// Each security requirement as `scheme` or `a + b`, sorted; empty for a public operation.
fn requirements(spec: &Value, op: &Value) -> Vec<String> {
    let list = op.get("security").or_else(|| spec.get("security"));
    let mut out: Vec<String> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|r| {
            let mut names: Vec<&str> = r.keys().map(String::as_str).collect();
            names.sort_unstable();
            if names.is_empty() {
                "(anonymous)".to_string()
            } else {
                names.join(" + ")
            }
        })
        .collect();
    out.sort();
    out
}

fn security(
    w: &mut Walker,
    o: &Value,
    n: &Value,
    sdk: &(Option<SdkOperation>, Option<SdkOperation>),
) {
    let (or, nr) = (requirements(w.old, o), requirements(w.new, n));
    // The SDK's view when the generator ran on that side, else the requirement names.
    let auth =
        |s: &Option<SdkOperation>, req: &Vec<String>| match s.as_ref().and_then(|s| s.auth.clone())
        {
            Some(a) => a,
            None => (!req.is_empty()).then(|| req.join(" or ")),
        };
    let (oa, na) = (auth(&sdk.0, &or), auth(&sdk.1, &nr));
    if or != nr || oa != na {
        let at = At {
            place: &Place::Security,
            dir: Direction::Request,
        };
        w.push(
            &at,
            "",
            What::SecurityChanged {
                old: or,
                new: nr,
                old_auth: oa,
                new_auth: na,
            },
        );
    }
}

fn schemas(old: &Value, new: &Value, shallow: bool) -> Vec<SchemaFindings> {
    let empty = Map::new();
    let os = old
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let ns = new
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let (req_old, resp_old) = usage(old);
    let (req_new, resp_new) = usage(new);
    let open_schemas: BTreeSet<String> = resp_old.union(&resp_new).cloned().collect();
    let mut used = users(old);
    for (name, ops) in users(new) {
        used.entry(name).or_default().extend(ops);
    }
    let mut out = Vec::new();
    for name in os.keys().chain(ns.keys()).collect::<BTreeSet<_>>() {
        let in_req = req_old.contains(name) || req_new.contains(name);
        let in_resp = resp_old.contains(name) || resp_new.contains(name);
        let dir = match (in_req, in_resp) {
            (true, false) => Direction::Request,
            (false, true) => Direction::Response,
            _ => Direction::Both,
        };
        let place = Place::Schema { name: name.clone() };
        let at = At { place: &place, dir };
        let mut w = Walker::new(old, new);
        w.open_schemas = open_schemas.clone();
        w.shallow = shallow;
        let status = match (os.get(name), ns.get(name)) {
            (Some(_), Some(_)) => {
                // Walked through a `$ref`, so the cycle guard sees the component from the root.
                let r = serde_json::json!({ "$ref": refs::component_ref(name) });
                w.schema(&at, "", &r, &r, (None, None), None);
                Status::Changed
            }
            (None, _) => {
                w.push(&at, "", What::SchemaAdded);
                Status::Added
            }
            (_, None) => {
                w.push(&at, "", What::SchemaRemoved);
                Status::Removed
            }
        };
        if !w.findings.is_empty() {
            let used_by = used
                .get(name)
                .into_iter()
                .flatten()
                .map(|(path, _, method)| format!("{method} {path}"))
                .collect();
            out.push(SchemaFindings {
                name: name.clone(),
                status,
                findings: w.findings,
                used_by,
            });
        }
    }
    out
}

/// The operations that reach each component schema (through any chain of `$ref`s).
fn users(spec: &Value) -> BTreeMap<String, BTreeSet<OpKey>> {
    let mut out: BTreeMap<String, BTreeSet<OpKey>> = BTreeMap::new();
    for (key, o) in operations(spec) {
        let mut refs = BTreeSet::new();
        for part in [
            o.item.get("parameters"),
            o.op.get("parameters"),
            o.op.get("requestBody"),
            o.op.get("responses"),
        ] {
            reach(spec, part.unwrap_or(&NULL), &mut refs);
        }
        for name in schema_names(&refs) {
            out.entry(name).or_default().insert(key.clone());
        }
    }
    out
}

/// `#/components/schemas/X` and `#/components/schemas/X/properties/y` → `X`.
fn schema_names(refs: &BTreeSet<String>) -> BTreeSet<String> {
    refs.iter()
        .filter_map(|r| r.strip_prefix("#/components/schemas/"))
        .map(|r| r.split('/').next().unwrap_or(r).to_string())
        .collect()
}

/// Component schemas reachable from requests (parameters, bodies) and from responses.
fn usage(spec: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut req, mut resp) = (BTreeSet::new(), BTreeSet::new());
    for (_, o) in operations(spec) {
        for part in [
            o.item.get("parameters"),
            o.op.get("parameters"),
            o.op.get("requestBody"),
        ] {
            reach(spec, part.unwrap_or(&NULL), &mut req);
        }
        reach(spec, o.op.get("responses").unwrap_or(&NULL), &mut resp);
    }
    (schema_names(&req), schema_names(&resp))
}

/// Every `$ref` reachable from `v`, following each once.
fn reach(spec: &Value, v: &Value, seen: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            let new_ref = m
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|r| seen.insert(r.to_string()));
            if let Some(target) = new_ref
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| spec.pointer(p))
            {
                reach(spec, target, seen);
            }
            m.values().for_each(|v| reach(spec, v, seen));
        }
        Value::Array(a) => a.iter().for_each(|v| reach(spec, v, seen)),
        _ => {}
    }
}

fn servers(spec: &Value) -> Vec<String> {
    spec.get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| text(s, "url"))
        .collect()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}
