//! The Markdown table: `| figure | quorumscope | raft-rs | ratio | target |`.

use std::io::Write;

/// One row of the table.
pub struct Row {
    figure: String,
    ours: String,
    peer: String,
    ratio: String,
    target: String,
}

impl Row {
    /// A row comparing two figures; `ratio` is quorumscope ÷ raft-rs.
    pub fn compare(figure: impl Into<String>, ours: f64, peer: f64, target: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            ours: number(ours),
            peer: number(peer),
            ratio: format!("{:.2}×", ours / peer),
            target: target.into(),
        }
    }

    /// A row with only quorumscope's figure (a published anchor's peer cell
    /// stays empty).
    pub fn ours_only(figure: impl Into<String>, ours: f64, target: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            ours: number(ours),
            peer: String::new(),
            ratio: String::new(),
            target: target.into(),
        }
    }

    /// Prints the row.
    pub fn print(&self) {
        line(&format!(
            "| {} | {} | {} | {} | {} |",
            self.figure, self.ours, self.peer, self.ratio, self.target
        ));
    }
}

/// Prints the table header.
pub fn header() {
    line("| figure | quorumscope | raft-rs | ratio | target |");
    line("| --- | ---: | ---: | ---: | --- |");
}

/// Prints one line; a closed pipe (`| head`) ends the run quietly.
fn line(text: &str) {
    if writeln!(std::io::stdout(), "{text}").is_err() {
        std::process::exit(0);
    }
}

/// A figure with sensible precision: whole numbers from 100 up.
fn number(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A target with its verdict.
pub fn verdict(target: &str, met: bool) -> String {
    format!("{target} ({})", if met { "met" } else { "missed" })
}
