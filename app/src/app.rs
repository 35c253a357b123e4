//! The HTML shell and the route table.
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use crate::components::{error_view::ErrorPanel, time::provide_client_ready};
use crate::pages::{
    chat_list::{ChatsLayout, NoChatSelected},
    contacts::Contacts,
    conversation::Conversation,
    forgot_password::ForgotPassword,
    group_info::GroupInfoPage,
    join::JoinByLink,
    login::Login,
    not_found::NotFound,
    profile::Profile,
    register::Register,
    settings::Settings,
    signed_in::SignedInLayout,
    strangers::Strangers,
};

/// The document around every server-rendered page. The CSS is linked in the head, so the first
/// paint is already styled; the theme follows the system setting through `prefers-color-scheme`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::security::insert_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="description" content="Confab — fast, private chat that never loses a message."/>
                <meta name="theme-color" content="#4f46e5" media="(prefers-color-scheme: light)"/>
                <meta name="theme-color" content="#0b1020" media="(prefers-color-scheme: dark)"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                <link rel="stylesheet" href="/pkg/confab.css"/>
                <script src="/sw-register.js" defer></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="h-full bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_client_ready();
    mark_hydrated();
    view! {
        <Title formatter=|title: String| if title.is_empty() { "Confab".to_string() } else { format!("{title} · Confab") }/>
        <Router>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors/> }>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/chats"/> }/>
                    <Route path=path!("/login") view=Login/>
                    <Route path=path!("/register") view=Register/>
                    <Route path=path!("/forgot-password") view=ForgotPassword/>
                    <ParentRoute path=path!("") view=SignedInLayout>
                        <ParentRoute path=path!("/chats") view=ChatsLayout>
                            <Route path=path!("") view=NoChatSelected/>
                            <Route path=path!(":id") view=Conversation/>
                            <Route path=path!(":id/info") view=GroupInfoPage/>
                        </ParentRoute>
                        <Route path=path!("/contacts") view=Contacts/>
                        <Route path=path!("/profile/:id") view=Profile/>
                        <Route path=path!("/settings") view=Settings/>
                    </ParentRoute>
                    <Route path=path!("/join/:token") view=JoinByLink/>
                    <Route path=path!("/strangers") view=Strangers/>
                </Routes>
            </ErrorBoundary>
        </Router>
    }
}

/// Marks `<html data-hydrated>` once the wasm has taken over, so tests (and CSS) can tell a
/// server-rendered page from a live one. Effects never run on the server.
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
