//! Prepares what `tauri-build` and `generate_context!` read:
//!
//! - `tauri.conf.json`: a copy of the one at the repository root (the single
//!   source of truth). Tauri's tools look for the config next to this crate's
//!   `Cargo.toml`; a copy works on every platform, where a symlink does not
//!   survive a default Windows checkout. Paths in it are relative to this folder.
//! - `../dist`: the built UI, embedded by `generate_context!`. An empty
//!   placeholder is written when the UI has not been built, so `cargo check`
//!   and clippy work without a wasm build.

use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    let config = fs::read("../tauri.conf.json").expect("read ../tauri.conf.json");
    if fs::read("tauri.conf.json").ok().as_deref() != Some(config.as_slice()) {
        fs::write("tauri.conf.json", &config).expect("write tauri.conf.json");
    }

    let dist = Path::new("../dist");
    if !dist.join("index.html").exists() {
        fs::create_dir_all(dist).expect("create ../dist");
        fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Fluxdesk</title><p>The UI was not built. Run scripts/build-ui.sh.</p>",
        )
        .expect("write placeholder index.html");
    }
    tauri_build::build();
}
