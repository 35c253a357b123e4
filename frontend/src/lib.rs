#![recursion_limit = "256"]
//! The browser entry point: hydrates the server-rendered page into the live app.
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: some routes are separate wasm chunks, fetched before their part of the page hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
