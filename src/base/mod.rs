//! What every layer uses and nothing of datto's own: user-facing diagnostics, text and
//! YAML reading, slugs, dates, paths and URLs, and the project's folder and URL names.

pub mod dates;
pub mod diagnostics;
pub mod front_matter;
pub mod layout;
pub mod paths;
pub mod slug;
pub mod spill;
pub mod stamp;
pub mod text;
pub mod urls;
