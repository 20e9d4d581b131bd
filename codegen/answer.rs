//! What an operation answers: the typed model of its `x-aitoearn-response` descriptor (written
//! by `adapt::raw_responses`), and its one parser. Needs nothing but `serde_json`, so the
//! generator (`model`, for build.rs and xtask) and the SDK's runtime mock (`src/mock.rs`, which
//! builds this crate without its `generator` feature) read descriptors with the same code.

use serde_json::Value;

/// The operation's extension that describes its answer.
pub const EXTENSION: &str = "x-aitoearn-response";

/// How the SDK reads an operation's successful answer (`x-aitoearn-response.kind`).
pub mod kind {
    /// `{code, message, data, requestId, timestamp}`: `data` is returned, `code != 0` is an error.
    pub const ENVELOPE: &str = "envelope";
    /// A JSON body returned as is (relay and vendor-format endpoints).
    pub const JSON: &str = "json";
    /// `text/event-stream` only.
    pub const SSE: &str = "sse";
    /// JSON, or `text/event-stream` when the request asks to stream.
    pub const JSON_OR_SSE: &str = "json_or_sse";
    /// No body.
    pub const EMPTY: &str = "empty";
}

/// The first documented success example in a descriptor (the mock answers with it where the
/// spec has no schema to sample).
pub fn example(descriptor: &Value) -> Option<&Value> {
    descriptor.get("example")
}

/// What an operation answers, from its `x-aitoearn-response` (written by
/// `adapt::raw_responses`), parsed once: build.rs, the schemas and the docs read this, never
/// the descriptor itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `{code, message, data, requestId, timestamp}`: `data`, of this shape (`None`: the spec
    /// leaves it out, and `send()` returns `()`).
    Envelope(Option<Shape>),
    /// A JSON body returned as is (relay and vendor-format endpoints).
    Json(Shape),
    /// `text/event-stream` only, each event of this shape.
    Events(Shape),
    /// JSON, or `text/event-stream` when the request asks to stream.
    JsonOrEvents {
        /// The JSON body.
        body: Shape,
        /// Each event.
        event: Shape,
    },
    /// No body.
    Empty,
}

/// The shape of a body or an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A component of the spec (`#/components/schemas/<name>`), by its name there.
    Component(String),
    /// A list of the inner shape.
    Array(Box<Shape>),
    /// A JSON scalar.
    Scalar(Scalar),
    /// Any JSON (`serde_json::Value`).
    Any,
}

/// A JSON scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

impl Answer {
    /// Parses an `x-aitoearn-response` descriptor (`None`: the operation has none, it answers
    /// no body). An unknown kind or shape is an error, never a silent fallback.
    pub fn parse(descriptor: Option<&Value>) -> Result<Answer, String> {
        let Some(d) = descriptor else {
            return Ok(Answer::Empty);
        };
        let shape = |key: &str| -> Result<Option<Shape>, String> {
            d.get(key).map(Shape::parse).transpose()
        };
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or(kind::EMPTY);
        Ok(match kind {
            kind::ENVELOPE => Answer::Envelope(shape("body")?),
            kind::JSON => Answer::Json(shape("body")?.unwrap_or(Shape::Any)),
            kind::SSE => Answer::Events(shape("event")?.unwrap_or(Shape::Any)),
            kind::JSON_OR_SSE => Answer::JsonOrEvents {
                body: shape("body")?.unwrap_or(Shape::Any),
                event: shape("event")?.unwrap_or(Shape::Any),
            },
            kind::EMPTY => Answer::Empty,
            other => {
                return Err(format!(
                    "unknown answer kind `{other}` in x-aitoearn-response"
                ));
            }
        })
    }

    /// The JSON body's shape, where the answer has one.
    pub fn body(&self) -> Option<&Shape> {
        match self {
            Answer::Envelope(s) => s.as_ref(),
            Answer::Json(s) | Answer::JsonOrEvents { body: s, .. } => Some(s),
            Answer::Events(_) | Answer::Empty => None,
        }
    }

    /// The events' shape, where the answer can stream.
    pub fn event(&self) -> Option<&Shape> {
        match self {
            Answer::Events(s) | Answer::JsonOrEvents { event: s, .. } => Some(s),
            _ => None,
        }
    }

    /// The components the body and the events are made of (`Vec<A>` → `A`), body first.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.body()
            .into_iter()
            .chain(self.event())
            .filter_map(Shape::component)
    }

    /// The descriptor's `kind` (one of [`kind`]).
    pub fn kind(&self) -> &'static str {
        self.kind_of().name()
    }

    /// The kind of answer, without its shapes.
    pub fn kind_of(&self) -> Kind {
        match self {
            Answer::Envelope(_) => Kind::Envelope,
            Answer::Json(_) => Kind::Json,
            Answer::Events(_) => Kind::Events,
            Answer::JsonOrEvents { .. } => Kind::JsonOrEvents,
            Answer::Empty => Kind::Empty,
        }
    }
}

/// The kind of an [`Answer`], without its shapes (what diff-spec compares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Envelope,
    Json,
    Events,
    JsonOrEvents,
    Empty,
}

impl Kind {
    /// Its name in the descriptor (one of [`kind`]).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Envelope => kind::ENVELOPE,
            Kind::Json => kind::JSON,
            Kind::Events => kind::SSE,
            Kind::JsonOrEvents => kind::JSON_OR_SSE,
            Kind::Empty => kind::EMPTY,
        }
    }

    /// Whether the answer has a JSON body (decoded as the return type).
    pub fn has_json_body(self) -> bool {
        matches!(self, Kind::Envelope | Kind::Json | Kind::JsonOrEvents)
    }

    /// Whether the answer can be an event stream.
    pub fn can_stream(self) -> bool {
        matches!(self, Kind::Events | Kind::JsonOrEvents)
    }
}

impl Shape {
    /// The component this shape is, or is a (nested) list of.
    pub fn component(&self) -> Option<&str> {
        match self {
            Shape::Component(name) => Some(name),
            Shape::Array(items) => items.component(),
            Shape::Scalar(_) | Shape::Any => None,
        }
    }

    /// Parses a body descriptor: `{"ref": name}`, `{"array": descriptor}`, `{"scalar": type}`,
    /// or `{}` for any JSON.
    pub fn parse(d: &Value) -> Result<Shape, String> {
        if let Some(name) = d.get("ref") {
            return name
                .as_str()
                .map(|n| Shape::Component(n.to_string()))
                .ok_or_else(|| format!("`ref` is not a string in {d}"));
        }
        if let Some(items) = d.get("array") {
            return Ok(Shape::Array(Box::new(Shape::parse(items)?)));
        }
        match d.get("scalar") {
            None => Ok(Shape::Any),
            Some(s) => Ok(Shape::Scalar(match s.as_str() {
                Some("string") => Scalar::String,
                Some("integer") => Scalar::Integer,
                Some("number") => Scalar::Number,
                Some("boolean") => Scalar::Boolean,
                _ => return Err(format!("unknown scalar {s} in a response descriptor")),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_parse_into_kinds_and_shapes() {
        let parse = |v: Value| Answer::parse(Some(&v));
        assert_eq!(Answer::parse(None), Ok(Answer::Empty));
        assert_eq!(
            parse(json!({ "kind": "envelope" })),
            Ok(Answer::Envelope(None))
        );
        assert_eq!(
            parse(json!({ "kind": "json", "body": { "array": { "scalar": "integer" } } })),
            Ok(Answer::Json(Shape::Array(Box::new(Shape::Scalar(
                Scalar::Integer
            )))))
        );
        assert_eq!(
            parse(json!({ "kind": "json_or_sse", "body": { "ref": "B" } })),
            Ok(Answer::JsonOrEvents {
                body: Shape::Component("B".into()),
                event: Shape::Any
            })
        );
        let both = parse(json!({ "kind": "json_or_sse",
            "body": { "array": { "array": { "ref": "B" } } }, "event": { "ref": "E" } }))
        .unwrap();
        assert_eq!(both.components().collect::<Vec<_>>(), ["B", "E"]);
        // A typo is an error, not a silent `Empty` or `Value`.
        assert!(parse(json!({ "kind": "envelop" })).is_err());
        assert!(parse(json!({ "kind": "json", "body": { "scalar": "int" } })).is_err());
    }
}
