//! `cargo xtask overlay from-page PAGE`: the overlay that brings the vendored spec to the version
//! of one operation documented on a docs page.
//!
//! A page (the docs site's Markdown export) carries the operation's OpenAPI fragment in a
//! ```` ```yaml <spec> <method> <path> ```` block: a whole small document with the operation and the
//! component schemas it uses. The operation and those components are compared with the
//! vendored spec (with the other overlays applied); every difference becomes an action:
//!
//! - changed or added values: one `update` on the nearest object that holds them;
//! - an object the page gives with fewer keys (say a schema without its `enum`): a `remove` of
//!   that object, then an `update` of its parent with the page's version (a merge cannot take
//!   keys away);
//! - parameters are matched by `name` and `in`; added ones are appended, dropped ones removed.
//!
//! Vendor extensions (`x-…`) the page does not show are kept. Each action's `description` says
//! what it changes. The overlay is checked before it is written: applied to the vendored spec, it
//! must give exactly the page's operation and components.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{Map, Value, json};

use crate::cli::{Args, Failure};
use crate::codegen::refs::escape;
use crate::codegen::{self, naming, overlay};
use crate::util::{OVERLAYS, SPEC};

pub const USAGE: &str = "\
cargo xtask overlay from-page PAGE [--out FILE|-]

  PAGE   a docs page (Markdown) with the operation's OpenAPI fragment in a
         ```yaml <spec> <method> <path> block.
  --out  where to write the overlay (default: openapi/overlays/NNNN-<method name>.yaml, the
         next free number; `-` prints it). The overlay is compared with the vendored spec with
         every other overlay applied, and checked before it is written.";

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(args, &[], &["out"])?;
    args.max_positionals(2)?;
    match args.positionals.first().map(String::as_str) {
        Some("from-page") => {}
        Some(other) => return Err(Failure::Usage(format!("unknown overlay command `{other}`"))),
        None => return Err(Failure::Usage("say `from-page PAGE`".into())),
    }
    let page_path = args
        .positionals
        .get(1)
        .ok_or_else(|| Failure::Usage("from-page needs the PAGE to read".into()))?;
    let page =
        std::fs::read_to_string(page_path).map_err(|e| format!("cannot read {page_path}: {e}"))?;
    let page = Page::parse(&page).map_err(|e| format!("{page_path}: {e}"))?;
    let spec_text =
        std::fs::read_to_string(root.join(SPEC)).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let out_name = match args.option("out") {
        Some(o) => o.to_string(),
        None => default_out(root, &page)?,
    };
    // Every other overlay: the new one is relative to the spec they make.
    let others: Vec<_> = crate::util::overlays(root)?
        .into_iter()
        .filter(|o| !Path::new(&o.file).ends_with(&out_name) && !out_name.ends_with(&o.file))
        .collect();
    let (_, base, _) = codegen::effective(&spec_text, &others)?;
    let made = from_page(&base, &page, page_path)?;
    if made.actions == 0 {
        println!(
            "{SPEC} already says what the page says about {} {}: no overlay needed",
            page.method, page.path
        );
        return Ok(ExitCode::SUCCESS);
    }
    if out_name == "-" {
        print!("{}", made.yaml);
    } else {
        let out = root.join(&out_name);
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&out, &made.yaml)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!("wrote {out_name} ({} actions)", made.actions);
    }
    for line in &made.summary {
        eprintln!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A docs page's operation fragment.
#[derive(Debug, Clone)]
pub struct Page {
    /// Upper-case method.
    pub method: String,
    pub path: String,
    /// The fragment: a small OpenAPI document.
    pub doc: Value,
}

impl Page {
    /// Finds the ```` ```yaml <spec> <method> <path> ```` block and parses it.
    pub fn parse(text: &str) -> Result<Page, String> {
        let mut lines = text.lines();
        let (fence, header) = lines
            .by_ref()
            .find_map(|l| {
                let t = l.trim_start();
                let ticks = t.chars().take_while(|&c| c == '`').count();
                (ticks >= 3 && t[ticks..].starts_with("yaml "))
                    .then(|| (t[..ticks].to_string(), t[ticks + 5..].trim().to_string()))
            })
            .ok_or("no ```yaml <spec> <method> <path> block")?;
        let words: Vec<&str> = header.split_whitespace().collect();
        let [_, method, path] = words[..] else {
            return Err(format!(
                "the yaml block's header `{header}` is not `<spec> <method> <path>`"
            ));
        };
        let mut body = String::new();
        let mut closed = false;
        for l in lines {
            if l.trim_end() == fence {
                closed = true;
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if !closed {
            return Err("the yaml block is not closed".into());
        }
        let doc: Value = serde_yaml::from_str(&body)
            .map_err(|e| format!("the page's OpenAPI fragment is not YAML: {e}"))?;
        let method = method.to_ascii_lowercase();
        if doc
            .pointer(&format!("/paths/{}/{method}", escape(path)))
            .is_none()
        {
            return Err(format!(
                "the fragment has no operation `{} {path}`",
                method.to_uppercase()
            ));
        }
        Ok(Page {
            method: method.to_uppercase(),
            path: path.to_string(),
            doc,
        })
    }
}

/// `openapi/overlays/NNNN-<method-name>.yaml`: the next number, the Rust method's name.
fn default_out(root: &Path, page: &Page) -> Result<String, String> {
    let id = page
        .doc
        .pointer(&format!(
            "/paths/{}/{}/operationId",
            escape(&page.path),
            page.method.to_ascii_lowercase()
        ))
        .and_then(Value::as_str);
    let name = naming::method_name(id, &page.method.to_ascii_lowercase(), &page.path);
    let dir = root.join(OVERLAYS);
    let taken = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.get(..4)?.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    Ok(format!(
        "{OVERLAYS}/{:04}-{}.yaml",
        taken + 1,
        name.replace('_', "-")
    ))
}

/// A generated overlay.
#[derive(Debug)]
pub struct Made {
    /// The overlay document.
    pub yaml: String,
    /// How many actions.
    pub actions: usize,
    /// One line per action.
    pub summary: Vec<String>,
}

/// The overlay that turns `base` into the page's version of its operation and components.
pub fn from_page(base: &Value, page: &Page, source: &str) -> Result<Made, String> {
    let mut actions = Vec::new();
    let method = page.method.to_ascii_lowercase();
    let op_label = format!("{} {}", page.method, page.path);
    let new_op = page
        .doc
        .pointer(&format!("/paths/{}/{method}", escape(&page.path)))
        .cloned()
        .unwrap_or(Value::Null);
    let path_target = format!("$.paths{}", overlay::member(&page.path));
    match base.pointer(&format!("/paths/{}", escape(&page.path))) {
        None => actions.push(update(
            "$.paths",
            json!({ page.path.clone(): { method.clone(): new_op } }),
            format!("{op_label}: adds the operation (the vendored spec has no such path)"),
        )),
        Some(item) => match item.get(&method) {
            None => actions.push(update(
                &path_target,
                json!({ method.clone(): new_op }),
                format!("{op_label}: adds the operation"),
            )),
            Some(old_op) => diff_node(
                &path_target,
                &method,
                old_op,
                &new_op,
                &op_label,
                &mut actions,
            ),
        },
    }
    // The component schemas (and security schemes) the page's operation uses.
    let mut names = BTreeSet::new();
    collect_refs(&page.doc, &new_op, &mut names);
    for name in &names {
        let Some(new) = page
            .doc
            .pointer(&format!("/components/schemas/{}", escape(name)))
        else {
            continue;
        };
        let label = format!("component `{name}`");
        match base.pointer(&format!("/components/schemas/{}", escape(name))) {
            None => actions.push(update(
                "$.components.schemas",
                json!({ name.clone(): new }),
                format!("{label}: adds the schema"),
            )),
            Some(old) => diff_node("$.components.schemas", name, old, new, &label, &mut actions),
        }
    }
    let schemes: BTreeSet<String> = new_op
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|r| r.keys().cloned())
        .collect();
    for name in &schemes {
        let Some(new) = page
            .doc
            .pointer(&format!("/components/securitySchemes/{}", escape(name)))
        else {
            continue;
        };
        let label = format!("security scheme `{name}`");
        match base.pointer(&format!("/components/securitySchemes/{}", escape(name))) {
            None => actions.push(update(
                "$.components.securitySchemes",
                json!({ name.clone(): new }),
                format!("{label}: adds the scheme"),
            )),
            Some(old) => diff_node(
                "$.components.securitySchemes",
                name,
                old,
                new,
                &label,
                &mut actions,
            ),
        }
    }
    let summary: Vec<String> = actions
        .iter()
        .map(|a| a["description"].as_str().unwrap_or_default().to_string())
        .collect();
    if actions.is_empty() {
        return Ok(Made {
            yaml: String::new(),
            actions: 0,
            summary,
        });
    }
    let title = format!("{op_label} as documented on the docs page");
    let mut yaml = String::new();
    let _ = writeln!(
        yaml,
        "# Generated by `cargo xtask overlay from-page {source}`: brings {op_label} (and the \
         components it uses) in {SPEC} to the version documented on that page."
    );
    let _ = writeln!(
        yaml,
        "# `cargo xtask refresh-spec` re-applies it to every new spec and says when upstream has \
         caught up (every action a no-op): then delete this file."
    );
    yaml.push_str("overlay: 1.0.0\n");
    yaml.push_str(&to_yaml(
        &json!({ "info": { "title": title, "version": "1.0.0" } }),
    )?);
    yaml.push_str("actions:\n");
    for action in &actions {
        // Fields in reading order: target, description, then what it does.
        let mut item = String::new();
        for key in ["target", "description", "update", "remove"] {
            if let Some(v) = action.get(key) {
                item.push_str(&to_yaml(&json!({ key: v }))?);
            }
        }
        yaml.push('\n');
        for (i, line) in item.lines().enumerate() {
            yaml.push_str(if i == 0 { "- " } else { "  " });
            yaml.push_str(line);
            yaml.push('\n');
        }
    }
    // The check: parsed back and applied, it gives the page's version.
    let parsed = overlay::parse("(generated overlay)", &yaml)?;
    let mut check = base.clone();
    overlay::apply(&mut check, &parsed)?;
    let got = check
        .pointer(&format!("/paths/{}/{method}", escape(&page.path)))
        .cloned()
        .unwrap_or(Value::Null);
    if without_extensions(&got, &new_op) != new_op {
        return Err(format!(
            "internal: the generated overlay does not reproduce {op_label}; please report"
        ));
    }
    Ok(Made {
        yaml,
        actions: parsed.actions.len(),
        summary,
    })
}

/// `got` without the `x-…` keys that `page` does not have (the page omits vendor extensions).
fn without_extensions(got: &Value, page: &Value) -> Value {
    match (got, page) {
        (Value::Object(g), Value::Object(p)) => Value::Object(
            g.iter()
                .filter(|(k, _)| !k.starts_with("x-") || p.contains_key(*k))
                .map(|(k, v)| {
                    let v = match p.get(k) {
                        Some(pv) => without_extensions(v, pv),
                        None => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (Value::Array(g), Value::Array(p)) if g.len() == p.len() => Value::Array(
            g.iter()
                .zip(p)
                .map(|(g, p)| without_extensions(g, p))
                .collect(),
        ),
        _ => got.clone(),
    }
}

fn to_yaml(v: &Value) -> Result<String, String> {
    serde_yaml::to_string(v).map_err(|e| format!("cannot write YAML: {e}"))
}

fn update(target: &str, value: Value, description: String) -> Value {
    json!({ "target": target, "description": description, "update": value })
}

fn remove(target: &str, description: String) -> Value {
    json!({ "target": target, "description": description, "remove": true })
}

/// Keys of `old` the page lacks (vendor extensions do not count).
fn dropped_keys(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<String> {
    old.keys()
        .filter(|k| !k.starts_with("x-") && !new.contains_key(*k))
        .cloned()
        .collect()
}

/// `parent_target` selects an object whose `key` is `old`; the page says `new`.
fn diff_node(
    parent_target: &str,
    key: &str,
    old: &Value,
    new: &Value,
    label: &str,
    actions: &mut Vec<Value>,
) {
    let target = format!("{parent_target}{}", overlay::member(key));
    diff_at(parent_target, &target, key, old, new, label, actions);
}

/// Like [`diff_node`] with the node's own target given (array entries use a filter).
fn diff_at(
    parent_target: &str,
    target: &str,
    key: &str,
    old: &Value,
    new: &Value,
    label: &str,
    actions: &mut Vec<Value>,
) {
    if without_extensions(old, new) == *new {
        return;
    }
    let (Value::Object(o), Value::Object(n)) = (old, new) else {
        actions.push(update(
            parent_target,
            json!({ key: new }),
            format!("{label}: {}", change(key, Some(old), new)),
        ));
        return;
    };
    let dropped = dropped_keys(o, n);
    if !dropped.is_empty() {
        actions.push(remove(
            target,
            format!(
                "{label}: removes `{key}` to put the page's version back in the next action (the \
                 page drops {})",
                dropped
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        let mut kept = n.clone();
        for (k, v) in o {
            if k.starts_with("x-") && !n.contains_key(k) {
                kept.insert(k.clone(), v.clone());
            }
        }
        actions.push(update(
            parent_target,
            json!({ key: Value::Object(kept) }),
            format!("{label}: `{key}` as the page has it ({})", short(new)),
        ));
        return;
    }
    diff_object(target, o, n, label, actions);
}

/// Same keys or more: one update for the values that change here, recursion for objects.
fn diff_object(
    target: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    label: &str,
    actions: &mut Vec<Value>,
) {
    let mut batch = Map::new();
    let mut said = Vec::new();
    for (k, n) in new {
        let o = old.get(k);
        if o.is_some_and(|o| without_extensions(o, n) == *n) {
            continue;
        }
        match (o, n) {
            (Some(o @ Value::Object(om)), Value::Object(nm)) => {
                if dropped_keys(om, nm).is_empty() {
                    diff_object(
                        &format!("{target}{}", overlay::member(k)),
                        om,
                        nm,
                        &format!("{label} · `{k}`"),
                        actions,
                    );
                } else {
                    diff_node(target, k, o, n, &format!("{label} · `{k}`"), actions);
                }
            }
            (Some(Value::Array(oa)), Value::Array(na)) if k == "parameters" => {
                diff_parameters(&format!("{target}.parameters"), oa, na, label, actions);
            }
            _ => {
                said.push(change(k, o, n));
                batch.insert(k.clone(), n.clone());
            }
        }
    }
    if !batch.is_empty() {
        actions.push(update(
            target,
            Value::Object(batch),
            format!("{label}: {}", said.join("; ")),
        ));
    }
}

fn param_key(p: &Value) -> (String, String) {
    let s = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (s("name"), s("in"))
}

fn diff_parameters(
    target: &str,
    old: &[Value],
    new: &[Value],
    label: &str,
    actions: &mut Vec<Value>,
) {
    let select = |(name, location): &(String, String)| {
        format!(
            "{target}[?@.name == {} && @.in == {}]",
            overlay::quoted(name),
            overlay::quoted(location)
        )
    };
    for o in old {
        let key = param_key(o);
        if !new.iter().any(|n| param_key(n) == key) {
            actions.push(remove(
                &select(&key),
                format!("{label}: removes the {} parameter `{}`", key.1, key.0),
            ));
        }
    }
    for n in new {
        let key = param_key(n);
        let plabel = format!("{label} · {} parameter `{}`", key.1, key.0);
        match old.iter().find(|o| param_key(o) == key) {
            None => actions.push(update(
                target,
                n.clone(),
                format!("{label}: adds the {} parameter `{}`", key.1, key.0),
            )),
            Some(o) => {
                if without_extensions(o, n) == *n {
                    continue;
                }
                let (Value::Object(om), Value::Object(nm)) = (o, n) else {
                    continue;
                };
                if dropped_keys(om, nm).is_empty() {
                    diff_object(&select(&key), om, nm, &plabel, actions);
                } else {
                    actions.push(remove(
                        &select(&key),
                        format!("{plabel}: removed, to be appended again as the page has it"),
                    ));
                    actions.push(update(
                        target,
                        n.clone(),
                        format!("{plabel}: as the page has it"),
                    ));
                }
            }
        }
    }
}

/// "`key`: `old` → `new`".
fn change(key: &str, old: Option<&Value>, new: &Value) -> String {
    match old {
        None => format!("adds `{key}` = {}", short(new)),
        Some(o) => format!("`{key}`: {} → {}", short(o), short(new)),
    }
}

fn short(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > 90 {
        format!("{}…", chars[..88].iter().collect::<String>())
    } else {
        text
    }
}

fn collect_refs(doc: &Value, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                let name = name.split('/').next().unwrap_or(name).to_string();
                if out.insert(name.clone()) {
                    if let Some(s) = doc.pointer(&format!("/components/schemas/{}", escape(&name)))
                    {
                        collect_refs(doc, s, out);
                    }
                }
            }
            m.values().for_each(|v| collect_refs(doc, v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(doc, v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::workspace_root;

    const SEED: &str = include_str!("../tests/fixtures/seed_auth_start.md");

    fn vendored() -> Value {
        serde_json::from_str(&std::fs::read_to_string(workspace_root().join(SPEC)).unwrap())
            .unwrap()
    }

    #[test]
    fn the_seed_page_gives_an_overlay_that_reproduces_it() {
        let page = Page::parse(SEED).unwrap();
        assert_eq!(
            (page.method.as_str(), page.path.as_str()),
            ("GET", "/api/v2/channels/accounts/auth/{platform}")
        );
        let base = vendored();
        let made = from_page(&base, &page, "seed.md").unwrap();
        let o = overlay::parse("seed.yaml", &made.yaml).unwrap();
        let mut spec = base.clone();
        let applied = overlay::apply(&mut spec, &o).unwrap();
        assert!(!applied.whole_noop);
        let op = &spec["paths"]["/api/v2/channels/accounts/auth/{platform}"]["get"];
        assert_eq!(op["summary"], "开始平台授权");
        assert_eq!(op["parameters"][0]["schema"], json!({ "type": "string" }));
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"],
            json!({ "$ref": "#/components/schemas/AuthStartVo" })
        );
        assert!(op["x-aitoearn-backend"].is_object(), "extensions are kept");
        // Applied to what it produces, the page changes nothing more.
        let again = from_page(&spec, &page, "seed.md").unwrap();
        assert_eq!(again.actions, 0, "{}", again.yaml);
        // Every action says what it does.
        assert!(o.actions.iter().all(|a| !a.description.is_empty()));
        // The committed overlay is this one.
        let committed =
            std::fs::read_to_string(workspace_root().join("openapi/overlays/0001-auth-start.yaml"))
                .unwrap();
        let committed = overlay::parse("committed", &committed).unwrap();
        let targets = |o: &overlay::Overlay| -> Vec<String> {
            o.actions.iter().map(|a| a.target.clone()).collect()
        };
        assert_eq!(targets(&committed), targets(&o));
    }

    #[test]
    fn pages_without_a_fragment_are_clear_errors() {
        for (text, needle) in [
            ("# nothing here", "no ```yaml"),
            (
                "````yaml /spec get\nopenapi: 3.0.1\n````",
                "is not `<spec> <method> <path>`",
            ),
            ("````yaml /spec get /a\nopenapi: 3.0.1\n", "not closed"),
            (
                "````yaml /spec get /a\npaths: {}\n````",
                "no operation `GET /a`",
            ),
            ("````yaml /spec get /a\n: : [\n````", "not YAML"),
        ] {
            let err = Page::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn new_operations_parameters_and_components() {
        let base = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
            "parameters": [{ "name": "x", "in": "query" }, { "name": "gone", "in": "query" }],
            "responses": {} } } }, "components": { "schemas": {} } });
        let page = Page {
            method: "GET".into(),
            path: "/a".into(),
            doc: json!({ "paths": { "/a": { "get": {
                "parameters": [{ "name": "x", "in": "query", "description": "new" }, { "name": "y", "in": "query" }],
                "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/N" } } } } } } } },
                "components": { "schemas": { "N": { "type": "object" } } } }),
        };
        let made = from_page(&base, &page, "p").unwrap();
        let o = overlay::parse("p", &made.yaml).unwrap();
        let mut spec = base.clone();
        overlay::apply(&mut spec, &o).unwrap();
        assert_eq!(spec["paths"]["/a"]["get"], page.doc["paths"]["/a"]["get"]);
        assert_eq!(
            spec["components"]["schemas"]["N"],
            json!({ "type": "object" })
        );
    }
}
