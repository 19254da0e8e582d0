//! The data every stage passes on: the site's configuration, its content, the assembled
//! site and its plan of pages. Types only, with the methods that read them.

pub mod config;
pub mod content;
pub mod plan;
pub mod site;
