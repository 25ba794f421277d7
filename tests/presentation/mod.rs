//! What every library scenario owes its reader, checked the same way for
//! the fundamentals and the switches-off library: a title, an explanation
//! of two to four sentences, a bounded length, and two to four captioned
//! pauses that each land on an event, in order, as the page's guided tour
//! plays them.

use quorumscope::core::NodeId;
use quorumscope::scenario::Scenario;
use quorumscope::sim::TraceEvent;

/// Panics, naming `name`, where `scenario` (whose run produced `events`)
/// falls short; `max_run_until` bounds its length in ticks.
pub fn assert_presentable(name: &str, scenario: &Scenario, events: &[TraceEvent], max_run_until: u64) {
    assert!(!scenario.title.is_empty(), "{name}: no title");
    let sentences = sentence_count(&scenario.explain);
    assert!((2..=4).contains(&sentences), "{name}: explain has {sentences} sentences");
    assert!(scenario.run_until <= max_run_until, "{name}: run_until {}", scenario.run_until);
    assert!((2..=4).contains(&scenario.pauses.len()), "{name}: {} pauses", scenario.pauses.len());
    assert_tour_lands(name, scenario, events);
}

/// Each of `scenario`'s pauses has a caption and lands on an event of its
/// run, in order, as the page's guided tour plays them; returns the event
/// each one lands on.
pub fn assert_tour_lands<'a>(
    name: &str,
    scenario: &Scenario,
    events: &'a [TraceEvent],
) -> Vec<&'a TraceEvent> {
    let mut landed = Vec::new();
    // A pause is looked for only after the previous one was hit.
    let mut from = 0;
    for (i, pause) in scenario.pauses.iter().enumerate() {
        assert!(!pause.caption.is_empty(), "{name}: pauses[{i}] has no caption");
        let hit = events[from..].iter().position(|e| {
            let kind_ok = pause.on.as_deref().is_none_or(|on| e.body.kind() == on);
            e.tick >= pause.at.unwrap_or(0) && kind_ok && pause.node.is_none_or(|id| about(e, id))
        });
        let hit = hit
            .unwrap_or_else(|| panic!("{name}: pauses[{i}] ({pause:?}) matches no event after the previous"));
        assert_names_shown_phase(name, i, &pause.caption, &events[from + hit..]);
        landed.push(&events[from + hit]);
        from += hit + 1;
    }
    landed
}

/// A moment on a handover phase pauses after its step, when the banner
/// shows the last phase that step entered (a coordinated failover freezes
/// and starts catching up in one step): its caption must name that phase,
/// not an earlier one the reader no longer sees.
fn assert_names_shown_phase(name: &str, i: usize, caption: &str, from_hit: &[TraceEvent]) {
    let phase_of = |e: &TraceEvent| {
        let json = serde_json::to_value(e).expect("events serialize");
        (json["kind"] == "handover_phase").then(|| json["phase"].as_str().unwrap_or_default().to_owned())
    };
    let Some(first) = from_hit.first() else { return };
    if phase_of(first).is_none() {
        return;
    }
    let shown = from_hit.iter().take_while(|e| e.step == first.step).filter_map(phase_of).last();
    let shown = shown.expect("the hit itself is a phase").replace('_', " ");
    let words = caption.to_lowercase().replace('-', " ");
    assert!(
        words.contains(&shown),
        "{name}: pauses[{i}] says {caption:?} while the banner shows phase {shown:?}"
    );
}

/// Whether `e` is "about" node `id`, as the page's guided tour decides.
fn about(e: &TraceEvent, id: NodeId) -> bool {
    let json = serde_json::to_value(e).expect("events serialize");
    ["from", "to", "voter", "candidate", "node", "by", "nodes"].iter().any(|f| match &json[f] {
        serde_json::Value::Array(ids) => ids.iter().any(|v| *v == id),
        v => *v == id,
    })
}

/// Sentences in a text: terminators followed by a space or the end.
fn sentence_count(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    (0..chars.len())
        .filter(|&i| {
            matches!(chars[i], '.' | '!' | '?') && chars.get(i + 1).is_none_or(|c| c.is_whitespace())
        })
        .count()
}
