// Carries the single-file element (dist/quorumscope.single.js, built by
// `make dist-single`) inside the binary when it has been built, so that
// `mdbook-quorumscope install` needs no --element, as mdbook-mermaid carries
// mermaid.js. Without it the binary still builds, and install asks for
// --element.
use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_element)");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let single = Path::new(&manifest).join("../../dist/quorumscope.single.js");
    println!("cargo::rerun-if-changed={}", single.display());
    if single.exists() {
        let out =
            Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("quorumscope.single.js");
        std::fs::copy(&single, &out).expect("copying dist/quorumscope.single.js");
        println!("cargo::rustc-cfg=embedded_element");
    }
}
