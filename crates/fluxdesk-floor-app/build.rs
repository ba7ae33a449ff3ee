//! Embeds the empty page, as Fluxdesk's build embeds its UI.

fn main() {
    tauri_build::build();
}
