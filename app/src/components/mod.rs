//! Small building blocks shared by the pages: props in, views out.
pub mod avatar;
pub mod brand;
pub mod error_view;
pub mod icons;
