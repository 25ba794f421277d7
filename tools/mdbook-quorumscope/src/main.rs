//! `mdbook-quorumscope`: an mdBook preprocessor that turns
//! ```` ```quorumscope ```` blocks into live `<quorum-scope>` embeds, and
//! `mdbook-quorumscope install` that sets a book up for it.
//!
//! - `mdbook-quorumscope` (no arguments): the preprocessor; mdBook sends
//!   `[context, book]` as JSON on stdin and reads the book back on stdout.
//! - `mdbook-quorumscope supports RENDERER`: exit 0 for `html` only.
//! - `mdbook-quorumscope install [BOOK_DIR] [--element FILE]`: copies the
//!   single-file element (`make dist-single`; carried in the binary when it
//!   was built first) and the theme stylesheet into the book and adds the
//!   `book.toml` entries.
mod block;
mod book;
mod install;

use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "usage: mdbook-quorumscope [supports RENDERER | install [BOOK_DIR] [--element FILE]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => preprocess(),
        Some("supports") => {
            return if args.get(1).map(String::as_str) == Some("html") {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        Some("install") => install::run(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command \"{other}\"\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mdbook-quorumscope: {message}");
            ExitCode::FAILURE
        }
    }
}

fn preprocess() -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| format!("reading mdBook's input: {e}"))?;
    let output = book::preprocess(&input)?;
    println!("{output}");
    Ok(())
}
