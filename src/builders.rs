//! The request models' builders (`types::builder::X`), written once: `codegen/builders.rs`
//! emits one `model_builder!` invocation per model that requests reach. The expansion is the
//! surface typify gave its builders, so user code compiles unchanged.

/// Inside the generated `types::builder` (whose `set` and `Display` it uses): `struct $name`
/// holding a `Result<T, String>` per field, `Default` (a required field starts as
/// `Err("no value supplied for <field>")`, a defaulted one as its default), one setter per field
/// taking `impl TryInto<T>` (a failed conversion is kept and reported by `TryFrom`),
/// `TryFrom<builder::X> for X` and `From<X> for builder::X`.
/// Each row: `(field, Type, "field's name", required | default | with <fn path>)`.
// Unused when the API groups on generate no request model.
#[allow(unused_macros)]
macro_rules! model_builder {
    ($name:ident, [$(($field:ident, $ty:ty, $text:literal, $($start:tt)+)),* $(,)?]) => {
        #[derive(Clone, Debug)]
        pub struct $name {
            $($field: Result<$ty, String>,)*
        }
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self {
                    $($field: $crate::builders::model_builder!(@start $text, $($start)+),)*
                }
            }
        }
        impl $name {
            $(
                pub fn $field<T>(mut self, value: T) -> Self
                where
                    T: TryInto<$ty>,
                    T::Error: Display,
                {
                    self.$field = set(value, $text);
                    self
                }
            )*
        }
        impl ::std::convert::TryFrom<$name> for super::$name {
            type Error = super::error::ConversionError;
            fn try_from(value: $name) -> Result<Self, super::error::ConversionError> {
                Ok(Self { $($field: value.$field?,)* })
            }
        }
        impl ::std::convert::From<super::$name> for $name {
            fn from(value: super::$name) -> Self {
                Self { $($field: Ok(value.$field),)* }
            }
        }
    };
    (@start $text:literal, required) => {
        Err(concat!("no value supplied for ", $text).to_string())
    };
    (@start $text:literal, default) => {
        Ok(Default::default())
    };
    (@start $text:literal, with $default:path) => {
        Ok($default())
    };
}

#[allow(unused_imports)]
pub(crate) use model_builder;
