//! Around every page of a signed-in person (chats, contacts, profiles, settings): one socket for
//! them all, so a call rings on whichever page is open and goes on while the person moves
//! between them, and messages are not missed on the way.
use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::pages::call::{CallScreen, provide_calls};
use crate::realtime::client::{ConnectionBanner, provide_realtime};

#[component]
pub fn SignedInLayout() -> impl IntoView {
    provide_realtime();
    provide_calls();
    view! {
        <div class="pointer-events-none fixed inset-x-0 top-0 z-50"><ConnectionBanner/></div>
        <CallScreen/>
        <Outlet/>
    }
}
