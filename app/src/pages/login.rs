use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::brand::AuthCard;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Code,
    Password,
}

/// Sign in with a one-time code sent to your phone, or with email and password.
#[component]
pub fn Login() -> impl IntoView {
    let method = RwSignal::new(Method::Code);
    let tab = move |m: Method, label: &'static str| {
        let selected = move || method.get() == m;
        view! {
            <button type="button" role="tab" aria-selected=move || selected().to_string()
                class=move || format!("flex-1 rounded-lg px-3 py-2 text-sm font-medium transition {}",
                    if selected() { "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white" }
                    else { "text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200" })
                on:click=move |_| method.set(m)>
                {label}
            </button>
        }
    };
    view! {
        <Title text="Log in"/>
        <AuthCard title="Welcome back" subtitle="Log in to continue your conversations.">
            <div role="tablist" aria-label="How to log in" class="mb-6 flex gap-1 rounded-xl bg-slate-100 p-1 dark:bg-slate-800">
                {tab(Method::Code, "Phone code")}
                {tab(Method::Password, "Email + password")}
            </div>
            <Show when=move || method.get() == Method::Code fallback=PasswordForm>
                <CodeForm/>
            </Show>
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "New to Confab? "
                <a href="/register" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Create an account"</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn CodeForm() -> impl IntoView {
    view! {
        <form class="space-y-4" method="post" action="/login">
            <Field label="User ID (optional)" name="user_id" kind="text" placeholder="7KQ4-M2XD" autocomplete="username"/>
            <Field label="Phone number" name="phone" kind="tel" placeholder="+44 7700 900123" autocomplete="tel"/>
            <SubmitButton label="Send me a code"/>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    view! {
        <form class="space-y-4" method="post" action="/login/password">
            <Field label="Email" name="email" kind="email" placeholder="you@example.com" autocomplete="email"/>
            <Field label="Password" name="password" kind="password" placeholder="" autocomplete="current-password"/>
            <SubmitButton label="Log in"/>
        </form>
    }
}

/// A labelled input in the sign-in style.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    placeholder: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <label class="block">
            <span class="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</span>
            <input type=kind name=name placeholder=placeholder autocomplete=autocomplete
                class="block w-full rounded-xl border border-slate-300 bg-white px-3.5 py-2.5 text-base shadow-sm outline-none placeholder:text-slate-400 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950"/>
        </label>
    }
}

#[component]
pub fn SubmitButton(label: &'static str) -> impl IntoView {
    view! {
        <button type="submit"
            class="w-full rounded-xl bg-indigo-600 px-4 py-2.5 text-base font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60">
            {label}
        </button>
    }
}
