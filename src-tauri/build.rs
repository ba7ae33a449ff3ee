//! Reads `tauri.conf.json` (a link to the one at the repository root) and the
//! capabilities. `generate_context!` embeds `../dist`, so an empty placeholder
//! is created when the UI has not been built yet; `cargo check` and clippy
//! then work without a wasm build.

fn main() {
    let dist = std::path::Path::new("../dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create ../dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Fluxdesk</title><p>The UI was not built. Run scripts/build-ui.sh.</p>",
        )
        .expect("write placeholder index.html");
    }
    tauri_build::build();
}
