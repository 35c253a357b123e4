//! Times in the viewer's time zone and language. The server does not know either, so it renders
//! times empty (or in UTC) and the browser fills them in once the page is live; the first client
//! render still matches the server's HTML, so hydration never trips over a clock.
use leptos::prelude::*;

/// True once the wasm runs (set by an effect, and effects never run on the server).
#[derive(Clone, Copy)]
pub struct ClientReady(pub RwSignal<bool>);

/// Called once by `App`.
pub fn provide_client_ready() {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    provide_context(ClientReady(ready));
}

/// Whether local times may be rendered now (always false on the server).
pub fn client_ready() -> Signal<bool> {
    match use_context::<ClientReady>() {
        Some(ClientReady(ready)) => ready.into(),
        None => Signal::stored(false),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeStyle {
    /// `14:05` (a bubble).
    Clock,
    /// Today `14:05`, this week `Mon`, older `20 Nov` (a chat list row).
    List,
    /// `20 Nov 2026, 14:05` (devices, tooltips).
    Full,
}

/// How far back a day is from today, for picking a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Today,
    Yesterday,
    ThisWeek,
    ThisYear,
    Older,
}

/// `day` and `today` are local day numbers (days since the epoch in the viewer's zone);
/// `same_year` whether both fall in one calendar year.
pub fn age(today: i64, day: i64, same_year: bool) -> Age {
    match today - day {
        d if d <= 0 => Age::Today,
        1 => Age::Yesterday,
        2..=6 => Age::ThisWeek,
        _ if same_year => Age::ThisYear,
        _ => Age::Older,
    }
}

/// Seconds now, from the browser's clock (0 on the server, where nothing calls it for display).
pub fn now_secs() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

#[cfg(feature = "hydrate")]
mod local {
    use js_sys::{Date, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn locale() -> String {
        web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_else(|| "en".into())
    }

    fn options(pairs: &[(&str, &str)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        o.into()
    }

    pub fn date(secs: i64) -> Date {
        Date::new(&JsValue::from_f64(secs as f64 * 1000.0))
    }

    /// Days since the epoch in the viewer's time zone.
    pub fn day(secs: i64) -> i64 {
        let offset_min = date(secs).get_timezone_offset() as i64;
        (secs - offset_min * 60).div_euclid(86_400)
    }

    pub fn year(secs: i64) -> u32 {
        date(secs).get_full_year()
    }

    pub fn clock(secs: i64) -> String {
        date(secs).to_locale_time_string_with_options(&locale(), &options(&[("hour", "numeric"), ("minute", "2-digit")])).into()
    }

    pub fn weekday(secs: i64, long: bool) -> String {
        let width = if long { "long" } else { "short" };
        date(secs).to_locale_date_string(&locale(), &options(&[("weekday", width)])).into()
    }

    pub fn day_month(secs: i64, with_year: bool, long: bool) -> String {
        let month = if long { "long" } else { "short" };
        let mut o = vec![("day", "numeric"), ("month", month)];
        if with_year {
            o.push(("year", "numeric"));
        }
        date(secs).to_locale_date_string(&locale(), &options(&o)).into()
    }
}

/// Formats `secs` for the viewer (browser only; the server never shows local times).
pub fn format_local(secs: i64, style: TimeStyle) -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = now_secs();
        let same_year = local::year(now) == local::year(secs);
        match style {
            TimeStyle::Clock => local::clock(secs),
            TimeStyle::Full => format!("{}, {}", local::day_month(secs, true, false), local::clock(secs)),
            TimeStyle::List => match age(local::day(now), local::day(secs), same_year) {
                Age::Today => local::clock(secs),
                Age::Yesterday => "Yesterday".into(),
                Age::ThisWeek => local::weekday(secs, false),
                Age::ThisYear => local::day_month(secs, false, false),
                Age::Older => local::day_month(secs, true, false),
            },
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        match style {
            TimeStyle::Full => utc_datetime(secs),
            _ => String::new(),
        }
    }
}

/// The local day number of `secs` (for date separators); browser only.
pub fn local_day(secs: i64) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        local::day(secs)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        secs.div_euclid(86_400)
    }
}

/// "Today", "Yesterday", "Monday" or "20 November (2025)", for a date separator.
pub fn day_label(secs: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = now_secs();
        let same_year = local::year(now) == local::year(secs);
        match age(local::day(now), local::day(secs), same_year) {
            Age::Today => "Today".into(),
            Age::Yesterday => "Yesterday".into(),
            Age::ThisWeek => local::weekday(secs, true),
            Age::ThisYear => local::day_month(secs, false, true),
            Age::Older => local::day_month(secs, true, true),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        utc_datetime(secs)
    }
}

/// "last seen just now / 5 min ago / today at 14:05 / yesterday at 9:12 / on 20 Nov".
pub fn last_seen(secs: i64) -> String {
    let ago = now_secs() - secs;
    if ago < 60 {
        return "last seen just now".into();
    }
    if ago < 3600 {
        return format!("last seen {} min ago", ago / 60);
    }
    #[cfg(feature = "hydrate")]
    {
        let now = now_secs();
        match age(local::day(now), local::day(secs), local::year(now) == local::year(secs)) {
            Age::Today => format!("last seen today at {}", local::clock(secs)),
            Age::Yesterday => format!("last seen yesterday at {}", local::clock(secs)),
            Age::ThisWeek | Age::ThisYear => format!("last seen {}", local::day_month(secs, false, false)),
            Age::Older => format!("last seen {}", local::day_month(secs, true, false)),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        format!("last seen {}", utc_datetime(secs))
    }
}

/// Unix seconds as `2026-11-24 18:05 UTC`: what the server renders where a full time is needed
/// before the browser knows the zone.
pub fn utc_datetime(secs: i64) -> String {
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

/// A `<time>` that shows `at` in the viewer's zone once the page is live (UTC or nothing before).
#[component]
pub fn Time(at: i64, #[prop(default = TimeStyle::Clock)] style: TimeStyle, #[prop(default = "")] class: &'static str) -> impl IntoView {
    time(at, style, class)
}

/// `Time` as a plain view, for lists (see `avatar`).
pub fn time(at: i64, style: TimeStyle, class: &'static str) -> impl IntoView + use<> {
    let ready = client_ready();
    let text = move || if ready.get() { format_local(at, style) } else { format_local_server(at, style) };
    let title = move || ready.get().then(|| format_local(at, TimeStyle::Full));
    view! { <time class=class datetime=at.to_string() title=title>{text}</time> }
}

/// What the server renders (and the first client render repeats).
fn format_local_server(secs: i64, style: TimeStyle) -> String {
    match style {
        TimeStyle::Full => utc_datetime(secs),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_datetime(1_795_550_700), "2026-11-24 20:05 UTC");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn a_day_is_today_yesterday_this_week_or_older() {
        assert_eq!(age(100, 100, true), Age::Today);
        assert_eq!(age(100, 99, true), Age::Yesterday);
        assert_eq!(age(100, 94, true), Age::ThisWeek);
        assert_eq!(age(100, 93, true), Age::ThisYear);
        assert_eq!(age(100, 10, false), Age::Older);
        // A clock slightly ahead of the viewer's still counts as today.
        assert_eq!(age(100, 101, true), Age::Today);
    }
}
