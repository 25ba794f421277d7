//! Writing JSON: compact, through serde_json, refusing integers that a
//! JavaScript number cannot hold. Everything the crate writes as compact
//! JSON goes through [`to_string`] (trace lines, the page's values, snapshot
//! bytes), so the wasm module holds one copy of each type's serializer.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Compact JSON that refuses integers a JavaScript number cannot hold,
/// rather than let `JSON.parse` round them (a seed, say) without a word.
struct JsSafeFormatter;

fn unsafe_integer(value: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{value} can't be represented as a JavaScript number"))
}

impl Formatter for JsSafeFormatter {
    fn write_u64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        if value > MAX_SAFE_INTEGER {
            return Err(unsafe_integer(value));
        }
        CompactFormatter.write_u64(writer, value)
    }

    fn write_i64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        if value.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(unsafe_integer(value));
        }
        CompactFormatter.write_i64(writer, value)
    }

    /// In the browser a float is written by JavaScript's own
    /// number-to-text: serde_json's shortest-digits writer is about 2 KB of
    /// code and tables in the module, for the one or two probabilities a
    /// network command holds. Both write the shortest digits that read back
    /// as the same float, and what the module writes is only read by
    /// `JSON.parse` (traces hold no floats), so the page sees the same
    /// numbers, though the text may differ (`1` for `1.0`, `1e+21`).
    #[cfg(target_arch = "wasm32")]
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let text = js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map_err(|_| io::Error::other("Number.prototype.toString failed"))?;
        writer.write_all(String::from(text).as_bytes())
    }
}

/// `value` as compact JSON (serde_json's bytes exactly), or an error if it
/// holds an integer beyond 2^53 - 1.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let mut json = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut json, JsSafeFormatter);
    value.serialize(&mut serializer).map_err(|e| e.to_string())?;
    // serde_json writes UTF-8 only.
    String::from_utf8(json).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_javascript_numbers_are_refused() {
        assert_eq!(to_string(&[1u64 << 52, 2]).as_deref(), Ok("[4503599627370496,2]"));
        assert_eq!(to_string(&MAX_SAFE_INTEGER).unwrap(), "9007199254740991");
        assert!(to_string(&(MAX_SAFE_INTEGER + 1)).unwrap_err().contains("JavaScript number"));
        assert!(to_string(&-(1i64 << 60)).is_err());
    }
}
