//! The loaded content → one immutable [`crate::model::site::Site`]: what is published,
//! in which order, at which paths, with its links resolved and its Markdown rendered.

pub mod bodies;
pub mod figures;
pub mod links;
pub mod markdown;
