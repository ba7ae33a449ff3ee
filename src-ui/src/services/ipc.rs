//! Calling Tauri commands and decoding their `{code, message}` errors.

use fluxdesk_types::{ApiError, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Provided by Tauri because tauri.conf.json sets app.withGlobalTauri.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
}

/// Calls `handler` with the payload of every `event` Tauri emits, for the
/// life of the window.
pub fn listen(event: &'static str, mut handler: impl FnMut(serde_json::Value) + 'static) {
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        let payload = js_sys::Reflect::get(&message, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        if let Ok(payload) = serde_wasm_bindgen::from_value::<serde_json::Value>(payload) {
            handler(payload);
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        // Listening lasts as long as the window: the closure is never freed.
        let _ = tauri_listen(event, &closure).await;
        closure.forget();
    });
}

/// Calls `command` with `args` and decodes its reply.
pub async fn invoke<A: Serialize, R: DeserializeOwned>(command: &str, args: &A) -> Result<R, ApiError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|error| ApiError::new(ErrorCode::Internal, format!("Cannot encode the request: {error}")))?;
    match tauri_invoke(command, args).await {
        Ok(reply) => serde_wasm_bindgen::from_value(reply).map_err(|error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("The reply to {command} was not understood: {error}"),
            )
        }),
        Err(rejection) => Err(decode_rejection(command, rejection)),
    }
}

/// Commands reject with our `{code, message}`; Tauri itself rejects with a
/// string (an unknown command, a missing argument).
fn decode_rejection(command: &str, rejection: JsValue) -> ApiError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<ApiError>(rejection.clone()) {
        return error;
    }
    let text = rejection
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(&rejection)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_owned());
    ApiError::new(ErrorCode::Internal, format!("{command} failed: {text}"))
}
