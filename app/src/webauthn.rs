//! The browser's passkey calls: `navigator.credentials.create` and `.get` with the server's
//! options (WebAuthn's JSON form, read by `PublicKeyCredential.parse*OptionsFromJSON`), answered
//! with the credential's `toJSON()`. On the server, and in browsers without WebAuthn, there are
//! no passkeys. The browser's futures live on its one thread; `SendWrapper` lets the app's
//! actions (which may move between threads on the server) hold them.
#[cfg(feature = "hydrate")]
use send_wrapper::SendWrapper;

use crate::error::AppError;

/// Whether this browser can use passkeys (it has WebAuthn with its JSON helpers).
pub fn supported() -> bool {
    #[cfg(feature = "hydrate")]
    {
        js::public_key_credential().is_some_and(|pkc| js::method(&pkc, "parseRequestOptionsFromJSON").is_some())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Makes a passkey with creation options `{"publicKey": {...}}`; the answer as JSON text.
pub async fn create(options: &serde_json::Value) -> Result<String, AppError> {
    #[cfg(feature = "hydrate")]
    {
        SendWrapper::new(js::ceremony("create", "parseCreationOptionsFromJSON", options, false)).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(unsupported())
    }
}

/// Asks for a passkey with request options `{"publicKey": {...}}`; the answer as JSON text.
/// With `autofill`, the browser offers passkeys among the suggestions of the field marked
/// `autocomplete="username webauthn"` instead of opening its sheet; the request then waits until
/// one is picked or `abort_autofill` is called.
pub async fn get(options: &serde_json::Value, autofill: bool) -> Result<String, AppError> {
    #[cfg(feature = "hydrate")]
    {
        SendWrapper::new(js::ceremony("get", "parseRequestOptionsFromJSON", options, autofill)).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (options, autofill);
        Err(unsupported())
    }
}

/// Whether the browser can suggest passkeys in a name field's autofill.
pub async fn autofill_supported() -> bool {
    #[cfg(feature = "hydrate")]
    {
        SendWrapper::new(js::conditional_mediation_available()).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Ends a waiting autofill request, so a button can ask for a passkey itself.
pub fn abort_autofill() {
    #[cfg(feature = "hydrate")]
    js::abort_autofill();
}

fn unsupported() -> AppError {
    AppError::invalid_with_code("passkey_unsupported", "credential", "This browser can’t use passkeys")
}

/// Why the browser gave no answer, for the person: most often they closed the sheet.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn failure(name: &str) -> AppError {
    let (code, reason) = match name {
        "NotAllowedError" => ("passkey_cancelled", "No passkey was used — the request was cancelled or timed out"),
        "InvalidStateError" => ("passkey_exists", "This device already has a passkey for your account"),
        "AbortError" => ("passkey_cancelled", "The passkey request was stopped"),
        "SecurityError" => ("passkey_unsupported", "Passkeys don’t work at this address"),
        _ => ("passkey_failed", "Your device couldn’t use a passkey — try again"),
    };
    AppError::invalid_with_code(code, "credential", reason)
}

#[cfg(feature = "hydrate")]
mod js {
    use std::cell::RefCell;

    use js_sys::{Function, JSON, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{failure, unsupported};
    use crate::error::AppError;

    thread_local! {
        /// The autofill request waiting on the login page, if any.
        static AUTOFILL: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
    }

    pub fn public_key_credential() -> Option<JsValue> {
        let window = web_sys::window()?;
        Reflect::get(&window, &"PublicKeyCredential".into()).ok().filter(|v| !v.is_undefined())
    }

    pub fn method(target: &JsValue, name: &str) -> Option<Function> {
        Reflect::get(target, &name.into()).ok()?.dyn_into::<Function>().ok()
    }

    fn dom_failure(e: JsValue) -> AppError {
        let name = e.dyn_ref::<web_sys::DomException>().map(|d| d.name()).unwrap_or_default();
        failure(&name)
    }

    /// `navigator.credentials[verb]({publicKey: PublicKeyCredential[parse](options.publicKey)})`.
    pub async fn ceremony(
        verb: &str,
        parse: &str,
        options: &serde_json::Value,
        autofill: bool,
    ) -> Result<String, AppError> {
        let pkc = public_key_credential().ok_or_else(unsupported)?;
        let parse = method(&pkc, parse).ok_or_else(unsupported)?;
        let json = serde_json::to_string(&options["publicKey"]).map_err(|_| AppError::Internal)?;
        let json = JSON::parse(&json).map_err(|_| AppError::Internal)?;
        let public_key = parse.call1(&pkc, &json).map_err(dom_failure)?;
        let request = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&request, &key.into(), value).map_err(|_| AppError::Internal);
        set("publicKey", &public_key)?;
        if autofill {
            set("mediation", &"conditional".into())?;
            set("signal", &autofill_signal().ok_or_else(unsupported)?.into())?;
        }
        let credentials = web_sys::window().ok_or_else(unsupported)?.navigator().credentials();
        let promise = match verb {
            "create" => credentials.create_with_options(request.unchecked_ref()),
            _ => credentials.get_with_options(request.unchecked_ref()),
        }
        .map_err(dom_failure)?;
        let credential = JsFuture::from(promise).await.map_err(dom_failure)?;
        let to_json = method(&credential, "toJSON").ok_or_else(unsupported)?;
        let answer = to_json.call0(&credential).map_err(|_| AppError::Internal)?;
        JSON::stringify(&answer).map(String::from).map_err(|_| AppError::Internal)
    }

    fn autofill_signal() -> Option<web_sys::AbortSignal> {
        abort_autofill();
        let controller = web_sys::AbortController::new().ok()?;
        let signal = controller.signal();
        AUTOFILL.with(|slot| *slot.borrow_mut() = Some(controller));
        Some(signal)
    }

    pub fn abort_autofill() {
        if let Some(controller) = AUTOFILL.with(|slot| slot.borrow_mut().take()) {
            controller.abort();
        }
    }

    pub async fn conditional_mediation_available() -> bool {
        let Some(pkc) = public_key_credential() else { return false };
        let Some(check) = method(&pkc, "isConditionalMediationAvailable") else { return false };
        let Ok(promise) = check.call0(&pkc).and_then(|p| p.dyn_into::<Promise>()) else { return false };
        JsFuture::from(promise).await.is_ok_and(|v| v.as_bool() == Some(true))
    }
}
