//! A file in a message: a card with its type, name and size that downloads it under its name.
use leptos::prelude::*;

use super::icons::{IconDownload, IconFile};
use crate::media::types::{AttachmentView, size_text};

/// The families of files a card tells apart by colour and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Archive,
    Document,
    Sheet,
    Audio,
    Picture,
    Other,
}

impl FileType {
    /// From the type the server found, else the name's extension.
    pub fn of(name: &str, mime: &str) -> FileType {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        let doc = |m: &str| m.contains("wordprocessing") || m.contains("msword") || m.contains("opendocument.text") || m == "application/rtf";
        let sheet = |m: &str| m.contains("spreadsheet") || m.contains("ms-excel") || m == "text/csv";
        let archive = |m: &str| m.contains("zip") || m.contains("compressed") || m.contains("x-tar") || m.contains("x-7z");
        match (mime, ext.as_str()) {
            ("application/pdf", _) | (_, "pdf") => FileType::Pdf,
            (m, _) if doc(m) => FileType::Document,
            (m, _) if sheet(m) => FileType::Sheet,
            // Office files are zips inside: the name tells them apart.
            (_, "doc" | "docx" | "odt" | "rtf" | "txt" | "md" | "pages") => FileType::Document,
            (_, "xls" | "xlsx" | "ods" | "csv" | "numbers") => FileType::Sheet,
            (m, _) if archive(m) => FileType::Archive,
            (_, "zip" | "rar" | "7z" | "tar" | "gz" | "tgz" | "bz2" | "xz") => FileType::Archive,
            (m, _) if m.starts_with("audio/") => FileType::Audio,
            (m, _) if m.starts_with("image/") => FileType::Picture,
            _ => FileType::Other,
        }
    }

    /// The badge's label: the extension people know, upper case.
    pub fn label(self, name: &str) -> String {
        match self {
            FileType::Pdf => "PDF".into(),
            // Whatever else it is, its name may claim to be something it is not.
            FileType::Other => "FILE".into(),
            FileType::Archive | FileType::Document | FileType::Sheet | FileType::Audio | FileType::Picture => name
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_uppercase())
                .filter(|e| (1..=4).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()))
                .unwrap_or_else(|| "FILE".into()),
        }
    }

    fn colour(self) -> &'static str {
        match self {
            FileType::Pdf => "bg-rose-500",
            FileType::Archive => "bg-amber-500",
            FileType::Document => "bg-sky-600",
            FileType::Sheet => "bg-emerald-600",
            FileType::Audio => "bg-violet-500",
            FileType::Picture => "bg-fuchsia-500",
            FileType::Other => "bg-slate-500",
        }
    }
}

/// The coloured square with a file icon and the type's label.
#[component]
pub fn FileBadge(name: String, mime: String, #[prop(default = "h-11 w-11")] size: &'static str) -> impl IntoView {
    let kind = FileType::of(&name, &mime);
    view! {
        <span class=format!("relative flex shrink-0 flex-col items-center justify-center rounded-lg text-white {size} {}", kind.colour())
            data-file-type=format!("{kind:?}").to_lowercase() aria-hidden="true">
            <IconFile class="h-4 w-4 opacity-90"/>
            <span class="mt-0.5 text-[9px] leading-none font-bold tracking-wide">{kind.label(&name)}</span>
        </span>
    }
}

#[component]
pub fn FileCard(attachment: AttachmentView, mine: bool) -> impl IntoView {
    let AttachmentView { name, mime, size, url, .. } = attachment;
    let surface = if mine { "bg-white/15 hover:bg-white/25" } else { "bg-slate-100 hover:bg-slate-200 dark:bg-slate-900/60 dark:hover:bg-slate-900" };
    let meta = if mine { "text-indigo-100" } else { "text-slate-500 dark:text-slate-400" };
    let label = FileType::of(&name, &mime).label(&name);
    view! {
        <a href=url download=name.clone() data-testid="file-card" title=format!("Download {name}")
            class=format!("flex w-full max-w-80 min-w-60 items-center gap-3 rounded-xl p-2 pr-3 no-underline transition-colors {surface}")>
            <FileBadge name=name.clone() mime/>
            <span class="min-w-0 flex-1">
                <span class="line-clamp-2 text-sm leading-tight font-medium break-all" data-testid="file-name">{name.clone()}</span>
                <span class=format!("mt-0.5 block text-xs {meta}") data-testid="file-size">{format!("{} · {label}", size_text(size))}</span>
            </span>
            <IconDownload class=if mine { "h-5 w-5 shrink-0 text-indigo-100" } else { "h-5 w-5 shrink-0 text-slate-400" }/>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_apart_by_type_then_name() {
        assert_eq!(FileType::of("report.pdf", "application/pdf"), FileType::Pdf);
        assert_eq!(FileType::of("x.bin", "application/zip"), FileType::Archive);
        assert_eq!(FileType::of("notes.docx", "application/zip"), FileType::Document, "the bytes of a docx are a zip");
        assert_eq!(FileType::of("backup.tar.gz", "application/gzip"), FileType::Archive);
        assert_eq!(FileType::of("notes.docx", "application/octet-stream"), FileType::Document);
        assert_eq!(FileType::of("photo.jpg", "application/x-msdownload"), FileType::Other);
        assert_eq!(FileType::Other.label("photo.jpg"), "FILE", "a program called .jpg is not labelled JPG");
        assert_eq!(FileType::Archive.label("a.zip"), "ZIP");
        assert_eq!(FileType::Document.label("README"), "FILE");
        assert_eq!(FileType::Pdf.label("x"), "PDF");
    }
}
