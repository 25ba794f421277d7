//! Each teaching switch turned off, one at a time, to show why the
//! mechanism exists (PROTOCOL.md §10).

/// (name, file) pairs.
pub const SWITCHES_OFF: &[(&str, &str)] = &[];
