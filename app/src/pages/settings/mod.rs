//! Settings: your account, your profile and privacy, your passkeys, calls, and the devices
//! signed in to it.
mod calls;
mod passkeys;
mod sign_out_others;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    accounts::{
        api::{RevokeDevice, current_user, list_devices, logout},
        types::DeviceView,
    },
    browser,
    components::{
        add_contact::{AddEmail, AddPhone},
        form::{Field, FormError, SubmitButton},
        icons::{IconBack, IconCopy},
        time::{Time, TimeStyle},
    },
    chats::{
        api::{get_my_settings, save_settings},
        types::{LastSeenVisibility, MySettings, WhoCanMessage},
    },
    error::AppError,
    realtime::client::use_realtime,
};

#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <Title text="Settings"/>
        <main class="mx-auto flex min-h-dvh max-w-lg flex-col pb-10">
            <header class="flex items-center gap-2 px-2 py-2.5">
                <a href="/chats" class="rounded-full p-2 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Back to chats"><IconBack/></a>
                <h1 class="text-lg font-semibold">"Settings"</h1>
            </header>
            <Account/>
            <ProfileAndPrivacy/>
            <passkeys::Passkeys/>
            <calls::CallSettings/>
            <Devices/>
            <LogOut/>
        </main>
    }
    .into_any()
}

fn section_title(text: &'static str) -> impl IntoView {
    view! { <h2 class="mx-4 mt-6 mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{text}</h2> }
}

const CARD: &str = "mx-4 divide-y divide-slate-200 overflow-hidden rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Adding {
    Email,
    Phone,
}

const ADD_BUTTON: &str = "shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-800";

#[component]
fn Account() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let user = Resource::new(move || version.get(), |_| current_user());
    let copied = RwSignal::new(false);
    let adding = RwSignal::new(None::<Adding>);
    let on_done = Callback::new(move |_| {
        adding.set(None);
        version.update(|v| *v += 1);
    });
    view! {
        {section_title("Account")}
        <Suspense fallback=|| view! { <div class=CARD><p class="px-4 py-3.5 text-sm text-slate-500">"Loading…"</p></div> }>
            {move || user.get().map(|result| match result {
                Ok(Some(u)) => {
                    let id = u.user_id.clone();
                    view! {
                        <dl class=CARD>
                            <div class="flex items-center justify-between gap-3 px-4 py-3.5">
                                <div>
                                    <dt class="text-xs text-slate-500 dark:text-slate-400">"User ID"</dt>
                                    <dd class="font-mono text-lg font-semibold tracking-wider" data-testid="settings-user-id">{u.user_id.clone()}</dd>
                                </div>
                                <button type="button" on:click=move |_| { browser::copy_to_clipboard(&id); copied.set(true); }
                                    class="inline-flex items-center gap-1.5 rounded-lg px-3 py-1.5 text-sm font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-800">
                                    <IconCopy class="h-4 w-4"/> {move || if copied.get() { "Copied" } else { "Copy" }}
                                </button>
                            </div>
                            <div class="px-4 py-3.5">
                                <dt class="text-xs text-slate-500 dark:text-slate-400">"Username"</dt>
                                <dd>{u.username.clone()}</dd>
                            </div>
                            <div class="flex items-center justify-between gap-3 px-4 py-3.5">
                                <div class="min-w-0">
                                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Phone"</dt>
                                    <dd class="truncate" data-testid="settings-phone">{u.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                                </div>
                                {u.phone.is_none().then(|| view! {
                                    <button type="button" class=ADD_BUTTON on:click=move |_| adding.set(Some(Adding::Phone))>"Add phone"</button>
                                })}
                            </div>
                            <div class="flex items-center justify-between gap-3 px-4 py-3.5">
                                <div class="min-w-0">
                                    <dt class="text-xs text-slate-500 dark:text-slate-400">"Email"</dt>
                                    <dd class="truncate" data-testid="settings-email">{u.email.clone().unwrap_or_else(|| "—".into())}</dd>
                                </div>
                                {u.email.is_none().then(|| view! {
                                    <button type="button" class=ADD_BUTTON on:click=move |_| adding.set(Some(Adding::Email))>"Add email + password"</button>
                                })}
                            </div>
                        </dl>
                    }.into_any()
                }
                Ok(None) => view! { <p class="mx-4 text-sm">"You are signed out. " <a href="/login" class="text-indigo-600">"Log in"</a></p> }.into_any(),
                Err(e) => view! { <p class="mx-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
        {move || adding.get().map(|what| view! {
            <div class="mx-4 mt-3 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
                {match what {
                    Adding::Email => view! { <AddEmail on_done/> }.into_any(),
                    Adding::Phone => view! { <AddPhone on_done/> }.into_any(),
                }}
                <button type="button" on:click=move |_| adding.set(None)
                    class="mt-2 w-full rounded-xl px-4 py-2 text-sm font-medium text-slate-500 hover:bg-slate-50 dark:text-slate-400 dark:hover:bg-slate-800">
                    "Cancel"
                </button>
            </div>
        })}
    }
    .into_any()
}

#[component]
fn Devices() -> impl IntoView {
    let revoke = ServerAction::<RevokeDevice>::new();
    let signed_out = RwSignal::new(0u32);
    let devices = Resource::new(move || (revoke.version().get(), signed_out.get()), |_| list_devices());
    view! {
        {section_title("Devices")}
        <Transition fallback=|| view! { <div class=CARD><p class="px-4 py-3.5 text-sm text-slate-500">"Loading…"</p></div> }>
            {move || devices.get().map(|result| match result {
                Ok(list) => {
                    let others = list.iter().any(|d| !d.current);
                    view! {
                        <ul class=CARD aria-label="Signed-in devices">
                            {list.into_iter().map(|d| view! { <DeviceRow device=d revoke/> }).collect_view()}
                        </ul>
                        {others.then(|| view! { <sign_out_others::SignOutOthers on_done=Callback::new(move |_| signed_out.update(|n| *n += 1))/> })}
                    }.into_any()
                }
                Err(e) => view! { <p class="mx-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn DeviceRow(device: DeviceView, revoke: ServerAction<RevokeDevice>) -> impl IntoView {
    let id = device.id.clone();
    let (seen, created) = (device.last_seen_at, device.created_at);
    view! {
        <li class="flex items-center justify-between gap-3 px-4 py-3.5">
            <div class="min-w-0">
                <p class="truncate font-medium">
                    {device.description.clone()}
                    {device.current.then(|| view! {
                        <span class="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300">"This device"</span>
                    })}
                </p>
                <p class="text-xs text-slate-500 dark:text-slate-400">
                    {device.ip.clone().unwrap_or_else(|| "unknown address".into())} " · signed in " <Time at=created style=TimeStyle::Full/> " · last active " <Time at=seen style=TimeStyle::Full/>
                </p>
            </div>
            {(!device.current).then(|| view! {
                <button type="button" on:click=move |_| { revoke.dispatch(RevokeDevice { id: id.clone() }); }
                    class="shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-slate-800">
                    "Sign out"
                </button>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn LogOut() -> impl IntoView {
    let action = Action::new(|_: &()| async { logout().await });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            browser::go_to("/login");
        }
    });
    let realtime = use_realtime();
    view! {
        <div class="mx-4 mt-8">
            <button type="button" on:click=move |_| {
                    if let Some(realtime) = realtime {
                        realtime.close();
                    }
                    action.dispatch(());
                }
                class="w-full rounded-xl border border-rose-200 px-4 py-2.5 font-semibold text-rose-600 hover:bg-rose-50 dark:border-rose-900 dark:text-rose-400 dark:hover:bg-rose-950/40">
                "Log out"
            </button>
        </div>
    }
    .into_any()
}

/// One choice of a radio group, as a row of a card.
fn radio<T: Copy + PartialEq + Send + Sync + 'static>(group: &'static str, current: RwSignal<T>, value: T, label: &'static str, hint: &'static str) -> impl IntoView {
    view! {
        <label class="flex cursor-pointer items-start gap-3 px-4 py-3">
            <input type="radio" name=group class="mt-1 h-4 w-4 accent-indigo-600" prop:checked=move || current.get() == value
                on:change=move |_| current.set(value)/>
            <span>
                <span class="block">{label}</span>
                <span class="block text-sm text-slate-500 empty:hidden dark:text-slate-400">{hint}</span>
            </span>
        </label>
    }
    .into_any()
}

#[component]
fn ProfileAndPrivacy() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| get_my_settings());
    view! {
        <Suspense fallback=|| view! { {section_title("Profile")}<div class=CARD><p class="px-4 py-3.5 text-sm text-slate-500">"Loading…"</p></div> }>
            {move || loaded.get().map(|r| match r {
                Ok(settings) => view! { <SettingsForm settings/> }.into_any(),
                Err(e) => view! { {section_title("Profile")}<p class="mx-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn SettingsForm(settings: MySettings) -> impl IntoView {
    let display_name = RwSignal::new(settings.display_name.clone());
    let bio = RwSignal::new(settings.bio.clone());
    let who = RwSignal::new(settings.who_can_message);
    let seen = RwSignal::new(settings.last_seen);
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(false);
    let save = Action::new(|s: &MySettings| save_settings(s.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(s)) => {
            display_name.set(s.display_name);
            bio.set(s.bio);
            who.set(s.who_can_message);
            seen.set(s.last_seen);
            saved.set(true);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        saved.set(false);
        save.dispatch(MySettings {
            display_name: display_name.get_untracked(),
            bio: bio.get_untracked(),
            who_can_message: who.get_untracked(),
            last_seen: seen.get_untracked(),
        });
    };
    view! {
        <form on:submit=submit aria-label="Profile and privacy">
            {section_title("Profile")}
            <div class="mx-4 space-y-4 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
                <Field label="Display name" name="display_name" kind="text" value=display_name error autocomplete="name"/>
                <div>
                    <label for="field-bio" class="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">"Bio"</label>
                    <textarea id="field-bio" rows="3" placeholder="A few words about you"
                        prop:value=move || bio.get() on:input=move |ev| bio.set(event_target_value(&ev))
                        class="block w-full resize-none rounded-xl border border-slate-300 bg-white px-3.5 py-2.5 text-base shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950"></textarea>
                    <p class="mt-1.5 text-sm text-rose-600 dark:text-rose-400" role="alert">
                        {move || error.get().filter(|e| e.field() == Some("bio")).map(|e| e.to_string())}
                    </p>
                </div>
            </div>
            {section_title("Privacy")}
            <fieldset class=CARD>
                <legend class="sr-only">"Who can message me"</legend>
                <p class="px-4 pt-3 text-sm font-medium">"Who can message me"</p>
                {radio("who_can_message", who, WhoCanMessage::Everyone, "Everyone", "")}
                {radio("who_can_message", who, WhoCanMessage::Contacts, "Only my contacts", "Others can send a message request, which you accept or decline.")}
            </fieldset>
            <fieldset class=format!("{CARD} mt-3")>
                <legend class="sr-only">"Who can see when I was last online"</legend>
                <p class="px-4 pt-3 text-sm font-medium">"Who can see when I’m online and was last seen"</p>
                {radio("last_seen", seen, LastSeenVisibility::Everyone, "Everyone", "")}
                {radio("last_seen", seen, LastSeenVisibility::Contacts, "My contacts", "")}
                {radio("last_seen", seen, LastSeenVisibility::Nobody, "Nobody", "")}
            </fieldset>
            <div class="mx-4 mt-3 space-y-2">
                <FormError error fields=&["display_name", "bio"]/>
                <SubmitButton label="Save profile and privacy" pending=save.pending()/>
                <p class="text-center text-sm text-emerald-700 dark:text-emerald-400" role="status">{move || saved.get().then_some("Saved")}</p>
            </div>
        </form>
    }
    .into_any()
}
