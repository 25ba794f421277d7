//! JSON in and out. Reading what users hand in (scenario files, the page's
//! commands, imported traces) goes through one small value type and the
//! path-naming accessors of [`path`], not serde: serde's derived
//! deserializers (and the buffering that internally tagged and flattened
//! enums need) were most of the wasm module's size. Writing stays with
//! serde's derived serializers, through one serializer ([`to_string`]).
//!
//! - [`parse`]: text to a [`Json`] tree; errors give the line and column,
//!   and nesting is capped so that no input overflows the stack.
//! - [`path`]: reading a tree into typed values with errors that name the
//!   field path (`script[3].node: ...`).
//! - [`to_string`]: compact JSON, refusing integers JavaScript would round.
//! - [`FromJson`]: the trait every wire type's reader implements, beside
//!   its `Serialize` ([`from_json`] says where each one is, and the
//!   pattern to follow for a new field); [`core_types`] reads the core's.

pub mod core_types;
pub mod from_json;
pub mod path;
mod read;
mod write;

pub use from_json::FromJson;
pub use read::parse;
pub use write::to_string;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(Object),
}

/// A number as the file spells it: integers stay exact at any size, and an
/// error message can quote it without formatting a float.
#[derive(Clone, Debug, PartialEq)]
pub struct Number(String);

impl Number {
    /// The number if it is written as a non-negative integer that fits 64
    /// bits (`3`, not `3.0`, `3e0` or `-3`).
    pub fn as_u64(&self) -> Option<u64> {
        if self.0.bytes().all(|b| b.is_ascii_digit()) {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The number as a finite float. Correctly rounded for up to 15
    /// significant digits and a decimal exponent within ±22 (Clinger's fast
    /// path: one exact integer, one exact power of ten, one rounding), which
    /// covers every probability as people write one; beyond that, within a
    /// few ulps. Not `str::parse`: core's exact parser and its tables would
    /// add several kilobytes to the wasm module for digits nobody writes.
    pub fn as_f64(&self) -> Option<f64> {
        // The reader only makes numbers of JSON's grammar:
        // -?digits(.digits)?([eE][+-]?digits)?
        let (negative, text) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (digits, exponent) = match text.split_once(['e', 'E']) {
            Some((digits, exponent)) => (digits, exponent),
            None => (text, "0"),
        };
        let (exponent_negative, exponent) = match exponent.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, exponent.trim_start_matches('+')),
        };
        // Capped: anything this far out is 0 or infinite anyway.
        let exponent = exponent.bytes().fold(0i32, |e, b| (e * 10 + i32::from(b - b'0')).min(10_000));
        let mut exponent = if exponent_negative { -exponent } else { exponent };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        // The first 19 significant digits, exactly; later ones only scale.
        let mut mantissa: u64 = 0;
        for (i, b) in whole.bytes().chain(fraction.bytes()).enumerate() {
            let in_fraction = i >= whole.len();
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                exponent -= i32::from(in_fraction);
            } else {
                exponent += i32::from(!in_fraction);
            }
        }
        // 10^22 is the largest power of ten a float holds exactly.
        let mut value = mantissa as f64;
        while exponent > 0 {
            let step = exponent.min(22);
            value *= 10f64.powi(step);
            exponent -= step;
        }
        while exponent < 0 {
            let step = (-exponent).min(22);
            value /= 10f64.powi(step);
            exponent += step;
        }
        let value = if negative { -value } else { value };
        value.is_finite().then_some(value)
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An object's members in file order. A key may repeat; the last one
/// counts for [`Object::get`] (as when serde_json read into a map), and
/// [`Object::iter`] yields every member in order, so applying them one by
/// one lets the last win too.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    /// The value of `key`, if present (the last, if repeated). A linear
    /// search: objects are read by a handful of known keys each, so even a
    /// huge hostile object costs a few scans, and no sort or map code is
    /// needed in the wasm module.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The members, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many members (repeated keys counted each time).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True without members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
