//! [`FromJson`]: how every wire type is read, beside how it is written.
//!
//! Each type users hand in or read back (scenario files, the page's
//! commands, traces) has ONE schema, kept in one place per type family:
//! the type's `Serialize` (serde's derive, whose attributes name the
//! fields and tags) and its `impl FromJson` sit in the same module, or for
//! the core's types in [`super::core_types`] (the core stays free of this
//! reader: it depends on serde alone). Where a type is written:
//!
//! | family | written (serde) | read (`impl FromJson`) |
//! | --- | --- | --- |
//! | commands, script steps | `sim/command.rs` | `sim/command_read.rs` |
//! | trace events | `sim/trace.rs` | `sim/trace_import.rs` |
//! | scenario files | `scenario/mod.rs` | `scenario/parse.rs` |
//! | initial states | `sim/initial.rs` | `scenario/initial.rs` |
//! | the core's types | `core/*.rs` | `json/core_types.rs` |
//!
//! The pattern, for a new field or variant: add it to the type (serde
//! writes it), read it in the type's `from_json` under the same name, and
//! add a case to `tests/json_roundtrip.rs`, whose exhaustive `match` over
//! every wire enum fails to compile until the new variant has one. That
//! test writes every variant with serde and reads it back here, so a name
//! spelt differently in the two directions fails it.
//!
//! Names of plain (unit) enums are not spelt here at all: [`by_name`] reads
//! a value by the name serde writes for it.
//!
//! One family is not read here: the real cluster's frames and disk
//! (node/: `Message`, `Entry`, `HardState`, `Snapshot` and their parts)
//! keep serde's derived `Deserialize`, from the same derive (and so the
//! same attributes) as their `Serialize`. They never reach the page, so
//! they cost the wasm module nothing, and serde reads a snapshot's bytes
//! straight into a buffer where a [`Json`] tree would hold one string per
//! byte. No other type derives `Deserialize`.
//!
//! Why not serde's derived deserializers: they (and the buffering that
//! internally tagged and flattened enums need) were most of the wasm
//! module's size, and their errors name no field path.

use serde::Serialize;

use super::path::one_of;
use super::Json;

/// A type read from a [`Json`] tree, with errors that name the field path
/// (`script[3].node: ...`) and the reason.
pub trait FromJson: Sized {
    /// The value at `path`.
    fn from_json(v: &Json, path: &str) -> Result<Self, String>;
}

/// The one of `all` whose serde name (a unit variant's, as serde writes
/// it: `"catching_up"`) is the string at `path`; a `noun` names the field
/// in errors (`unknown kind "x", expected "data" or "witness"`).
pub fn by_name<T: Serialize + Copy>(all: &[T], noun: &str, v: &Json, path: &str) -> Result<T, String> {
    Ok(all[index_by_name(all.len(), &|i| name_of(&all[i]), noun, v, path)?])
}

/// The index of `by_name`'s match among `count` names. Not generic, so that
/// the wasm module holds one copy of it rather than one per enum.
fn index_by_name(
    count: usize,
    name: &dyn Fn(usize) -> String,
    noun: &str,
    v: &Json,
    path: &str,
) -> Result<usize, String> {
    let names: Vec<String> = (0..count).map(name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    one_of(v, path, noun, &names)
}

/// A unit variant's name as serde writes it, without the quotes. Through
/// the crate's one JSON writer, whose copy for each of these enums the
/// module holds anyway (a serializer of its own was measured larger).
pub fn name_of<T: Serialize>(x: &T) -> String {
    let written = super::to_string(x).unwrap_or_default();
    written.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{MessageKind, VotingState};

    #[test]
    fn names_are_serdes() {
        assert_eq!(name_of(&VotingState::CatchingUp), "catching_up");
        assert_eq!(name_of(&MessageKind::AppendReply), "append_reply");
    }
}
