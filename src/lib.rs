//! datto: the static site generator of the "Phụ nữ Đất Tổ" website, with the tallies of
//! the union's publicity targets (20 tin/bài per unit and 300 per province, each year).
//!
//! Data flows one way: [`site::Site::load`] (content → validated model) → [`plan`] (which
//! pages exist) → [`render`] (Tera) → [`output`] (staging folder, swapped in on success).

pub mod assemble;
pub mod base;
pub mod cli_vi;
pub mod commands;

pub mod emit;
pub mod images;
pub mod import;
pub mod load;
pub mod model;
pub mod publish;
pub mod render;
pub mod search;
pub mod tally;

pub use base::diagnostics::{Diagnostic, Error};
