//! Long work that ends while the user is in another window gets a desktop
//! notification; in the foreground the window's own message is enough.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// Tells the user that work ended, unless they are looking at the window.
pub fn tell<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let looking = app
        .get_webview_window("main")
        .and_then(|window| window.is_focused().ok())
        .unwrap_or(false);
    if looking {
        return;
    }
    // No notification service (a bare session, a locked-down desktop) only loses the notice.
    match app.notification().builder().title(title).body(body).show() {
        Ok(()) => tracing::info!(title, "notified the user"),
        Err(error) => tracing::info!(%error, title, "no desktop notification"),
    }
}

/// "12,345 rows" and the like.
pub fn count(number: u64, what: &str) -> String {
    let digits = number.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped} {what}")
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(7, "rows"), "7 rows");
        assert_eq!(count(1_000, "rows"), "1,000 rows");
        assert_eq!(count(1_234_567, "events"), "1,234,567 events");
    }
}
