//! Settings → Devices → "Sign out all other devices": a change a thief with a stolen session
//! must not be able to make, so the person confirms it is them first (see `components::confirm`).
use leptos::prelude::*;

use crate::{
    accounts::{api::sign_out_other_devices, types::PendingCode},
    components::{
        confirm::{CodeConfirm, Confirmed, with_confirmation},
        form::{FormError, route_result},
    },
    error::AppError,
};

#[component]
pub fn SignOutOthers(on_done: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let code_sent = RwSignal::new(None::<PendingCode>);
    let start = Action::new(|_: &()| with_confirmation(sign_out_other_devices));
    route_result(start, error, move |outcome| match outcome {
        Confirmed::Done(()) => on_done.run(()),
        Confirmed::CodeSent(sent) => code_sent.set(Some(sent)),
    });
    let finish = Action::new(|proof: &String| sign_out_other_devices(Some(proof.clone())));
    route_result(finish, error, move |()| {
        code_sent.set(None);
        on_done.run(());
    });
    view! {
        <div class="mx-4 mt-3 space-y-2">
            {move || match code_sent.get() {
                None => view! {
                    <button type="button" disabled=move || start.pending().get() on:click=move |_| { error.set(None); start.dispatch(()); }
                        class="w-full rounded-xl border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800">
                        {move || if start.pending().get() { "Confirm it’s you…" } else { "Sign out all other devices" }}
                    </button>
                }.into_any(),
                Some(sent) => view! {
                    <div class="rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
                        <CodeConfirm sent submit_label="Sign out all other devices"
                            on_proof=Callback::new(move |proof| { finish.dispatch(proof); })/>
                    </div>
                }.into_any(),
            }}
            <FormError error fields=&["-"]/>
        </div>
    }
}
