//! A message's pictures as a grid: each box sized from the picture's dimensions and painted in
//! its average colour until the thumbnail arrives; a tap opens the full-screen viewer.
use leptos::prelude::*;

use super::{UploadRing, UploadShown, layout::layout, viewer::open_viewer};
use crate::{media::types::AttachmentView, realtime::client::LocalAttachment};

const TILE: &str = "relative block overflow-hidden bg-slate-300 dark:bg-slate-700";

#[component]
pub fn PictureGrid(pictures: Vec<AttachmentView>) -> impl IntoView {
    let sizes: Vec<_> = pictures.iter().map(|p| p.width.zip(p.height)).collect();
    let grid = layout(&sizes);
    let all = StoredValue::new(pictures.clone());
    let tiles = pictures
        .into_iter()
        .zip(grid.tiles)
        .enumerate()
        .map(|(i, (p, tile))| {
            let colour = p.placeholder.clone().map(|c| format!(";background-color:{c}")).unwrap_or_default();
            let thumb = p.thumb_url.clone().unwrap_or_else(|| p.url.clone());
            view! {
                <a href=p.url.clone() class=TILE style=format!("{tile}{colour}") data-testid="picture"
                    data-width=p.width data-height=p.height
                    aria-label=format!("Open picture {}", p.name)
                    on:click=move |ev| {
                        ev.prevent_default();
                        open_viewer(all.get_value(), i);
                    }>
                    <img src=thumb alt="" loading="lazy" decoding="async" draggable="false"
                        class="absolute inset-0 h-full w-full object-cover" data-testid="thumbnail"/>
                </a>
            }
        })
        .collect_view();
    view! {
        <div class=format!("{} overflow-hidden rounded-xl", grid.container_class) style=grid.container_style data-testid="pictures">
            {tiles}
        </div>
    }
}

/// The pictures of a send on its way: the picked files themselves, each with its upload's
/// progress.
#[component]
pub fn PendingPictures(pictures: Vec<LocalAttachment>, progress_of: Callback<String, UploadShown>) -> impl IntoView {
    let grid = layout(&vec![None; pictures.len()]);
    let tiles = pictures
        .into_iter()
        .zip(grid.tiles)
        .map(|(p, tile)| {
            let hidden = RwSignal::new(false);
            let src = p.preview_url.clone().or_else(|| p.stored().and_then(|v| v.thumb_url.clone()));
            let key = p.key.clone();
            view! {
                <div class=TILE style=tile data-testid="pending-picture">
                    {src.map(|src| view! {
                        <img src=src alt="" class="absolute inset-0 h-full w-full object-cover"
                            class:hidden=move || hidden.get() on:error=move |_| hidden.set(true)/>
                    })}
                    <UploadRing shown=Signal::derive(move || progress_of.run(key.clone()))/>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class=format!("{} overflow-hidden rounded-xl", grid.container_class) style=grid.container_style>
            {tiles}
        </div>
    }
}
