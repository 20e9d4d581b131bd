//! API groups: which Cargo feature generates which operations (issue 18, as async-stripe does
//! for Stripe). An operation belongs to the group its first tag names before the `/`
//! (`渠道管理/账号` → `渠道管理`); [`TABLE`] maps that group to a [`Group`], one feature each.
//!
//! [`select`] keeps the operations of the enabled groups, of no group (untagged) and of a group
//! the table does not know (a future spec's new group: kept, and reported so build.rs can
//! warn — never silently dropped), then drops the component schemas no kept operation reaches.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::answer;
use super::{refs, spec_walk};

/// One API group, generated when its Cargo feature is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// `AI 服务`: image, video and language models (feature `ai`).
    Ai,
    /// `渠道管理`: accounts, groups, authorization, publishing, works (feature `channels`).
    Channels,
    /// `资源管理`: uploads (feature `assets`).
    Assets,
}

/// The one mapping from a tag's group (before the `/`) to a [`Group`].
pub const TABLE: &[(&str, Group)] = &[
    ("AI 服务", Group::Ai),
    ("渠道管理", Group::Channels),
    ("资源管理", Group::Assets),
];

impl Group {
    /// Every group.
    pub const ALL: [Group; 3] = [Group::Ai, Group::Channels, Group::Assets];

    /// The crate's Cargo feature that generates this group.
    pub fn feature(self) -> &'static str {
        match self {
            Group::Ai => "ai",
            Group::Channels => "channels",
            Group::Assets => "assets",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Groups(u8);

impl Groups {
    /// Every group (the default: everything is generated).
    pub fn all() -> Self {
        Self::of(Group::ALL)
    }

    /// The given groups.
    pub fn of(groups: impl IntoIterator<Item = Group>) -> Self {
        Self(groups.into_iter().fold(0, |m, g| m | g.bit()))
    }

    /// Whether `group` is in the set.
    pub fn contains(self, group: Group) -> bool {
        self.0 & group.bit() != 0
    }
}

impl Default for Groups {
    fn default() -> Self {
        Self::all()
    }
}

/// Which group an operation with these tags belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Membership {
    /// No tag: always generated.
    Untagged,
    /// A group of [`TABLE`].
    Known(Group),
    /// A group [`TABLE`] does not list (the tag's group part): always generated, and reported.
    Unknown(String),
}

/// An operation's tags: the strings of its `tags` array (`op.get("tags")`).
pub fn tags(field: Option<&Value>) -> Vec<&str> {
    field
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The group of an operation's first tag.
pub fn membership(tags: &[&str]) -> Membership {
    let Some(tag) = tags.first() else {
        return Membership::Untagged;
    };
    let group = tag.split('/').next().unwrap_or_default().trim();
    match TABLE.iter().find(|(name, _)| *name == group) {
        Some((_, g)) => Membership::Known(*g),
        None => Membership::Unknown(group.to_string()),
    }
}

/// What [`select`] did.
#[derive(Debug, Default)]
pub struct Selection {
    /// Operations removed (their group is off).
    pub removed_operations: usize,
    /// Component schemas removed (no kept operation reaches them).
    pub removed_schemas: usize,
    /// Kept operations whose group [`TABLE`] does not know: (operationId, group).
    pub unknown: Vec<(String, String)>,
}

/// Keeps the operations of `groups` (and the untagged and unknown ones) and the component
/// schemas they reach. With every group on, the spec is unchanged.
pub fn select(spec: &mut Value, groups: Groups) -> Selection {
    let mut out = Selection::default();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            item.retain(|method, op| {
                if !spec_walk::HTTP_METHODS.contains(&method.as_str()) {
                    return true;
                }
                match membership(&tags(op.get("tags"))) {
                    Membership::Untagged => true,
                    Membership::Known(g) if groups.contains(g) => true,
                    Membership::Known(_) => {
                        out.removed_operations += 1;
                        false
                    }
                    Membership::Unknown(group) => {
                        let id = op.get("operationId").and_then(Value::as_str);
                        out.unknown
                            .push((id.unwrap_or(method).to_string(), group.clone()));
                        true
                    }
                }
            });
        }
        // A path with no operation left would be an empty client module.
        paths.retain(|_, item| {
            item.as_object().is_none_or(|m| {
                m.keys()
                    .any(|k| spec_walk::HTTP_METHODS.contains(&k.as_str()))
            })
        });
    }
    if out.removed_operations > 0 {
        out.removed_schemas = drop_unreached_schemas(spec);
    }
    out
}

/// Removes the component schemas that neither the paths nor the other components (parameters,
/// bodies, …) reach, following `$ref`s and the answer descriptors' component names.
fn drop_unreached_schemas(spec: &mut Value) -> usize {
    let mut roots = Vec::new();
    if let Some(paths) = spec.get("paths") {
        refs::each_ref(paths, &mut |r| roots.extend(refs::component_of(r)));
    }
    spec_walk::each_operation(spec, |_, _, op| {
        if let Ok(a) = answer::Answer::parse(op.get(answer::EXTENSION)) {
            roots.extend(a.components().map(str::to_owned));
        }
    });
    if let Some(components) = spec.get("components").and_then(Value::as_object) {
        for (kind, v) in components {
            if kind != "schemas" {
                refs::each_ref(v, &mut |r| roots.extend(refs::component_of(r)));
            }
        }
    }
    let Some(schemas) = spec.get("components").and_then(|c| c.get("schemas")) else {
        return 0;
    };
    let keep: BTreeSet<String> = refs::reachable_components(schemas, roots);
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let before = schemas.len();
    schemas.retain(|name, _| keep.contains(name));
    before - schemas.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_maps_each_group_once_and_tags_by_their_group() {
        for g in Group::ALL {
            assert_eq!(TABLE.iter().filter(|(_, t)| *t == g).count(), 1, "{g:?}");
        }
        assert_eq!(
            membership(&["渠道管理/账号"]),
            Membership::Known(Group::Channels)
        );
        assert_eq!(membership(&["资源管理"]), Membership::Known(Group::Assets));
        assert_eq!(
            membership(&["AI 服务/视频生成"]),
            Membership::Known(Group::Ai)
        );
        assert_eq!(membership(&[]), Membership::Untagged);
        assert_eq!(
            membership(&["新分组/子组"]),
            Membership::Unknown("新分组".into())
        );
        let only = Groups::of([Group::Channels]);
        assert!(only.contains(Group::Channels) && !only.contains(Group::Ai));
        assert!(Group::ALL.iter().all(|g| Groups::all().contains(*g)));
    }

    #[test]
    fn select_keeps_enabled_untagged_and_unknown_and_what_they_reach() {
        let mut spec = json!({
            "paths": {
                "/a": { "get": { "operationId": "a", "tags": ["AI 服务/x"],
                    "x-aitoearn-response": { "kind": "envelope", "body": { "ref": "AOut" } } } },
                "/c": { "parameters": [], "post": { "operationId": "c", "tags": ["渠道管理/y"],
                    "requestBody": { "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/CIn" } } } } } },
                "/u": { "get": { "operationId": "u" } },
                "/n": { "get": { "operationId": "n", "tags": ["新分组"],
                    "x-aitoearn-response": { "kind": "envelope", "body": { "ref": "NOut" } } } },
            },
            "components": { "schemas": {
                "AOut": { "$ref": "#/components/schemas/Shared" },
                "CIn": { "properties": { "s": { "$ref": "#/components/schemas/Shared" } } },
                "Shared": { "type": "string" },
                "NOut": { "type": "object" },
                "Orphan": { "type": "object" },
            } }
        });
        let mut all = spec.clone();
        let none = select(&mut all, Groups::all());
        assert_eq!((none.removed_operations, none.removed_schemas), (0, 0));
        assert_eq!(all, spec);
        let s = select(&mut spec, Groups::of([Group::Channels]));
        assert_eq!(s.removed_operations, 1);
        assert_eq!(s.unknown, vec![("n".to_string(), "新分组".to_string())]);
        let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/c", "/n", "/u"]);
        let kept: Vec<&String> = spec["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(kept, ["CIn", "NOut", "Shared"]);
        assert_eq!(s.removed_schemas, 2);
    }

    /// The vendored spec, adapted as build.rs does, then `channels` alone: exactly the
    /// `渠道管理/…` operations (and untagged or unknown-group ones) stay, and every `$ref` and
    /// answer component of what stays still resolves.
    #[test]
    fn channels_alone_on_the_vendored_spec() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let text = std::fs::read_to_string(format!("{root}/openapi/aitoearn.openapi.json"))
            .expect("the vendored spec");
        let overlays =
            crate::overlay::load_dir(std::path::Path::new(&format!("{root}/openapi/overlays")))
                .expect("the overlays");
        let (_, mut spec, _) = crate::effective(&text, &overlays).expect("overlays apply");
        crate::adapt::adapt(&mut spec).expect("adaptations");
        let ids = |spec: &Value| {
            let mut out = BTreeSet::new();
            spec_walk::each_operation(spec, |_, _, op| {
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                out.insert((id, membership(&tags(op.get("tags")))));
            });
            out
        };
        let all = ids(&spec);
        let schemas_before = spec["components"]["schemas"]
            .as_object()
            .map_or(0, |m| m.len());
        let s = select(&mut spec, Groups::of([Group::Channels]));
        let expected: BTreeSet<_> = all
            .iter()
            .filter(|(_, m)| !matches!(m, Membership::Known(g) if *g != Group::Channels))
            .cloned()
            .collect();
        assert_eq!(ids(&spec), expected);
        assert!(
            expected
                .iter()
                .filter(|(_, m)| *m == Membership::Known(Group::Channels))
                .count()
                >= 35
        );
        assert_eq!(s.removed_operations, all.len() - expected.len());
        assert!(s.removed_operations >= 22, "{}", s.removed_operations);
        assert!(s.removed_schemas > 0);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas.as_object().map_or(0, |m| m.len()) + s.removed_schemas,
            schemas_before
        );
        // Nothing a kept operation reaches was dropped.
        let mut missing = Vec::new();
        refs::each_ref(&spec, &mut |r| {
            if let Some(name) = refs::component_of(r) {
                if schemas.get(&name).is_none() {
                    missing.push(name);
                }
            }
        });
        spec_walk::each_operation(&spec, |_, _, op| {
            let a = answer::Answer::parse(op.get(answer::EXTENSION)).expect("descriptor");
            missing.extend(
                a.components()
                    .filter(|c| schemas.get(*c).is_none())
                    .map(str::to_owned),
            );
        });
        assert!(missing.is_empty(), "dropped but reached: {missing:?}");
    }
}
