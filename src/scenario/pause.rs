//! Pauses: the moments of a guided tour (`pauses` in a scenario file), read
//! with field-path errors. A built-in tour names its moments by event
//! (`on`, `at`, `node`); a tour written in the page names the exact step
//! it stopped at (`step`) and what to look at there (`highlight`).
//!
//! Captions are shown as text, never as HTML, and are bounded
//! (`MAX_CAPTION_CHARS`): a caption is a few sentences on a card, and a
//! shared link must not be able to bury the picture under a novel.

use serde::Serialize;

use crate::json::path::{int, quote, text, Fields};
use crate::json::{FromJson, Json};
use crate::sim::command_read::{node_id, TICK, U64};

/// Longest caption, in characters (Unicode scalar values).
pub const MAX_CAPTION_CHARS: usize = 500;
/// A moment worth pausing on: after a given step, at a tick, or at the
/// first event of a kind (optionally about one node) at or after `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// Pause at (or, with `on`, from) this tick.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// Pause on the first trace event of this kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// Only events about this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<u64>,
    /// Pause once this many steps have run (a tour written in the page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u64>,
    /// What to look at.
    pub caption: String,
    /// The part of the page the caption is about, in its written form
    /// (checked by [`Highlight::read`]; kept as written, so that the page
    /// reads back what the file says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// A part of the page a tour moment points at, written as a short string
/// in the file: `"node 2"`, `"message 14"` (a message in flight, by its
/// sequence number, stable because replay is deterministic), `"log 2:5"`
/// (node 2's entry at index 5) or `"banner"`. (A string rather than an
/// object: the reader and writer of an object cost the page's wasm module
/// more than its budget had left.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Highlight {
    /// A node of the picture.
    Node(u64),
    /// A message in flight, by its sequence number.
    Message(u64),
    /// One node's log entry: (node, index).
    Log(u64, u64),
    /// The banner (a handover in progress, its outcome, a violation).
    Banner,
}

impl Highlight {
    /// Reads the written form; `None` when it is not one of the four.
    pub fn read(s: &str) -> Option<Highlight> {
        let (what, rest) = s.split_once(' ').unwrap_or((s, ""));
        match what {
            "banner" if rest.is_empty() => Some(Highlight::Banner),
            "node" => number(rest).map(Highlight::Node),
            "message" => number(rest).map(Highlight::Message),
            "log" => {
                let (id, index) = rest.split_once(':')?;
                Some(Highlight::Log(number(id)?, number(index).filter(|&i| i > 0)?))
            }
            _ => None,
        }
    }
}

/// Decimal digits as a number (no sign, no spaces); `None` past `u64`.
fn number(s: &str) -> Option<u64> {
    s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse().ok()).flatten()
}

/// `pauses[i]`, read by the names serde writes.
impl FromJson for Pause {
    fn from_json(v: &Json, path: &str) -> Result<Pause, String> {
        let f = Fields::of(v, path)?;
        let caption = f.required("caption", "a string", caption)?;
        Ok(Pause {
            at: f.optional("at", |v, path| int(v, path, &TICK))?,
            on: f.optional("on", text)?,
            node: f.optional("node", node_id)?,
            // Any step: one the run never reaches is a moment never shown.
            step: f.optional("step", |v, path| int(v, path, &U64))?,
            caption,
            highlight: f.optional("highlight", read_highlight)?,
        })
    }
}

fn caption(v: &Json, path: &str) -> Result<String, String> {
    let s = text(v, path)?;
    let n = s.chars().count();
    if n > MAX_CAPTION_CHARS {
        return Err(format!("{path}: {n} characters; the limit is {MAX_CAPTION_CHARS}"));
    }
    Ok(s)
}

fn read_highlight(v: &Json, path: &str) -> Result<String, String> {
    let s = text(v, path)?;
    match Highlight::read(&s) {
        Some(_) => Ok(s),
        None => Err(format!("{path}: {} is not node N, message N, log N:I or banner", quote(&s))),
    }
}
