//! Settings: your account, and the devices signed in to it.
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
        icons::{IconBack, IconCopy},
    },
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
            <Devices/>
            <LogOut/>
        </main>
    }
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
}

#[component]
fn Devices() -> impl IntoView {
    let revoke = ServerAction::<RevokeDevice>::new();
    let devices = Resource::new(move || revoke.version().get(), |_| list_devices());
    view! {
        {section_title("Devices")}
        <Transition fallback=|| view! { <div class=CARD><p class="px-4 py-3.5 text-sm text-slate-500">"Loading…"</p></div> }>
            {move || devices.get().map(|result| match result {
                Ok(list) => view! {
                    <ul class=CARD aria-label="Signed-in devices">
                        {list.into_iter().map(|d| view! { <DeviceRow device=d revoke/> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <p class="mx-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn DeviceRow(device: DeviceView, revoke: ServerAction<RevokeDevice>) -> impl IntoView {
    let id = device.id.clone();
    let seen = format_time(device.last_seen_at);
    let created = format_time(device.created_at);
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
                    {device.ip.clone().unwrap_or_else(|| "unknown address".into())} " · signed in " {created} " · last active " {seen}
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
}

/// Unix seconds as `2026-11-24 18:05 UTC` (the viewer's time zone comes with the chat views).
fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), so the wasm needs no date library.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

#[component]
fn LogOut() -> impl IntoView {
    let action = Action::new(|_: &()| async { logout().await });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            browser::go_to("/login");
        }
    });
    view! {
        <div class="mx-4 mt-8">
            <button type="button" on:click=move |_| { action.dispatch(()); }
                class="w-full rounded-xl border border-rose-200 px-4 py-2.5 font-semibold text-rose-600 hover:bg-rose-50 dark:border-rose-900 dark:text-rose-400 dark:hover:bg-rose-950/40">
                "Log out"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(super::format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::format_time(1_795_550_700), "2026-11-24 20:05 UTC");
        assert_eq!(super::format_time(951_782_400), "2000-02-29 00:00 UTC");
    }
}
