//! The vocabulary shared by the diff's stages: what the walk finds ([`Finding`]), what
//! classification makes of it ([`Change`]), and the whole [`Report`].

use serde_json::Value;

use crate::codegen::model::answer::Kind;

/// Which way data flows through a schema; it decides whether a change is breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The SDK serialises it (parameters, request bodies).
    Request,
    /// The SDK deserialises it (responses).
    Response,
    /// Both, or unknown (a component schema used both ways or not at all): the stricter wins.
    Both,
}

/// Where a change sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Operation,
    Parameter {
        location: String,
        name: String,
    },
    RequestBody {
        media: Option<String>,
    },
    Response {
        status: String,
        media: Option<String>,
    },
    Security,
    /// The root of a named component schema.
    Schema {
        name: String,
    },
    Document,
}

impl Place {
    /// "path parameter `platform`", "response `200` (application/json)", …
    pub fn describe(&self) -> String {
        let media = |m: &Option<String>| m.as_ref().map(|m| format!(" ({m})")).unwrap_or_default();
        match self {
            Place::Operation => "operation".into(),
            Place::Parameter { location, name } => format!("{location} parameter `{name}`"),
            Place::RequestBody { media: m } => format!("request body{}", media(m)),
            Place::Response { status, media: m } => format!("response `{status}`{}", media(m)),
            Place::Security => "security".into(),
            Place::Schema { name } => format!("schema `{name}`"),
            Place::Document => "document".into(),
        }
    }

    /// The same, as stable JSON.
    pub fn to_json(&self) -> Value {
        use serde_json::json;
        match self {
            Place::Operation => json!({ "section": "operation" }),
            Place::Parameter { location, name } => {
                json!({ "section": "parameter", "in": location, "name": name })
            }
            Place::RequestBody { media } => {
                json!({ "section": "request_body", "media_type": media })
            }
            Place::Response { status, media } => {
                json!({ "section": "response", "status": status, "media_type": media })
            }
            Place::Security => json!({ "section": "security" }),
            Place::Schema { name } => json!({ "section": "schema", "name": name }),
            Place::Document => json!({ "section": "document" }),
        }
    }
}

/// One structural difference, before classification.
#[derive(Debug, Clone)]
pub struct Finding {
    pub place: Place,
    /// Field path inside the place's schema: `data.authInstructions.en-US`, `list[].id`;
    /// empty for the place itself.
    pub path: String,
    pub dir: Direction,
    pub what: What,
}

/// What differs. `*_rust` strings are the Rust types the generator makes of each side
/// (best effort, see `schema::rust_type`), used to tell whether the SDK's API changes.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    OperationAdded,
    OperationRemoved,
    Deprecated {
        now: bool,
    },
    OperationIdChanged {
        old: String,
        new: String,
        old_method: String,
        new_method: String,
    },
    /// `summary`, `description` or `title`.
    Text {
        field: &'static str,
        old: Option<String>,
        new: Option<String>,
    },
    TagsChanged {
        old: Vec<String>,
        new: Vec<String>,
    },
    ParameterAdded {
        required: bool,
    },
    ParameterRemoved,
    ParameterMoved {
        from: String,
        to: String,
    },
    ParameterRequired {
        now: bool,
    },
    BodyAdded {
        required: bool,
    },
    BodyRemoved,
    BodyRequired {
        now: bool,
    },
    MediaTypeAdded,
    MediaTypeRemoved,
    ResponseAdded,
    ResponseRemoved,
    FieldAdded {
        required: bool,
        rust: String,
    },
    FieldRemoved {
        required: bool,
        rust: String,
    },
    TypeChanged {
        old: String,
        new: String,
        old_rust: String,
        new_rust: String,
    },
    RequiredChanged {
        now: bool,
        old_rust: String,
        new_rust: String,
    },
    NullableChanged {
        now: bool,
        old_rust: String,
        new_rust: String,
    },
    /// `open`: the generator decodes it as `aitoearn::Open<E>`, which tolerates new values.
    EnumValuesAdded {
        values: Vec<Value>,
        rust: String,
        open: bool,
    },
    EnumValuesRemoved {
        values: Vec<Value>,
        rust: String,
    },
    /// An unrestricted value became an enum.
    EnumAdded {
        values: Vec<Value>,
        old_rust: String,
        new_rust: String,
    },
    /// An enum became an unrestricted value.
    EnumRemoved {
        values: Vec<Value>,
        old_rust: String,
        new_rust: String,
        open: bool,
    },
    FormatChanged {
        old: Option<String>,
        new: Option<String>,
        old_rust: String,
        new_rust: String,
    },
    ConstraintChanged {
        keyword: &'static str,
        old: Option<Value>,
        new: Option<Value>,
        /// Fewer values are valid now.
        tighter: bool,
        old_rust: String,
        new_rust: String,
    },
    DefaultChanged {
        old: Option<Value>,
        new: Option<Value>,
    },
    /// The `$ref` at this place changed (`None`: an inline schema). `required` lists the new
    /// target's required fields.
    RefChanged {
        old: Option<String>,
        new: Option<String>,
        old_rust: String,
        new_rust: String,
        required: Vec<String>,
    },
    VariantsChanged {
        keyword: &'static str,
        old: usize,
        new: usize,
    },
    SecurityChanged {
        old: Vec<String>,
        new: Vec<String>,
        /// How the SDK sends the key (`None`: public operation).
        old_auth: Option<String>,
        new_auth: Option<String>,
    },
    /// How the SDK reads the answer (`x-aitoearn-response.kind`).
    ResponseKindChanged {
        old: Kind,
        new: Kind,
        old_rust: String,
        new_rust: String,
    },
    /// What `send()` returns, when no `$ref` change at the body explains it.
    ReturnTypeChanged {
        old: String,
        new: String,
    },
    SchemaAdded,
    SchemaRemoved,
    /// A model the generator emits on one side only that no added or removed schema explains:
    /// an adaptation named, merged or split it (e.g. identical enums shared as one type).
    /// `name` is the Rust type name (`types::<name>`).
    GeneratedTypeAdded {
        name: String,
    },
    GeneratedTypeRemoved {
        name: String,
    },
    ServersChanged {
        old: Vec<String>,
        new: Vec<String>,
    },
}

/// A classified change.
#[derive(Debug, Clone)]
pub struct Change {
    pub place: Place,
    pub path: String,
    /// Stable identifier of the kind of change (`enum-removed`, `required-changed`, …).
    pub kind: &'static str,
    /// What changed, for people.
    pub change: String,
    pub old: Value,
    pub new: Value,
    /// Code written against the previous SDK, or an SDK built from the old spec talking to the
    /// new server, can fail.
    pub breaking: bool,
    /// The generated Rust API changes (types, fields, variants, methods, setters).
    pub rust_api: bool,
    /// Documentation only.
    pub docs: bool,
    /// Why it is classified so.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// The differences of one operation (keyed by method and path).
#[derive(Debug, Clone)]
pub struct OperationDiff {
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    pub status: Status,
    /// (old, new); `None` on the side where the operation does not exist.
    pub operation_id: (Option<String>, Option<String>),
    /// Rust method names, (old, new).
    pub rust_method: (Option<String>, Option<String>),
    pub changes: Vec<Change>,
}

/// The differences of one named component schema.
#[derive(Debug, Clone)]
pub struct SchemaDiff {
    pub name: String,
    pub status: Status,
    pub changes: Vec<Change>,
    /// The operations that use it on either side (`GET /path`).
    pub used_by: Vec<String>,
}

/// Everything `diff-spec` reports.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Labels of the two sides, as given.
    pub old: String,
    pub new: String,
    pub operations: Vec<OperationDiff>,
    pub schemas: Vec<SchemaDiff>,
    pub document: Vec<Change>,
    /// Problems met on the way (dangling `$ref`s, a side the generator rejects).
    pub notes: Vec<String>,
    /// Structure only (`--ignore-text`): texts left out, each difference listed once.
    pub ignore_text: bool,
}

impl What {
    /// Texts that differ between the editions (translations) of one spec: summaries,
    /// descriptions, titles and tag names.
    pub fn is_text(&self) -> bool {
        matches!(self, What::Text { .. } | What::TagsChanged { .. })
    }
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.schemas.is_empty() && self.document.is_empty()
    }

    /// Every change, in report order.
    pub fn all_changes(&self) -> impl Iterator<Item = &Change> {
        self.operations
            .iter()
            .flat_map(|o| &o.changes)
            .chain(self.schemas.iter().flat_map(|s| &s.changes))
            .chain(&self.document)
    }

    pub fn has_breaking(&self) -> bool {
        self.all_changes().any(|c| c.breaking)
    }
}

/// Counts over a set of changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub breaking: usize,
    pub compatible: usize,
    pub docs: usize,
    pub rust_api: usize,
}

impl Counts {
    pub fn of<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Counts {
        let mut c = Counts::default();
        for change in changes {
            if change.breaking {
                c.breaking += 1;
            } else {
                c.compatible += 1;
            }
            c.docs += usize::from(change.docs);
            c.rust_api += usize::from(change.rust_api);
        }
        c
    }
}
