//! "Seen by N" under the viewer's newest message in a group, naming who in its tooltip.
use leptos::prelude::*;

use super::state::{ConvState, same_user_id};
use crate::chats::types::MemberView;

/// Display names of the members other than `me` who have read `seq`: by the mark they had when
/// the page loaded, or a newer one heard live (`live_read`).
pub fn readers(members: &[MemberView], me: &str, seq: i64, live_read: impl Fn(&str) -> i64) -> Vec<String> {
    members
        .iter()
        .filter(|m| !same_user_id(&m.person.user_id, me))
        .filter(|m| m.read_seq.max(live_read(&m.person.user_id)) >= seq)
        .map(|m| m.person.display_name.clone())
        .collect()
}

/// Shown only while the newest stored message is the viewer's own, so it sits right under it.
#[component]
pub fn SeenBy() -> impl IntoView {
    let state = expect_context::<ConvState>();
    let seen = Memo::new(move |_| {
        let newest = state.messages.with(|list| list.last().cloned())?;
        if !state.is_mine(&newest) || newest.deleted {
            return None;
        }
        let chat = state.chat_id.get_value();
        let live = |user: &str| state.realtime.read_by(&chat, user);
        let names = state.members.with_value(|members| readers(members, &state.me.get_value(), newest.seq, live));
        (!names.is_empty()).then_some(names)
    });
    move || {
        seen.get().map(|names| {
            view! {
                <p class="mt-0.5 self-end pr-1 text-[11px] text-slate-500 dark:text-slate-400"
                    data-testid="seen-by" title=names.join(", ")>
                    {format!("Seen by {}", names.len())}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chats::types::{PersonView, Role};

    fn member(id: &str, name: &str, read_seq: i64) -> MemberView {
        MemberView {
            person: PersonView { user_id: id.into(), username: name.to_lowercase(), display_name: name.into() },
            role: Role::Member,
            joined_at: 0,
            online: false,
            read_seq,
        }
    }

    #[test]
    fn counts_others_who_read_by_the_loaded_or_a_live_mark() {
        let members = [member("AAAA-AAAA", "Me", 9), member("BBBB-BBBB", "Bo", 5), member("CCCC-CCCC", "Cy", 2)];
        let none_live = |_: &str| 0;
        assert_eq!(readers(&members, "AAAA-AAAA", 5, none_live), vec!["Bo".to_string()]);
        assert!(readers(&members, "AAAA-AAAA", 6, none_live).is_empty());
        let cy_read_live = |u: &str| if u == "CCCC-CCCC" { 6 } else { 0 };
        assert_eq!(readers(&members, "aaaaaaaa", 6, cy_read_live), vec!["Cy".to_string()]);
    }
}
