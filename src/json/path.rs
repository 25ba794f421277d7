//! Reading a [`Json`] tree into typed values, with errors that name the
//! field path and the reason: object fields by name joined with `.`, array
//! items as `[i]` counted from 0 (`script[3].node`,
//! `cluster.members[2].kind`), and a value quoted back short and escaped
//! (`expected a string, got 5`).

use super::{Json, Object};

/// Longest string quoted back in an error message, in characters.
const QUOTE_CHARS: usize = 40;

/// The path of field `key` under `path`; a key that is not a plain word
/// is quoted in brackets (`switches["pre vote"]`).
pub fn field_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= QUOTE_CHARS
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let key = if plain { key.to_string() } else { format!("[{}]", quote(key)) };
    match (path.is_empty(), plain) {
        (true, _) => key,
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}{key}"),
    }
}

/// The path of item `index` of the array at `path`.
pub fn item_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// `s` cut to `QUOTE_CHARS` characters, with `…` if it was longer.
fn shorten(s: &str) -> String {
    let mut cut: String = s.chars().take(QUOTE_CHARS).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    cut
}

/// A string as an error message quotes it: escaped, and cut short.
pub fn quote(s: &str) -> String {
    format!("{:?}", shorten(s))
}

/// What a value is, for "expected X, got Y". A number reads as written.
pub fn describe(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => shorten(n.as_str()),
        Json::String(s) => quote(s),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// `path: expected what, got ...`.
pub fn expected(path: &str, what: &str, got: &Json) -> String {
    format!("{path}: expected {what}, got {}", describe(got))
}

/// `"a", "b" or "c"`.
pub fn alternatives(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("{o:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// The object at `path`.
pub fn object<'v>(v: &'v Json, path: &str) -> Result<&'v Object, String> {
    match v {
        Json::Object(map) => Ok(map),
        other => Err(expected(path, "an object", other)),
    }
}

/// The array at `path`, of at most `max_len` items.
pub fn array<'v>(v: &'v Json, path: &str, max_len: usize) -> Result<&'v [Json], String> {
    match v {
        Json::Array(items) if items.len() > max_len => {
            Err(format!("{path}: {} items; the limit is {max_len}", items.len()))
        }
        Json::Array(items) => Ok(items),
        other => Err(expected(path, "an array", other)),
    }
}

/// A string.
pub fn text(v: &Json, path: &str) -> Result<String, String> {
    match v {
        Json::String(s) => Ok(s.clone()),
        other => Err(expected(path, "a string", other)),
    }
}

/// `true` or `false`.
pub fn flag(v: &Json, path: &str) -> Result<bool, String> {
    match v {
        Json::Bool(b) => Ok(*b),
        other => Err(expected(path, "true or false", other)),
    }
}

/// A non-negative integer of 64 bits; `what` says what was expected.
pub fn uint(v: &Json, path: &str, what: &str) -> Result<u64, String> {
    match v {
        Json::Number(n) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| expected(path, what, v))
}

/// An integer field's meaning and range.
pub struct Int {
    /// What the field holds, for "expected ...".
    pub what: &'static str,
    /// Smallest value accepted.
    pub min: u64,
    /// Largest value accepted.
    pub max: u64,
    /// Unit for range errors, with its leading space (` ticks`).
    pub unit: &'static str,
}

/// An integer of `spec`'s range.
pub fn int(v: &Json, path: &str, spec: &Int) -> Result<u64, String> {
    let n = uint(v, path, spec.what)?;
    if n < spec.min {
        return Err(format!("{path}: {n} is below the minimum of {}{}", spec.min, spec.unit));
    }
    if n > spec.max {
        return Err(format!("{path}: {n} is above the limit of {}{}", spec.max, spec.unit));
    }
    Ok(n)
}

/// One of `options` (a `noun`, such as "kind"), as its index.
pub fn one_of(v: &Json, path: &str, noun: &str, options: &[&str]) -> Result<usize, String> {
    match v {
        Json::String(s) => options.iter().position(|o| o == s).ok_or_else(|| {
            format!("{path}: unknown {noun} {}, expected {}", quote(s), alternatives(options))
        }),
        other => Err(expected(path, &alternatives(options), other)),
    }
}

/// The fields of the object at a path, read one by one. `null` reads as
/// absent for an optional field; a required field cannot be `null`.
/// Fields not asked for are ignored (extra fields are allowed).
pub struct Fields<'a> {
    map: &'a Object,
    path: &'a str,
}

impl<'a> Fields<'a> {
    /// The fields of `v`, which must be an object.
    pub fn of(v: &'a Json, path: &'a str) -> Result<Fields<'a>, String> {
        Ok(Fields { map: object(v, path)?, path })
    }

    /// The object itself.
    pub fn map(&self) -> &'a Object {
        self.map
    }

    /// The path of field `key`.
    pub fn path(&self, key: &str) -> String {
        field_path(self.path, key)
    }

    /// Field `key` and its path; missing is an error saying `what` was
    /// expected. (The generic readers below stay thin wrappers of this.)
    pub fn field(&self, key: &str, what: &str) -> Result<(&'a Json, String), String> {
        let path = self.path(key);
        match self.map.get(key) {
            Some(v) => Ok((v, path)),
            None => Err(format!("{path}: missing; expected {what}")),
        }
    }

    /// Field `key` and its path, unless absent or `null`.
    pub fn present(&self, key: &str) -> Option<(&'a Json, String)> {
        match self.map.get(key) {
            None | Some(Json::Null) => None,
            Some(v) => Some((v, self.path(key))),
        }
    }

    /// Field `key`, read by `read`; missing is an error saying `what` was
    /// expected.
    pub fn required<T>(
        &self,
        key: &str,
        what: &str,
        read: fn(&'a Json, &str) -> Result<T, String>,
    ) -> Result<T, String> {
        let (v, path) = self.field(key, what)?;
        read(v, &path)
    }

    /// Field `key` read by `read`, or `None` when absent or `null`.
    pub fn optional<T>(
        &self,
        key: &str,
        read: fn(&'a Json, &str) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        self.present(key).map(|(v, path)| read(v, &path)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_odd_strings_are_quoted_short_and_escaped() {
        let long = "é".repeat(100);
        let q = quote(&long);
        assert!(q.chars().count() < 50, "{q}");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn odd_keys_are_bracketed_in_paths() {
        assert_eq!(field_path("switches", "pre_vote"), "switches.pre_vote");
        assert_eq!(field_path("switches", "pre vote"), "switches[\"pre vote\"]");
        assert_eq!(field_path("", "cluster"), "cluster");
    }

    #[test]
    fn alternatives_read_as_english() {
        assert_eq!(alternatives(&["a"]), "\"a\"");
        assert_eq!(alternatives(&["a", "b", "c"]), "\"a\", \"b\" or \"c\"");
    }
}
