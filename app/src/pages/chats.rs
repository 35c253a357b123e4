//! The chat list and the conversation pane: side by side on a desktop, one at a time on a phone.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Outlet, hooks::{use_location, use_params_map}};

use crate::components::{
    brand::Logo,
    icons::{IconBack, IconChat, IconPlus, IconSearch, IconSettings},
};

#[component]
pub fn ChatsLayout() -> impl IntoView {
    let location = use_location();
    // On a phone the list is the page at /chats and the conversation is the page at /chats/:id.
    let in_conversation = move || location.pathname.get().trim_end_matches('/') != "/chats";
    view! {
        <div class="flex h-dvh overflow-hidden">
            <aside class=move || format!(
                    "w-full flex-col border-slate-200 md:flex md:border-r md:w-80 lg:w-96 dark:border-slate-800 {}",
                    if in_conversation() { "hidden" } else { "flex" })
                aria-label="Chats">
                <ChatListPane/>
            </aside>
            <section class=move || format!("min-w-0 flex-1 flex-col md:flex {}",
                    if in_conversation() { "flex" } else { "hidden" })>
                <Outlet/>
            </section>
        </div>
    }
}

#[component]
fn ChatListPane() -> impl IntoView {
    view! {
        <header class="flex items-center gap-3 px-4 pt-4 pb-3">
            <Logo class="h-8 w-8"/>
            <h1 class="flex-1 text-xl font-semibold tracking-tight">"Chats"</h1>
            <a href="/settings" class="rounded-full p-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
               aria-label="Settings">
                <IconSettings/>
            </a>
        </header>
        <div class="px-4 pb-3">
            <label class="flex items-center gap-2 rounded-xl bg-slate-100 px-3 py-2 text-slate-500 dark:bg-slate-900 dark:text-slate-400">
                <IconSearch class="h-4 w-4"/>
                <span class="sr-only">"Search"</span>
                <input type="search" placeholder="Search people and messages"
                    class="w-full bg-transparent text-sm text-slate-900 outline-none placeholder:text-slate-400 dark:text-slate-100"/>
            </label>
        </div>
        <div class="flex flex-1 flex-col items-center justify-center gap-3 px-8 pb-16 text-center">
            <span class="rounded-full bg-indigo-50 p-4 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
                <IconChat class="h-7 w-7"/>
            </span>
            <h2 class="font-semibold">"No conversations yet"</h2>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "Find someone by username, user ID or phone number and say hello."
            </p>
        </div>
        <div class="border-t border-slate-200 p-4 dark:border-slate-800">
            <button type="button" class="flex w-full items-center justify-center gap-2 rounded-xl bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-indigo-500">
                <IconPlus class="h-4 w-4"/> "New chat"
            </button>
        </div>
    }
}

/// The conversation pane on a desktop before a chat is picked.
#[component]
pub fn NoChatSelected() -> impl IntoView {
    view! {
        <Title text="Chats"/>
        <div class="flex flex-1 flex-col items-center justify-center gap-2 bg-slate-50 text-center dark:bg-slate-900/40">
            <Logo class="h-12 w-12 opacity-80"/>
            <p class="text-sm text-slate-500 dark:text-slate-400">"Pick a chat to start messaging."</p>
        </div>
    }
}

#[component]
pub fn Conversation() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <Title text="Conversation"/>
        <header class="flex items-center gap-2 border-b border-slate-200 px-2 py-2.5 dark:border-slate-800">
            <a href="/chats" class="rounded-full p-2 text-slate-600 hover:bg-slate-100 md:hidden dark:text-slate-300 dark:hover:bg-slate-800"
               aria-label="Back to chats">
                <IconBack/>
            </a>
            <h1 class="px-2 font-semibold">"Conversation"</h1>
        </header>
        <div class="flex flex-1 flex-col items-center justify-center gap-2 px-8 text-center">
            <h2 class="font-semibold">"This conversation isn’t available"</h2>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "Nothing here for “" {id} "”. It may have been deleted, or you may not be a member."
            </p>
        </div>
    }
}
