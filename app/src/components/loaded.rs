//! A view built from data that has already loaded, and built only once.
//!
//! Before rendering on the server, `Suspense` and `Transition` call their children once more after
//! the last resource resolves (a "dry resolve"), to find resources read further down: the closure
//! runs, builds its whole view and walks it, and the view is thrown away; then rendering calls
//! the closure again and builds it all a second time. A list of fifty chats was built twice per
//! page. [`Loaded`] holds the function that builds such a view, so the walk stops at it and the
//! view is built once, when it is rendered (or hydrated, or mounted, in the browser).
use std::future::Future;

use leptos::tachys::{
    html::attribute::{Attribute, any_attribute::AnyAttribute},
    hydration::Cursor,
    ssr::StreamBuilder,
    view::{Position, PositionState, Render, RenderHtml, add_attr::AddAnyAttr},
};

/// Wraps the function that builds a view reading no resource of its own (its data came from one
/// already read above it, in the closure that returns this): a `Suspense`'s walk for pending
/// resources stops here, and the view is built only when it is rendered.
pub struct Loaded<F>(pub F);

impl<F, V> Render for Loaded<F>
where
    F: FnOnce() -> V,
    V: Render,
{
    type State = V::State;

    fn build(self) -> Self::State {
        (self.0)().build()
    }

    fn rebuild(self, state: &mut Self::State) {
        (self.0)().rebuild(state)
    }
}

impl<F, V> AddAnyAttr for Loaded<F>
where
    F: FnOnce() -> V,
    V: AddAnyAttr,
{
    type Output<SomeNewAttr: Attribute> = V::Output<SomeNewAttr>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        (self.0)().add_any_attr(attr)
    }
}

impl<F, V> RenderHtml for Loaded<F>
where
    F: FnOnce() -> V + Send + 'static,
    V: RenderHtml,
{
    type AsyncOutput = V::AsyncOutput;
    type Owned = Self;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    /// Nothing below reads a resource, so there is nothing to find, and nothing is built.
    fn dry_resolve(&mut self) {}

    /// Builds the view now, in the caller's reactive owner (where the unwrapped view was built),
    /// not later when the future is first polled.
    fn resolve(self) -> impl Future<Output = Self::AsyncOutput> + Send {
        (self.0)().resolve()
    }

    fn to_html_with_buf(self, buf: &mut String, position: &mut Position, escape: bool, mark_branches: bool, extra_attrs: Vec<AnyAttribute>) {
        (self.0)().to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        (self.0)().to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs)
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        (self.0)().hydrate::<FROM_SERVER>(cursor, position)
    }

    fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> impl Future<Output = Self::State> {
        (self.0)().hydrate_async(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}
