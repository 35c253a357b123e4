//! A message's pictures full screen: the whole picture (its thumbnail first, so something shows
//! at once), previous/next by button, arrow key or swipe, pinch-zoom and pan on a phone (double
//! tap or double click zooms too), Escape or the close button, and a download button.
use leptos::{html, prelude::*};

use super::{
    gestures::Gestures,
    icons::{IconChevronLeft, IconChevronRight, IconDownload},
    zoom::fit,
};
use crate::{components::icons::IconX, media::types::AttachmentView};

/// The pictures being looked at (empty: the viewer is closed) and which one.
#[derive(Clone, Copy)]
pub struct ViewerState {
    pictures: RwSignal<Vec<AttachmentView>>,
    index: RwSignal<usize>,
}

/// Makes the viewer available to the conversation's messages (render `PictureViewer` once).
pub fn provide_viewer() {
    provide_context(ViewerState { pictures: RwSignal::new(Vec::new()), index: RwSignal::new(0) });
}

/// Opens the viewer on `pictures[index]`.
pub fn open_viewer(pictures: Vec<AttachmentView>, index: usize) {
    if let Some(v) = use_context::<ViewerState>() {
        v.index.set(index.min(pictures.len().saturating_sub(1)));
        v.pictures.set(pictures);
    }
}

impl ViewerState {
    fn step(self, by: i32) {
        let n = self.pictures.with_untracked(Vec::len) as i32;
        let at = self.index.get_untracked() as i32 + by;
        if n > 0 && (0..n).contains(&at) {
            self.index.set(at as usize);
        }
    }

    fn close(self) {
        self.pictures.set(Vec::new());
    }
}

/// The address that saves a picture under its name instead of showing it.
pub fn download_url(url: &str) -> String {
    format!("{url}?download=true")
}

#[component]
pub fn PictureViewer() -> impl IntoView {
    let Some(viewer) = use_context::<ViewerState>() else { return ().into_any() };
    let dialog = NodeRef::<html::Div>::new();
    let open = move || viewer.pictures.with(|p| !p.is_empty());
    let current = Memo::new(move |_| viewer.pictures.with(|p| p.get(viewer.index.get()).cloned()));
    let count = move || viewer.pictures.with(Vec::len);
    let stage_size = RwSignal::new((0.0f64, 0.0f64));
    // The current picture's shown size at scale 1: as large as fits, never enlarged.
    let shown = Memo::new(move |_| {
        let (sw, sh) = stage_size.get();
        let size = current.with(|p| p.as_ref().and_then(|p| Some((p.width? as f64, p.height? as f64))));
        size.filter(|(w, h)| sw > 16.0 && sh > 16.0 && *w > 0.0 && *h > 0.0).map(|size| fit(size, (sw - 16.0, sh - 16.0)))
    });
    let g = Gestures::new(stage_size, shown.into(), Callback::new(move |by| viewer.step(by)));

    // Each picture starts unzoomed; opening moves the focus in (so keys reach the viewer).
    Effect::new(move |_| {
        current.track();
        g.reset();
        if let Some(d) = dialog.get() {
            let _ = d.focus();
            g.measure();
        }
    });

    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        let keys = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            if viewer.pictures.with_untracked(Vec::is_empty) {
                return;
            }
            match e.key().as_str() {
                "ArrowLeft" => viewer.step(-1),
                "ArrowRight" => viewer.step(1),
                "Escape" => viewer.close(),
                _ => return,
            }
            e.prevent_default();
            e.stop_propagation();
        });
        let resize = window_event_listener(ev::resize, move |_| g.measure());
        on_cleanup(move || {
            keys.remove();
            resize.remove();
        });
    }

    let nav_button = "absolute top-1/2 z-10 -translate-y-1/2 rounded-full bg-black/40 p-2 text-white backdrop-blur hover:bg-black/60 focus:outline-none focus:ring-2 focus:ring-white/60 sm:p-2.5";
    let bar_button = "rounded-full p-2.5 text-white hover:bg-white/15 focus:outline-none focus:ring-2 focus:ring-white/60";
    view! {
        <Show when=open>
            <div node_ref=dialog role="dialog" aria-modal="true" aria-label="Picture viewer" tabindex="-1" data-testid="viewer"
                class="fixed inset-0 z-50 flex flex-col bg-black text-white outline-none select-none">
                <div class="flex items-center gap-1 px-2 pt-[max(0.5rem,env(safe-area-inset-top))] pb-2">
                    <button type="button" class=bar_button aria-label="Close" on:click=move |_| viewer.close()><IconX/></button>
                    <p class="min-w-0 flex-1 truncate px-1 text-sm">
                        <span class="font-medium" data-testid="viewer-name">{move || current.get().map(|p| p.name)}</span>
                        <Show when=move || { count() > 1 }>
                            <span class="ml-2 text-white/60 tabular-nums" data-testid="viewer-position">
                                {move || format!("{} / {}", viewer.index.get() + 1, count())}
                            </span>
                        </Show>
                    </p>
                    <a class=bar_button aria-label="Download" title="Download" data-testid="viewer-download"
                        href=move || current.get().map(|p| download_url(&p.url))
                        download=move || current.get().map(|p| p.name)>
                        <IconDownload/>
                    </a>
                </div>
                <div node_ref=g.stage class="relative min-h-0 flex-1 touch-none overflow-hidden"
                    on:touchstart=move |e| g.touch_start(e) on:touchmove=move |e| g.touch_move(e)
                    on:touchend=move |e| g.touch_end(e) on:touchcancel=move |e| g.touch_end(e)
                    on:mousedown=move |e| g.mouse_down(e) on:mousemove=move |e| g.mouse_move(e)
                    on:mouseup=move |_| g.mouse_up() on:mouseleave=move |_| g.mouse_up()
                    on:dblclick=move |e| g.double_click(e)>
                    <div class="flex h-full w-full items-center justify-center"
                        style:transform=move || format!("translateX({}px)", g.swipe.get())
                        style:transition=move || if g.live.get() { "none" } else { "transform 150ms ease-out" }>
                        {move || current.get().map(|p| {
                            let backdrop = format!("{} {} center / cover no-repeat",
                                p.placeholder.clone().unwrap_or_else(|| "#1e293b".into()),
                                p.thumb_url.as_ref().map(|t| format!("url(\"{t}\")")).unwrap_or_default());
                            view! {
                                <img src=p.url.clone() alt=p.name.clone() data-testid="viewer-picture" draggable="false"
                                    class="max-h-full max-w-full object-contain will-change-transform"
                                    style:width=move || shown.get().map(|(w, _)| format!("{w}px"))
                                    style:height=move || shown.get().map(|(_, h)| format!("{h}px"))
                                    style:background=backdrop
                                    style:cursor=move || if g.zoom.get().zoomed() { "grab" } else { "zoom-in" }
                                    style:transform=move || g.zoom.get().transform()
                                    style:transition=move || if g.live.get() { "none" } else { "transform 150ms ease-out" }/>
                            }
                        })}
                    </div>
                    <Show when=move || { viewer.index.get() > 0 }>
                        <button type="button" class=format!("{nav_button} left-3") aria-label="Previous picture"
                            on:click=move |_| viewer.step(-1)><IconChevronLeft class="h-6 w-6"/></button>
                    </Show>
                    <Show when=move || { viewer.index.get() + 1 < count() }>
                        <button type="button" class=format!("{nav_button} right-3") aria-label="Next picture"
                            on:click=move |_| viewer.step(1)><IconChevronRight class="h-6 w-6"/></button>
                    </Show>
                </div>
                <div class="h-[max(0.75rem,env(safe-area-inset-bottom))] shrink-0"></div>
            </div>
        </Show>
    }
    .into_any()
}
