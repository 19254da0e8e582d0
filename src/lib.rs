//! datto: the static site generator of the "Phụ nữ Đất Tổ" website, with the tallies of
//! the union's publicity targets (20 tin/bài per unit and 300 per province, each year).
//!
//! Data flows one way: [`site::Site::load`] (content → validated model) → [`plan`] (which
//! pages exist) → [`render`] (Tera) → [`output`] (staging folder, swapped in on success).

pub mod bodies;
pub mod build;
pub mod cli_vi;
pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostics;
pub mod editor;
pub mod figures;
pub mod front_matter;
pub mod images;
pub mod import;
pub mod incremental;
pub mod init;
pub mod links;
pub mod markdown;
pub mod output;
pub mod paths;
pub mod plan;
pub mod publish;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod sources;
pub mod tally;
pub mod text;
pub mod urls;

pub use diagnostics::{Diagnostic, Error};
