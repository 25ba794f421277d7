//! What both wasm modules (the start-up one, [`crate::wasm`], and the lab
//! one, [`crate::wasm_lab`]) share: the panic hook, and values crossing the
//! boundary as JSON text.
//!
//! Values cross as JSON, parsed on the other side with the engine's own
//! `JSON.parse` / `JSON.stringify`: the crate's one JSON writer and reader
//! ([`crate::json`]) are already in each module for traces and scenario
//! files, so this costs far less wasm than a serializer that builds
//! JavaScript objects call by call.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::json::{self, Json};

/// A Rust value as the JavaScript value `JSON.parse` makes of its JSON;
/// an integer JavaScript would round is an error.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let json = json::to_string(value).map_err(|e| JsError::new(&e))?;
    js_sys::JSON::parse(&json).map_err(|_| JsError::new("JSON.parse failed"))
}

/// A JavaScript value as JSON, through `JSON.stringify`.
pub(crate) fn from_js(value: &JsValue) -> Result<Json, String> {
    let json = js_sys::JSON::stringify(value)
        .map_err(|e| e.dyn_ref::<js_sys::Error>().map_or("not JSON".into(), |e| String::from(e.message())))?;
    // `undefined` and functions have no JSON: they read as `null`.
    match json.as_string() {
        Some(json) => json::parse(&json),
        None => Ok(Json::Null),
    }
}

/// Installs the panic hook so that a bug shows its message in the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
