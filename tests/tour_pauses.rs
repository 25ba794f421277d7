//! Tours written in the page: a pause names the step it stops at and what
//! to highlight there; captions are bounded; every mistake names its field
//! path. A written tour survives the trip through the core (the page reads
//! the scenario back from it), so a shared link plays the same moments.

use quorumscope::json;
use quorumscope::scenario::{parse, Highlight, MAX_CAPTION_CHARS};

/// A three-node scenario with the given `pauses` (JSON text).
fn with_pauses(pauses: &str) -> String {
    format!(
        r#"{{"title": "t", "cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}]}}, "pauses": {pauses}}}"#
    )
}

fn error(pauses: &str) -> String {
    parse(&with_pauses(pauses)).expect_err("the file must be refused")
}

#[test]
fn a_written_tour_round_trips_through_the_core() {
    let text = with_pauses(
        r#"[
          {"step": 12, "caption": "Node 2 times out first.", "highlight": "node 2"},
          {"step": 30, "caption": "This vote request <b>is</b> the one.", "highlight": "message 7"},
          {"step": 55, "caption": "Committed here.", "highlight": "log 1:1"},
          {"step": 60, "caption": "And the banner.", "highlight": "banner"}
        ]"#,
    );
    let scenario = parse(&text).unwrap();
    let kinds: Vec<_> =
        scenario.pauses.iter().map(|p| (p.step, p.highlight.as_deref().and_then(Highlight::read))).collect();
    assert_eq!(
        kinds,
        vec![
            (Some(12), Some(Highlight::Node(2))),
            (Some(30), Some(Highlight::Message(7))),
            (Some(55), Some(Highlight::Log(1, 1))),
            (Some(60), Some(Highlight::Banner)),
        ]
    );
    assert_eq!(
        scenario.pauses[1].caption, "This vote request <b>is</b> the one.",
        "captions are kept as written"
    );
    // What the page reads back (Cluster::scenario) parses to the same scenario.
    let written = json::to_string(&scenario).unwrap();
    assert!(written.contains(r#""highlight":"log 1:1""#), "{written}");
    assert_eq!(parse(&written).unwrap(), scenario);
}

#[test]
fn a_caption_at_the_limit_is_read_and_one_past_it_names_its_path() {
    let at = "é".repeat(MAX_CAPTION_CHARS);
    assert!(
        parse(&with_pauses(&format!(r#"[{{"step": 1, "caption": "{at}"}}]"#))).is_ok(),
        "counted in characters, not bytes"
    );
    let over = "a".repeat(MAX_CAPTION_CHARS + 1);
    let e = error(&format!(r#"[{{"step": 1, "caption": "ok"}}, {{"step": 2, "caption": "{over}"}}]"#));
    assert_eq!(
        e,
        format!("pauses[1].caption: {} characters; the limit is {MAX_CAPTION_CHARS}", MAX_CAPTION_CHARS + 1)
    );
}

#[test]
fn bad_highlights_and_steps_name_their_field() {
    let cases = [
        (r#"[{"caption": "x", "highlight": "node 9"}]"#, "pauses[0].highlight: node 9 is not a member"),
        (r#"[{"caption": "x", "highlight": "log 9:1"}]"#, "pauses[0].highlight: node 9 is not a member"),
        (
            r#"[{"caption": "x", "highlight": "log 1:0"}]"#,
            "pauses[0].highlight: \"log 1:0\" is not node N, message N, log N:I or banner",
        ),
        (r#"[{"caption": "x", "highlight": "log 1"}]"#, "pauses[0].highlight: \"log 1\" is not"),
        (r#"[{"caption": "x", "highlight": "message"}]"#, "pauses[0].highlight: \"message\" is not"),
        (r#"[{"caption": "x", "highlight": "banner 2"}]"#, "pauses[0].highlight: \"banner 2\" is not"),
        (
            r#"[{"caption": "x", "highlight": "message 99999999999999999999"}]"#,
            "pauses[0].highlight: \"message 99999999999999999999\" is not",
        ),
        (r#"[{"caption": "x", "highlight": "node +2"}]"#, "pauses[0].highlight: \"node +2\" is not"),
        (r#"[{"caption": "x", "highlight": "cloud"}]"#, "pauses[0].highlight: \"cloud\" is not"),
        (r#"[{"caption": "x", "highlight": {"kind": "node"}}]"#, "pauses[0].highlight: expected a string"),
        (r#"[{"caption": "x", "step": -3}]"#, "pauses[0].step: expected a non-negative integer"),
    ];
    for (pauses, want) in cases {
        let e = error(pauses);
        assert!(e.starts_with(want), "{pauses}: got {e:?}, want it to start with {want:?}");
    }
}
