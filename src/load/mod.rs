//! Reading the site from disk: the inventory of `content/`, each Markdown file parsed
//! into the model, and the set of sources `serve` refreshes file by file.

pub mod fingerprint;
pub mod inventory;
pub mod parse;
pub mod sources;
pub mod theme;
