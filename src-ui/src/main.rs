//! Entry point of the wasm UI.

fn main() {
    yew::Renderer::<fluxdesk_ui::App>::new().render();
}
