//! Small building blocks shared by the pages: props in, views out.
pub mod add_contact;
pub mod avatar;
pub mod brand;
pub mod code_entry;
pub mod confirm;
pub mod error_view;
pub mod form;
pub mod icons;
pub mod loaded;
pub mod passkeys;
pub mod sheet;
pub mod text;
pub mod time;
