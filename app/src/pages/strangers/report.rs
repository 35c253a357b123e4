//! Reporting the stranger (in the conversation or just after it ended): a reason, an optional
//! note, and what happens next.
use leptos::prelude::*;

use super::{PRIMARY, state::StrangerState};
use crate::{
    components::sheet::Sheet,
    strangers::{
        api::stranger_report,
        types::{MAX_REPORT_NOTE, ReportReason},
        validate,
    },
};

#[component]
pub fn ReportSheet(chat_id: String) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let reason = RwSignal::new(None::<ReportReason>);
    let note = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let chat_id = StoredValue::new(chat_id);
    let close = Callback::new(move |_| state.report_open.set(false));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(why) = reason.get_untracked() else {
            problem.set(Some("Pick a reason".into()));
            return;
        };
        match validate::report_note(&note.get_untracked()) {
            Err(e) => problem.set(Some(e.to_string())),
            Ok(text) => {
                problem.set(None);
                state.act(stranger_report(chat_id.get_value(), why, text), move || { let _ = state.report_open.try_set(false); });
            }
        }
    };
    view! {
        <Sheet title="Report stranger" on_close=close>
            <form class="space-y-4" on:submit=submit aria-label="Report stranger">
                <p class="text-sm text-slate-600 dark:text-slate-400">
                    "This chat will be kept for our moderators to review, the chat ends, and you won’t be matched with this person again."
                </p>
                <fieldset>
                    <legend class="mb-2 text-sm font-medium text-slate-700 dark:text-slate-300">"What’s wrong?"</legend>
                    <div class="space-y-1.5">
                        {ReportReason::ALL.into_iter().map(|r| view! {
                            <label class="flex cursor-pointer items-center gap-3 rounded-xl border border-slate-200 px-3.5 py-2.5 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50 dark:border-slate-800 dark:has-[:checked]:bg-indigo-950/40">
                                <input type="radio" name="reason" value=r.as_str() class="h-4 w-4 accent-indigo-600"
                                    prop:checked=move || reason.get() == Some(r)
                                    on:change=move |_| { reason.set(Some(r)); problem.set(None); }/>
                                <span>{r.label()}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <div>
                    <label for="report-note" class="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">"Anything to add? (optional)"</label>
                    <textarea id="report-note" rows="3" maxlength=MAX_REPORT_NOTE.to_string()
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))
                        class="block w-full resize-none rounded-xl border border-slate-300 bg-white px-3.5 py-2.5 text-base shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950"></textarea>
                </div>
                {move || problem.get().or_else(|| state.error.get()).map(|e| view! {
                    <p class="rounded-xl bg-rose-50 px-3.5 py-2.5 text-sm text-rose-700 dark:bg-rose-950/50 dark:text-rose-300" role="alert">{e}</p>
                })}
                <button type="submit" class=format!("w-full {PRIMARY}") disabled=move || state.busy.get()>"Submit report"</button>
            </form>
        </Sheet>
    }
    .into_any()
}
