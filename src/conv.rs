//! The string conversions of the models, written once (`codegen/conversions.rs` emits one
//! invocation per type instead of typify's five or six impls). They expand to what typify
//! writes, so the models' public surface and texts are unchanged.
//!
//! Paths such as `self::error::ConversionError` resolve where the macro is invoked (in the
//! generated `types` module); `value` is passed in by the invocation because the checks of a
//! constrained string name it.

/// `Display`, `FromStr` (`"invalid value"` for any other text), `TryFrom<&str>` and
/// `TryFrom<String>` for a string enum. Each row: `(Variant, "text")`.
// Unused when the API groups on generate no such enum.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($name:ident, [$(($variant:ident, $text:literal)),* $(,)?]) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match *self {
                    $(Self::$variant => f.write_str($text),)*
                }
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = self::error::ConversionError;
            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value {
                    $($text => Ok(Self::$variant),)*
                    _ => Err("invalid value".into()),
                }
            }
        }
        $crate::conv::string_enum!(@try_from $name);
    };
    (@try_from $name:ident) => {
        impl ::std::convert::TryFrom<&str> for $name {
            type Error = self::error::ConversionError;
            fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = self::error::ConversionError;
            fn try_from(
                value: ::std::string::String,
            ) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
    };
}

/// For `struct $name(String)` whose value must pass `$checks` (statements that `return Err(…)`
/// on a value too short, too long or not matching its pattern, reading `$value: &str`):
/// `Deref<Target = String>`, `From<$name> for String`, `FromStr`, `TryFrom<&str>`,
/// `TryFrom<String>`, and a `Deserialize` that runs the same checks.
#[allow(unused_macros)]
macro_rules! constrained_string {
    ($name:ident, $value:ident => { $($checks:tt)* }) => {
        impl ::std::ops::Deref for $name {
            type Target = ::std::string::String;
            fn deref(&self) -> &::std::string::String {
                &self.0
            }
        }
        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = self::error::ConversionError;
            fn from_str($value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                $($checks)*
                Ok(Self($value.to_string()))
            }
        }
        $crate::conv::string_enum!(@try_from $name);
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                ::std::string::String::deserialize(deserializer)?
                    .parse()
                    .map_err(|e: self::error::ConversionError| {
                        <D::Error as ::serde::de::Error>::custom(e.to_string())
                    })
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use {constrained_string, string_enum};
