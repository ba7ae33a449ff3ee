//! The page's colour theme: `data-theme` on the root element picks the CSS
//! palette; without it the CSS follows `prefers-color-scheme`.

use fluxdesk_types::ThemeChoice;

/// Shows the page in `choice`.
pub fn apply(choice: ThemeChoice) {
    let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    else {
        return;
    };
    // Setting an attribute on the root element only fails for an invalid name.
    let _ = match choice {
        ThemeChoice::System => root.remove_attribute("data-theme"),
        chosen => root.set_attribute("data-theme", chosen.as_str()),
    };
}
