//! One ```` ```quorumscope ```` block: its attributes (the info string after
//! the word `quorumscope`) and its body (a built-in scenario's name, inline
//! JSON, or the path of a scenario file relative to the chapter), checked
//! and turned into the `<quorum-scope>` HTML that replaces it.
use std::path::Path;

/// The attributes a block may set, and the values each accepts.
const ATTRIBUTES: &[(&str, Values)] = &[
    ("controls", Values::OneOf(&["full", "minimal", "none"])),
    ("theme", Values::OneOf(&["auto", "light", "dark"])),
    ("height", Values::Length),
    ("start-step", Values::Count),
    ("autoplay", Values::Flag),
    ("loop", Values::Flag),
];

#[derive(Clone, Copy)]
enum Values {
    OneOf(&'static [&'static str]),
    Length,
    Count,
    Flag,
}

/// What a block shows: a built-in scenario by name, or a scenario's JSON.
#[derive(Debug, PartialEq)]
enum Source {
    Builtin(String),
    Json(String),
}

/// Parses the info string's attributes: `controls="minimal" autoplay height=380`.
fn attributes(info: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut out = Vec::new();
    for word in info.split_whitespace() {
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n, Some(v.trim_matches('"').trim_matches('\'').to_string())),
            None => (word, None),
        };
        let Some((_, values)) = ATTRIBUTES.iter().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = ATTRIBUTES.iter().map(|(n, _)| *n).collect();
            return Err(format!("unknown attribute \"{name}\" (known: {})", known.join(", ")));
        };
        check_value(name, *values, value.as_deref())?;
        out.push((name.to_string(), value));
    }
    Ok(out)
}

fn check_value(name: &str, values: Values, value: Option<&str>) -> Result<(), String> {
    let ok = match (values, value) {
        (Values::Flag, None) => true,
        (Values::Flag, Some(_)) => return Err(format!("{name} takes no value (write just `{name}`)")),
        (_, None) => return Err(format!("{name} needs a value ({name}=…)")),
        (Values::OneOf(allowed), Some(v)) => {
            if allowed.contains(&v) {
                true
            } else {
                return Err(format!("{name}=\"{v}\" is not one of {}", allowed.join(", ")));
            }
        }
        (Values::Length, Some(v)) => {
            let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
            let unit = &v[digits.len()..];
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && ["", "px", "vh", "em", "rem", "%"].contains(&unit)
        }
        (Values::Count, Some(v)) => v.parse::<u64>().is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{name}=\"{}\" is not valid", value.unwrap_or_default()))
    }
}

/// Reads the body: a name, inline JSON, or a file (relative to `chapter_dir`).
fn source(body: &str, chapter_dir: &Path) -> Result<Source, String> {
    let text = body.trim();
    if text.is_empty() {
        return Err("the block is empty: write a scenario name (first-election), a scenario file (my.json) \
                    or the scenario's JSON"
            .into());
    }
    if text.starts_with('{') {
        return checked_json(text, "the block's JSON");
    }
    if text.ends_with(".json") && !text.contains('\n') {
        let path = chapter_dir.join(text);
        let contents = std::fs::read_to_string(&path)
            .map_err(|e| format!("scenario file {} (relative to the chapter): {e}", path.display()))?;
        return checked_json(&contents, &path.display().to_string());
    }
    if quorumscope::scenario::builtin_names().any(|n| n == text) {
        return Ok(Source::Builtin(text.to_string()));
    }
    let names: Vec<&str> = quorumscope::scenario::builtin_names().collect();
    Err(format!("\"{text}\" is not a built-in scenario ({}), a .json file or JSON", names.join(", ")))
}

/// Parses `text` with the real scenario parser and returns it on one line.
fn checked_json(text: &str, what: &str) -> Result<Source, String> {
    quorumscope::scenario::parse(text).map_err(|e| format!("{what}: {e}"))?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{what}: {e}"))?;
    Ok(Source::Json(value.to_string()))
}

/// Escapes text for an attribute value or element content.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The HTML for one block. It has no blank line, so Markdown keeps it as
/// one raw HTML block; the JSON sits in a child script whose `</` is
/// escaped (`<\/`, the same string to JSON) so it cannot close the tag.
pub fn render(info: &str, body: &str, chapter_dir: &Path) -> Result<String, String> {
    let attrs = attributes(info)?;
    let source = source(body, chapter_dir)?;
    let mut open = String::from("<quorum-scope");
    if let Source::Builtin(name) = &source {
        open.push_str(&format!(" scenario=\"{}\"", escape(name)));
    }
    for (name, value) in &attrs {
        match value {
            Some(v) => open.push_str(&format!(" {name}=\"{}\"", escape(v))),
            None => open.push_str(&format!(" {name}")),
        }
    }
    open.push('>');
    let mut html = open;
    html.push('\n');
    if let Source::Json(json) = &source {
        html.push_str(&format!(
            "<script type=\"application/json\">{}</script>\n",
            json.replace("</", "<\\/")
        ));
    }
    html.push_str(
        "<p class=\"quorumscope-fallback\">An interactive quorumscope simulation goes here: \
         it needs JavaScript, and the book served over HTTP or built with the single-file element.</p>\n",
    );
    html.push_str("</quorum-scope>");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> &'static Path {
        Path::new(".")
    }

    #[test]
    fn a_name_with_attributes_becomes_attributes() {
        let html = render(" controls=\"minimal\" autoplay height=380", "first-election\n", here()).unwrap();
        assert!(html.starts_with(
            "<quorum-scope scenario=\"first-election\" controls=\"minimal\" autoplay height=\"380\">\n"
        ));
        assert!(html.ends_with("</quorum-scope>"));
        assert!(!html.contains("\n\n"), "a blank line would end the raw HTML block");
    }

    #[test]
    fn inline_json_is_checked_and_cannot_close_its_script() {
        let json = quorumscope::scenario::entries().next().unwrap().1;
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        value["title"] = "a </script><b>trap".into();
        let html = render("", &value.to_string(), here()).unwrap();
        assert_eq!(html.matches("</script>").count(), 1);
        assert!(html.contains("a <\\/script><b>trap"));
        assert!(!html.contains(" scenario="));
    }

    #[test]
    fn bad_input_names_the_problem() {
        let err = |info: &str, body: &str| render(info, body, here()).unwrap_err();
        assert!(err("", "no-such-scenario").contains("not a built-in scenario"));
        assert!(err("colour=red", "first-election").contains("unknown attribute \"colour\""));
        assert!(err("controls=tiny", "first-election").contains("controls=\"tiny\" is not one of"));
        assert!(err("height=tall", "first-election").contains("height=\"tall\" is not valid"));
        assert!(err("autoplay=yes", "first-election").contains("autoplay takes no value"));
        assert!(err("", "missing.json").contains("missing.json"));
        assert!(err("", "{\"nodes\": \"five\"}").starts_with("the block's JSON: "));
        assert!(err("", "  ").contains("the block is empty"));
    }
}
