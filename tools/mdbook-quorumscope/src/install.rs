//! `mdbook-quorumscope install [BOOK_DIR] [--element FILE]`: puts the element
//! and its theme stylesheet beside `book.toml` and adds, once, the entries
//! that load them on every page (print.html too) and run the preprocessor.
//!
//! The element is the single-file build (`make dist-single`), carried in the
//! binary when it was built first (build.rs) or named with --element: one classic-
//! compatible script with the wasm and stylesheets inside, so mdBook's
//! `additional-js` (a plain `<script src>`, with its path fixed up for each
//! chapter's depth) is all a page needs. `book.toml` is edited as text, so
//! its comments and layout survive.
use std::path::{Path, PathBuf};

/// The element's file name in the book, and the stylesheet's.
const ELEMENT: &str = "quorumscope.js";
const STYLESHEET: &str = "quorumscope-mdbook.css";
const STYLESHEET_TEXT: &str = include_str!("assets.css");

/// The single-file element, when `make dist-single` had built it before
/// this binary was (build.rs).
#[cfg(embedded_element)]
const EMBEDDED_ELEMENT: Option<&[u8]> =
    Some(include_bytes!(concat!(env!("OUT_DIR"), "/quorumscope.single.js")));
#[cfg(not(embedded_element))]
const EMBEDDED_ELEMENT: Option<&[u8]> = None;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut book_dir = PathBuf::from(".");
    let mut element: Option<PathBuf> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--element" => element = Some(rest.next().ok_or("--element needs a file")?.into()),
            other if other.starts_with('-') => return Err(format!("install: unknown option {other}")),
            other => book_dir = other.into(),
        }
    }
    let script = match element {
        Some(path) => std::fs::read(&path).map_err(|e| format!("--element {}: {e}", path.display()))?,
        None => EMBEDDED_ELEMENT
            .ok_or(
                "this mdbook-quorumscope was built without the element: pass --element \
                 dist/quorumscope.single.js (built by `make dist-single` in the quorumscope repository), \
                 or run `make dist-single` and install mdbook-quorumscope again",
            )?
            .to_vec(),
    };
    install(&book_dir, &script)
}

pub fn install(book_dir: &Path, script: &[u8]) -> Result<(), String> {
    let toml_path = book_dir.join("book.toml");
    let toml = std::fs::read_to_string(&toml_path).map_err(|e| {
        format!("{}: {e} (run install in the book's folder, or name it)", toml_path.display())
    })?;
    write(&book_dir.join(ELEMENT), script)?;
    write(&book_dir.join(STYLESHEET), STYLESHEET_TEXT.as_bytes())?;
    let edited = edit_book_toml(&toml);
    if edited != toml {
        write(&toml_path, edited.as_bytes())?;
    }
    println!("mdbook-quorumscope: installed {ELEMENT} and {STYLESHEET} in {}", book_dir.display());
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// `book.toml` with the preprocessor and the two assets added where missing.
pub fn edit_book_toml(toml: &str) -> String {
    let mut text = toml.to_string();
    if !has_table(&text, "preprocessor.quorumscope") {
        ensure_newline(&mut text);
        text.push_str("\n[preprocessor.quorumscope]\ncommand = \"mdbook-quorumscope\"\n");
    }
    text = add_to_list(&text, "additional-js", ELEMENT);
    add_to_list(&text, "additional-css", STYLESHEET)
}

fn ensure_newline(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

fn has_table(text: &str, name: &str) -> bool {
    text.lines().any(|l| l.trim() == format!("[{name}]"))
}

/// Adds `"item"` to `key = [...]` in `[output.html]`, creating the key or
/// the table as needed; leaves the text alone if the item is there.
fn add_to_list(text: &str, key: &str, item: &str) -> String {
    let quoted = format!("\"{item}\"");
    let lines: Vec<&str> = text.lines().collect();
    let table = lines.iter().position(|l| l.trim() == "[output.html]");
    let Some(table) = table else {
        let mut out = text.to_string();
        ensure_newline(&mut out);
        out.push_str(&format!("\n[output.html]\n{key} = [{quoted}]\n"));
        return out;
    };
    let end = lines[table + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| table + 1 + i);
    let key_line = (table + 1..end).find(|&i| {
        let l = lines[i].trim_start();
        l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('='))
    });
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match key_line {
        None => out.insert(table + 1, format!("{key} = [{quoted}]")),
        Some(i) => {
            // The list may span lines: find its closing bracket.
            let close = (i..end).find(|&j| lines[j].contains(']'));
            let Some(close) = close else { return text.to_string() };
            if lines[i..=close].iter().any(|l| l.contains(&quoted)) {
                return text.to_string();
            }
            let line = out[close].clone();
            let at = line.rfind(']').unwrap_or(line.len());
            let before = line[..at].trim_end();
            if close > i && before.trim().is_empty() {
                // `]` alone on its line: the item goes on a line of its own.
                let previous = out[close - 1].trim_end().to_string();
                if !previous.ends_with(',') && !previous.ends_with('[') {
                    out[close - 1] = format!("{previous},");
                }
                out[close] = format!("  {quoted}\n{}", &line[at..]);
            } else {
                let sep = if before.ends_with('[') || before.ends_with(',') { "" } else { ", " };
                out[close] = format!("{before}{sep}{quoted}{}", &line[at..]);
            }
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_book_toml_gets_every_entry_once() {
        let toml = "[book]\ntitle = \"T\"\n";
        let once = edit_book_toml(toml);
        assert_eq!(
            once,
            "[book]\ntitle = \"T\"\n\n[preprocessor.quorumscope]\ncommand = \"mdbook-quorumscope\"\n\n\
             [output.html]\nadditional-css = [\"quorumscope-mdbook.css\"]\nadditional-js = [\"quorumscope.js\"]\n"
        );
        assert_eq!(edit_book_toml(&once), once, "installing twice changes nothing");
    }

    #[test]
    fn existing_lists_are_extended_and_other_tables_kept() {
        let toml = "[output.html]\ndefault-theme = \"navy\"\nadditional-js = [\"mermaid.min.js\"]\n\
                    additional-css = [\n  \"a.css\",\n]\n\n[output.linkcheck]\n";
        let out = edit_book_toml(toml);
        assert!(out.contains("additional-js = [\"mermaid.min.js\", \"quorumscope.js\"]\n"));
        assert!(out.contains("additional-css = [\n  \"a.css\",\n  \"quorumscope-mdbook.css\"\n]\n"));
        assert!(out.contains("\n[output.linkcheck]\n"));
        assert!(out.contains("default-theme = \"navy\""));
        let no_comma = edit_book_toml("[output.html]\nadditional-js = [\n  \"a.js\"\n]\n");
        assert!(no_comma.contains("additional-js = [\n  \"a.js\",\n  \"quorumscope.js\"\n]\n"));
    }
}
