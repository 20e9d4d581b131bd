//! What the models' `Deserialize` impls share (emitted by `codegen/deserialize.rs` instead of
//! serde's derive): the key lookup and the per-field steps, written once.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A struct's key: the index of its field in the struct's field names, or `usize::MAX` for a
/// key the struct does not have (skipped, as serde's derive skips it).
pub(crate) struct Field(pub(crate) &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Field {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Field {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok(self.0.iter().position(|k| *k == key).unwrap_or(usize::MAX))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        Ok(self
            .0
            .iter()
            .position(|k| k.as_bytes() == key)
            .unwrap_or(usize::MAX))
    }

    // serde's derive takes an integer key as the field's position.
    fn visit_u64<E: de::Error>(self, index: u64) -> Result<usize, E> {
        Ok(usize::try_from(index)
            .ok()
            .filter(|i| *i < self.0.len())
            .unwrap_or(usize::MAX))
    }
}

/// Reads the value of `key` into `slot`; a key seen twice is serde's `duplicate field` error.
pub(crate) fn once<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    key: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: de::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key the struct does not have.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The value of a required field, or serde's `missing field` error.
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(key))
}

/// `impl Deserialize for $name`: a map of the listed fields (`visit_map` only), keys looked up
/// by [`Field`], values read by [`once`], unknown keys skipped, a missing one `required` (serde's
/// `missing field`), `default` (`Default::default()`, `None` for an `Option`) or
/// `with <fn path>`. Each row: `(field, Type, "key", index in the list, missing)`.
///
/// Generic parameters and local items start with `__`: a model type of the same name as
/// one of them (`A`, `D`) would otherwise be shadowed inside the impl.
// Unused when the API groups on generate no struct.
#[allow(unused_macros)]
macro_rules! deserialize_struct {
    ($name:ident, $expecting:literal, [$(($field:ident, $ty:ty, $key:literal, $index:literal, $($missing:tt)+)),* $(,)?]) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D>(deserializer: __D) -> ::std::result::Result<Self, __D::Error>
            where
                __D: ::serde::Deserializer<'de>,
            {
                const __FIELDS: &[&str] = &[$($key),*];
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str($expecting)
                    }
                    #[allow(unused_mut)]
                    fn visit_map<__A>(self, mut map: __A) -> ::std::result::Result<$name, __A::Error>
                    where
                        __A: ::serde::de::MapAccess<'de>,
                    {
                        $(let mut $field: ::std::option::Option<$ty> = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(key) =
                            ::serde::de::MapAccess::next_key_seed(&mut map, $crate::de::Field(__FIELDS))?
                        {
                            match key {
                                $($index => $crate::de::once(&mut map, &mut $field, $key)?,)*
                                _ => $crate::de::skip(&mut map)?,
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::de::deserialize_struct!(@missing $field, $key, $($missing)+),)*
                        })
                    }
                }
                ::serde::Deserializer::deserialize_struct(deserializer, stringify!($name), __FIELDS, __Visitor)
            }
        }
    };
    (@missing $field:ident, $key:literal, required) => {
        $crate::de::required($field, $key)?
    };
    (@missing $field:ident, $key:literal, default) => {
        $field.unwrap_or_default()
    };
    (@missing $field:ident, $key:literal, with $default:expr) => {
        $field.unwrap_or_else($default)
    };
}
#[allow(unused_imports)]
pub(crate) use deserialize_struct;
