//! Arrow keys in lists: Up and Down (Home and End) move the focus between a
//! list's items, as in a native list box; Tab still leaves the list.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::Callback;

/// Where a key takes the focus among `count` items, from `current`.
pub fn next_item(key: &str, current: Option<usize>, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    Some(match (key, current) {
        ("ArrowDown", Some(at)) => (at + 1).min(count - 1),
        ("ArrowUp", Some(at)) => at.saturating_sub(1),
        ("ArrowDown", None) | ("Home", _) => 0,
        ("ArrowUp", None) | ("End", _) => count - 1,
        _ => return None,
    })
}

/// A keydown handler for a list whose items match the CSS selector `items`.
pub fn list_arrows(items: &'static str) -> Callback<KeyboardEvent> {
    Callback::from(move |event: KeyboardEvent| {
        // Keys typed into a field (the tree's filter) move its caret, not the focus.
        if event
            .target()
            .and_then(|target| target.dyn_into::<Element>().ok())
            .is_some_and(|target| matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        {
            return;
        }
        let Some(list) = event
            .current_target()
            .and_then(|target| target.dyn_into::<Element>().ok())
        else {
            return;
        };
        let Ok(found) = list.query_selector_all(items) else {
            return;
        };
        let elements: Vec<HtmlElement> = (0..found.length())
            .filter_map(|index| found.item(index))
            .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
            .collect();
        let focused = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.active_element());
        let current = focused.and_then(|focused| {
            elements
                .iter()
                .position(|element| element.unchecked_ref::<Element>() == &focused)
        });
        if let Some(next) = next_item(&event.key(), current, elements.len()) {
            event.prevent_default();
            let _ = elements[next].focus();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::next_item;

    #[test]
    fn arrows_move_within_the_list_and_stop_at_its_ends() {
        assert_eq!(next_item("ArrowDown", Some(0), 3), Some(1));
        assert_eq!(next_item("ArrowDown", Some(2), 3), Some(2));
        assert_eq!(next_item("ArrowUp", Some(0), 3), Some(0));
        assert_eq!(next_item("ArrowDown", None, 3), Some(0));
        assert_eq!(next_item("End", Some(0), 3), Some(2));
        assert_eq!(next_item("Home", Some(2), 3), Some(0));
        assert_eq!(next_item("Enter", Some(1), 3), None);
        assert_eq!(next_item("ArrowDown", None, 0), None);
    }
}
