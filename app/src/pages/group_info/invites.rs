//! Invite links: making one, copying it, and revoking it.
use leptos::{prelude::*, task::spawn_local};

use super::{CARD, TEXT_BUTTON, section_title};
use crate::{
    browser,
    chats::{
        api::{create_invite, list_invites, revoke_invite},
        types::InviteLinkView,
    },
    components::{
        icons::IconLink,
        time::{Time, TimeStyle, client_ready},
    },
    error::AppError,
};

#[component]
pub fn InviteLinks(chat_id: String) -> impl IntoView {
    let chat = StoredValue::new(chat_id);
    let version = RwSignal::new(0u32);
    let links = Resource::new(move || version.get(), move |_| list_invites(chat.get_value()));
    let expiry = RwSignal::new(String::new());
    let uses = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let create = Action::new(move |(e, u): &(Option<u32>, Option<u32>)| create_invite(chat.get_value(), *e, *u));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(link)) => {
            browser::copy_to_clipboard(&full_link(&link));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let select = "rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
    view! {
        {section_title("Invite links")}
        <div class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800")>
            <form class="flex flex-wrap items-center gap-2 px-4 py-3" aria-label="Create an invite link"
                on:submit=move |ev| {
                    ev.prevent_default();
                    error.set(None);
                    create.dispatch((expiry.get_untracked().parse().ok(), uses.get_untracked().parse().ok()));
                }>
                <label class="sr-only" for="invite-expiry">"Expires"</label>
                <select id="invite-expiry" class=select on:change=move |ev| expiry.set(event_target_value(&ev))>
                    <option value="">"Never expires"</option>
                    <option value="1">"Expires in 1 hour"</option>
                    <option value="24">"Expires in 1 day"</option>
                    <option value="168">"Expires in 7 days"</option>
                </select>
                <label class="sr-only" for="invite-uses">"Uses"</label>
                <select id="invite-uses" class=select on:change=move |ev| uses.set(event_target_value(&ev))>
                    <option value="">"Unlimited uses"</option>
                    <option value="1">"1 use"</option>
                    <option value="10">"10 uses"</option>
                    <option value="100">"100 uses"</option>
                </select>
                <button type="submit" disabled=move || create.pending().get()
                    class="ml-auto inline-flex items-center gap-1.5 rounded-xl bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                    <IconLink class="h-4 w-4"/>"Create link"
                </button>
            </form>
            <p class="px-4 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
            <Transition fallback=|| ()>
                {move || links.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! {
                        <p class="px-4 py-3.5 text-sm text-slate-500 dark:text-slate-400">"No invite links yet. Anyone with a link can join until it expires or is revoked."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul aria-label="Invite links">
                            {list.into_iter().map(|link| view! { <InviteRow link chat=chat.get_value() version/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="px-4 py-3.5 text-sm text-rose-600">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
    .into_any()
}

fn full_link(link: &InviteLinkView) -> String {
    format!("{}{}", browser::origin(), link.path)
}

#[component]
fn InviteRow(link: InviteLinkView, chat: String, version: RwSignal<u32>) -> impl IntoView {
    let ready = client_ready();
    let copied = RwSignal::new(false);
    let shown = {
        let link = link.clone();
        move || if ready.get() { full_link(&link) } else { link.path.clone() }
    };
    let path = StoredValue::new(link.path.clone());
    let token = StoredValue::new(link.token.clone());
    let chat = StoredValue::new(chat);
    let uses = match link.max_uses {
        Some(max) => format!("{} of {max} uses", link.uses),
        None => format!("{} uses", link.uses),
    };
    view! {
        <li class="px-4 py-3" data-testid="invite-link">
            <p class="truncate font-mono text-sm" data-testid="invite-url">{shown}</p>
            <p class="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
                {uses}
                {link.expires_at.map(|at| view! { " · expires " <Time at style=TimeStyle::Full/> })}
            </p>
            <div class="mt-1.5 flex gap-2">
                <button type="button" class=TEXT_BUTTON on:click=move |_| {
                    browser::copy_to_clipboard(&format!("{}{}", browser::origin(), path.get_value()));
                    copied.set(true);
                }>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
                <button type="button" class="rounded-lg px-3 py-1.5 text-sm font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-slate-800"
                    on:click=move |_| {
                        let (c, t) = (chat.get_value(), token.get_value());
                        spawn_local(async move {
                            if revoke_invite(c, t).await.is_ok() {
                                version.update(|v| *v += 1);
                            }
                        });
                    }>"Revoke"</button>
            </div>
        </li>
    }
    .into_any()
}
