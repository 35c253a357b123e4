use leptos::prelude::*;

/// Initials on a colour derived from the name, until pictures exist; `online` adds a green dot.
#[component]
pub fn Avatar(
    name: String,
    #[prop(default = "h-10 w-10 text-sm")] size: &'static str,
    #[prop(into, default = Signal::stored(false))] online: Signal<bool>,
) -> impl IntoView {
    avatar(name, size, online).into_any()
}

/// `Avatar` as a plain view, for lists that render dozens: a component per row costs an owner
/// and a type-erased view each.
pub fn avatar(name: String, size: &'static str, online: Signal<bool>) -> impl IntoView + use<> {
    const COLOURS: [&str; 6] = [
        "bg-indigo-500", "bg-emerald-500", "bg-amber-500", "bg-rose-500", "bg-sky-500", "bg-violet-500",
    ];
    let hash = name.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let colour = COLOURS[hash % COLOURS.len()];
    view! {
        <span class=format!("relative inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white select-none {size} {colour}")
              aria-hidden="true">
            {initials(&name)}
            {move || online.get().then(|| view! {
                <span class="absolute right-0 bottom-0 h-3 w-3 rounded-full bg-emerald-500 ring-2 ring-white dark:ring-slate-950" data-testid="online-dot"></span>
            })}
        </span>
    }
}

pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace().filter_map(|w| w.chars().next());
    match (words.next(), words.next()) {
        (Some(a), Some(b)) => format!("{a}{b}").to_uppercase(),
        (Some(a), None) => a.to_uppercase().collect(),
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("ada lovelace"), "AL");
        assert_eq!(initials("grace"), "G");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials("émile zola"), "ÉZ");
    }
}
