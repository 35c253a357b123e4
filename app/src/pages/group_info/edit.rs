//! Editing the group's name, description and visibility.
use leptos::prelude::*;

use crate::{
    chats::{api::edit_group, types::GroupInfo},
    components::{
        form::{Field, FormError, SubmitButton},
        sheet::Sheet,
    },
    error::AppError,
    pages::chat_list::new_chat::{DescriptionField, PublicToggle},
};

#[component]
pub fn EditGroup(group: GroupInfo, chat_id: String, version: RwSignal<u32>, on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(group.name.clone());
    let description = RwSignal::new(group.description.clone());
    let public = RwSignal::new(group.public);
    let error = RwSignal::new(None::<AppError>);
    let chat = StoredValue::new(chat_id);
    let save = Action::new(move |(n, d, p): &(String, String, bool)| edit_group(chat.get_value(), n.clone(), d.clone(), *p));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            version.update(|v| *v += 1);
            on_close.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Sheet title="Edit group" on_close>
            <form class="space-y-4" aria-label="Edit group"
                on:submit=move |ev| { ev.prevent_default(); error.set(None); save.dispatch((name.get_untracked(), description.get_untracked(), public.get_untracked())); }>
                <Field label="Group name" name="name" kind="text" value=name error/>
                <DescriptionField value=description error/>
                <PublicToggle public/>
                <FormError error fields=&["name", "description"]/>
                <SubmitButton label="Save" pending=save.pending()/>
            </form>
        </Sheet>
    }
    .into_any()
}
