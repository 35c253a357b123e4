//! A modal panel: a bottom sheet on a phone, a centred dialog on a desktop. Escape, the close
//! button and a tap on the backdrop all close it.
use leptos::prelude::*;

use crate::components::icons::IconX;

#[component]
pub fn Sheet(#[prop(into)] title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    let label = title.clone();
    view! {
        <div class="fixed inset-0 z-40 flex items-end justify-center bg-slate-950/40 md:items-center md:p-6"
            on:click=move |_| on_close.run(())
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <div role="dialog" aria-modal="true" aria-label=label
                class="max-h-[90dvh] w-full overflow-y-auto rounded-t-3xl bg-white pb-[max(1rem,env(safe-area-inset-bottom))] shadow-xl md:max-w-md md:rounded-3xl dark:bg-slate-900"
                on:click=|ev| ev.stop_propagation()>
                <div class="sticky top-0 z-10 flex items-center justify-between gap-2 bg-white px-5 pt-4 pb-2 dark:bg-slate-900">
                    <h2 class="text-lg font-semibold">{title}</h2>
                    <button type="button" on:click=move |_| on_close.run(()) aria-label="Close"
                        class="rounded-full p-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">
                        <IconX/>
                    </button>
                </div>
                <div class="px-5 pb-2">{children()}</div>
            </div>
        </div>
    }
    .into_any()
}
