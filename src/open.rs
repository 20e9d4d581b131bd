//! [`Open`]: an enum from the spec that also accepts values the spec does not list yet.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value of the spec's enum `E`, or one this version of the crate does not know.
///
/// The service adds statuses and kinds faster than the crate is released; every enum found in
/// a response is `Open<E>`, so an answer with a new value still decodes and the raw value is
/// kept.
///
/// ```
/// use aitoearn::Open;
/// #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
/// #[serde(rename_all = "lowercase")]
/// enum Status { Pending, Done }
///
/// let known: Open<Status> = serde_json::from_str(r#""done""#).unwrap();
/// assert_eq!(known, Open::Known(Status::Done));
/// let new: Open<Status> = serde_json::from_str(r#""archived""#).unwrap();
/// assert_eq!(new.known(), None);
/// assert_eq!(new.raw_str(), Some("archived"));
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#""archived""#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Open<E> {
    /// A value the spec lists.
    Known(E),
    /// A value the spec does not list, as the service sent it.
    Unknown(serde_json::Value),
}

impl<E> Open<E> {
    /// The known value, if it is one.
    pub fn known(&self) -> Option<&E> {
        match self {
            Self::Known(e) => Some(e),
            Self::Unknown(_) => None,
        }
    }

    /// Consumes `self`, returning the known value, if it is one.
    pub fn into_known(self) -> Option<E> {
        match self {
            Self::Known(e) => Some(e),
            Self::Unknown(_) => None,
        }
    }

    /// The unknown value as a string, when it is one.
    pub fn raw_str(&self) -> Option<&str> {
        match self {
            Self::Known(_) => None,
            Self::Unknown(v) => v.as_str(),
        }
    }

    /// Whether this is a known value.
    pub fn is_known(&self) -> bool {
        matches!(self, Self::Known(_))
    }
}

impl<E> From<E> for Open<E> {
    fn from(e: E) -> Self {
        Self::Known(e)
    }
}

impl<E: PartialEq> PartialEq<E> for Open<E> {
    fn eq(&self, other: &E) -> bool {
        self.known() == Some(other)
    }
}

impl<E: fmt::Display> fmt::Display for Open<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(e) => e.fmt(f),
            Self::Unknown(serde_json::Value::String(s)) => f.write_str(s),
            Self::Unknown(v) => v.fmt(f),
        }
    }
}

impl<'de, E: serde::de::DeserializeOwned> Deserialize<'de> for Open<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Enum values are small scalars: buffering one as a `Value` is cheap.
        let raw = serde_json::Value::deserialize(deserializer)?;
        Ok(match E::deserialize(&raw) {
            Ok(e) => Self::Known(e),
            Err(_) => Self::Unknown(raw),
        })
    }
}

impl<E: Serialize> Serialize for Open<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Known(e) => e.serialize(serializer),
            Self::Unknown(v) => v.serialize(serializer),
        }
    }
}

/// The schema of `E`: unknown values are the crate's tolerance, not part of the contract.
#[cfg(feature = "schemars")]
#[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
impl<E: schemars::JsonSchema> schemars::JsonSchema for Open<E> {
    fn schema_name() -> String {
        E::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        E::schema_id()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        E::json_schema(generator)
    }

    fn is_referenceable() -> bool {
        E::is_referenceable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    struct Level(u8);

    #[test]
    fn numbers_and_round_trips() {
        let v: Open<Level> = serde_json::from_str("3").unwrap();
        assert_eq!(v, Level(3));
        let v: Open<Level> = serde_json::from_str("-1").unwrap();
        assert_eq!(v, Open::Unknown(serde_json::json!(-1)));
        assert_eq!(serde_json::to_string(&v).unwrap(), "-1");
        assert_eq!(
            Open::<String>::Unknown(serde_json::json!(-1)).to_string(),
            "-1"
        );
        let v: Vec<Open<Level>> = serde_json::from_str(r#"[1, "x", null]"#).unwrap();
        assert_eq!(v.iter().filter(|o| o.is_known()).count(), 1);
    }
}
