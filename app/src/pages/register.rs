use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::brand::AuthCard;
use crate::pages::login::{Field, SubmitButton};

/// Sign up with a username and a phone number.
#[component]
pub fn Register() -> impl IntoView {
    view! {
        <Title text="Create your account"/>
        <AuthCard title="Create your account" subtitle="Pick a username; we’ll text your phone a code.">
            <form class="space-y-4" method="post" action="/register">
                <Field label="Username" name="username" kind="text" placeholder="ada.l" autocomplete="username"/>
                <Field label="Phone number" name="phone" kind="tel" placeholder="+44 7700 900123" autocomplete="tel"/>
                <SubmitButton label="Send me a code"/>
            </form>
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "Already have an account? "
                <a href="/login" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Log in"</a>
            </p>
        </AuthCard>
    }
}
