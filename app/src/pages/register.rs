use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    accounts::{
        api::{register_email_start, register_start},
        types::{PendingCode, UserView},
        validate::PASSWORD_MIN,
    },
    browser,
    components::{
        brand::AuthCard,
        code_entry::{CodeEntry, ask_for_code},
        form::{Field, FormError, SubmitButton, TABLIST, tab},
        icons::IconCopy,
    },
    error::AppError,
};

#[derive(Clone)]
enum Step {
    Details,
    Code(PendingCode),
    Done(UserView),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Phone,
    Email,
}

/// Sign up with a username and a phone number (or an email and password); the code sent there
/// creates the account and shows its user ID.
#[component]
pub fn Register() -> impl IntoView {
    let step = RwSignal::new(Step::Details);
    let method = RwSignal::new(Method::Phone);
    let on_code = Callback::new(move |code| step.set(Step::Code(code)));
    let on_verified = Callback::new(move |user| step.set(Step::Done(user)));
    view! {
        <Title text="Create your account"/>
        <AuthCard title="Create your account" subtitle="Pick a username; we’ll send you a code to confirm it’s you.">
            {move || match step.get() {
                Step::Details => view! {
                    <div role="tablist" aria-label="How to sign up" class=TABLIST>
                        {tab(method, Method::Phone, "Phone")}
                        {tab(method, Method::Email, "Email + password")}
                    </div>
                    <Show when=move || method.get() == Method::Phone fallback=move || view! { <EmailDetails on_code/> }>
                        <PhoneDetails on_code/>
                    </Show>
                }.into_any(),
                Step::Code(code) => view! { <CodeEntry pending=code on_verified/> }.into_any(),
                Step::Done(user) => view! { <Welcome user/> }.into_any(),
            }}
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "Already have an account? "
                <a href="/login" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Log in"</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn PhoneDetails(on_code: Callback<PendingCode>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let start = ask_for_code(error, |(username, phone)| register_start(username, phone), move |code| on_code.run(code));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch((username.get_untracked(), phone.get_untracked()));
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <Field label="Username" name="username" kind="text" value=username error
                placeholder="ada.l" autocomplete="username"/>
            <Field label="Phone number" name="phone" kind="tel" value=phone error
                placeholder="+44 7911 123456" autocomplete="tel" inputmode="tel"/>
            <FormError error/>
            <SubmitButton label="Send me a code" pending=start.pending()/>
        </form>
    }
}

#[component]
fn EmailDetails(on_code: Callback<PendingCode>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let start = ask_for_code(
        error,
        |(username, email, password)| register_email_start(username, email, password),
        move |code| on_code.run(code),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch((username.get_untracked(), email.get_untracked(), password.get_untracked()));
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <Field label="Username" name="username" kind="text" value=username error
                placeholder="ada.l" autocomplete="username"/>
            <Field label="Email" name="email" kind="email" value=email error
                placeholder="you@example.com" autocomplete="email" inputmode="email"/>
            <Field label="Password" name="password" kind="password" value=password error autocomplete="new-password"/>
            <p class="-mt-2 text-xs text-slate-500 dark:text-slate-400">
                {format!("At least {PASSWORD_MIN} characters. A short phrase is easy to remember and hard to guess.")}
            </p>
            <FormError error/>
            <SubmitButton label="Send me a code" pending=start.pending()/>
        </form>
    }
}

/// The new account's user ID, big and copyable: it is how friends find you.
#[component]
fn Welcome(user: UserView) -> impl IntoView {
    let copied = RwSignal::new(false);
    let id = user.user_id.clone();
    let how = if user.phone.is_some() { "You can log in with it and your phone." } else { "You can log in with your email and password." };
    view! {
        <div class="space-y-5 text-center">
            <p class="text-sm text-slate-600 dark:text-slate-400">
                "Welcome, " <span class="font-semibold text-slate-900 dark:text-slate-100">{user.username.clone()}</span> "! Your user ID is"
            </p>
            <p class="font-mono text-3xl font-bold tracking-widest text-indigo-600 dark:text-indigo-400" data-testid="user-id">
                {user.user_id.clone()}
            </p>
            <p class="text-sm text-slate-500 dark:text-slate-400">"Share it so people can find you. " {how}</p>
            <button type="button" on:click=move |_| { browser::copy_to_clipboard(&id); copied.set(true); }
                class="inline-flex items-center gap-2 rounded-xl border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">
                <IconCopy class="h-4 w-4"/>
                {move || if copied.get() { "Copied" } else { "Copy user ID" }}
            </button>
            <a href="/chats" rel="external"
                class="block w-full rounded-xl bg-indigo-600 px-4 py-2.5 text-base font-semibold text-white shadow-sm hover:bg-indigo-500">
                "Continue to Confab"
            </a>
        </div>
    }
}
