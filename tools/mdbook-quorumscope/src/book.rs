//! The preprocessor proper: reads mdBook's `[context, book]`, replaces every
//! ```` ```quorumscope ```` block of every chapter, and returns the book.
//! The book is walked as plain JSON (any object with `content` and
//! `sub_items` is a chapter), so it does not depend on one mdBook version's
//! types. Other fenced blocks, including ones that show a quorumscope block
//! as an example inside a longer fence, are left alone.
use crate::block;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Rewrites the book in mdBook's JSON input; returns the book's JSON.
pub fn preprocess(input: &str) -> Result<String, String> {
    let value: Value = serde_json::from_str(input).map_err(|e| format!("mdBook's input is not JSON: {e}"))?;
    let Value::Array(mut pair) = value else {
        return Err("mdBook's input is not [context, book]".into());
    };
    if pair.len() != 2 {
        return Err("mdBook's input is not [context, book]".into());
    }
    let mut book = pair.pop().unwrap_or_default();
    let context = &pair[0];
    let root = context["root"].as_str().unwrap_or(".");
    let src = context["config"]["book"]["src"].as_str().unwrap_or("src");
    let src_dir = Path::new(root).join(src);
    rewrite_chapters(&mut book, &src_dir)?;
    Ok(book.to_string())
}

fn rewrite_chapters(value: &mut Value, src_dir: &Path) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            if map.contains_key("sub_items") {
                if let Some(Value::String(content)) = map.get("content") {
                    let source = map.get("source_path").and_then(Value::as_str).map(PathBuf::from);
                    let name = source.as_ref().map_or("a chapter".into(), |p| p.display().to_string());
                    let dir = source
                        .as_ref()
                        .and_then(|p| p.parent())
                        .map_or(src_dir.to_path_buf(), |p| src_dir.join(p));
                    let rewritten = rewrite(content, &dir).map_err(|e| format!("{name}:{e}"))?;
                    map.insert("content".into(), Value::String(rewritten));
                }
            }
            for child in map.values_mut() {
                rewrite_chapters(child, src_dir)?;
            }
        }
        Value::Array(items) => {
            for child in items {
                rewrite_chapters(child, src_dir)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// An open fence: its character, length, and (for ours) info and body.
struct Fence {
    marker: char,
    len: usize,
    ours: Option<(String, usize)>, // info string and the block's first line number
    body: String,
}

/// Replaces the quorumscope blocks of one chapter's Markdown. Errors start
/// with the block's line number.
pub fn rewrite(markdown: &str, chapter_dir: &Path) -> Result<String, String> {
    let mut out = String::with_capacity(markdown.len());
    let mut open: Option<Fence> = None;
    for (index, line) in markdown.split_inclusive('\n').enumerate() {
        let fence = fence_of(line);
        if let Some(f) = open.as_mut() {
            let closes =
                fence.as_ref().is_some_and(|(m, n, info)| *m == f.marker && *n >= f.len && info.is_empty());
            if !closes {
                if f.ours.is_some() {
                    f.body.push_str(line);
                } else {
                    out.push_str(line);
                }
                continue;
            }
            if let Some((info, at)) = f.ours.take() {
                let html = block::render(&info, &f.body, chapter_dir).map_err(|e| format!("{at}: {e}"))?;
                out.push_str(&html);
                out.push('\n');
            } else {
                out.push_str(line);
            }
            open = None;
            continue;
        }
        if let Some((marker, len, info)) = fence {
            let ours = info
                .strip_prefix("quorumscope")
                .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
                .map(|rest| (rest.to_string(), index + 1));
            if ours.is_none() {
                out.push_str(line);
            }
            open = Some(Fence { marker, len, ours, body: String::new() });
            continue;
        }
        out.push_str(line);
    }
    if let Some(Fence { ours: Some((_, at)), .. }) = open {
        return Err(format!("{at}: the quorumscope block is never closed"));
    }
    Ok(out)
}

/// A fence line (up to three spaces, then three or more ` or ~): its
/// character, length and trimmed info string.
fn fence_of(line: &str) -> Option<(char, usize, String)> {
    let trimmed = line.trim_end_matches(['\n', '\r']);
    let indent = trimmed.len() - trimmed.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &trimmed[indent..];
    let marker = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    Some((marker, len, rest[len..].trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_quorumscope_fences_change() {
        let md = "# T\n\n```quorumscope controls=none\nleader-crash\n```\n\n```rust\nlet a = 1;\n```\n";
        let out = rewrite(md, Path::new(".")).unwrap();
        assert!(out.contains("<quorum-scope scenario=\"leader-crash\" controls=\"none\">"));
        assert!(out.contains("```rust\nlet a = 1;\n```\n"));
        assert!(!out.contains("```quorumscope"));
    }

    #[test]
    fn an_example_inside_a_longer_fence_stays_an_example() {
        let md = "````markdown\n```quorumscope\nfirst-election\n```\n````\n";
        assert_eq!(rewrite(md, Path::new(".")).unwrap(), md);
    }

    #[test]
    fn errors_name_the_line_and_an_unclosed_block_is_one() {
        let md = "intro\n\n```quorumscope\nno-such\n```\n";
        assert!(rewrite(md, Path::new(".")).unwrap_err().starts_with("3: "));
        assert_eq!(
            rewrite("```quorumscope\nfirst-election\n", Path::new(".")).unwrap_err(),
            "1: the quorumscope block is never closed"
        );
    }

    #[test]
    fn a_book_is_rewritten_at_every_depth() {
        let chapter = |path: &str, subs: Vec<Value>| {
            serde_json::json!({"Chapter": {"name": path, "content": "```quorumscope\nfirst-election\n```\n",
                "number": null, "sub_items": subs, "path": path, "source_path": path, "parent_names": []}})
        };
        let book = serde_json::json!({"items": [chapter("a.md", vec![chapter("deep/b.md", vec![])])]});
        let input = serde_json::json!([{"root": ".", "config": {"book": {"src": "src"}}}, book]).to_string();
        let out = preprocess(&input).unwrap();
        assert_eq!(out.matches("<quorum-scope scenario=\\\"first-election\\\">").count(), 2);
    }
}
