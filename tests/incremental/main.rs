//! `serve`'s incremental rebuilds write exactly what a fresh `datto build` writes, after each
//! kind of edit, while rendering only the pages an edit affects. One test binary, split by
//! concern: edits of every kind (`edits`), renames and random sequences (`moves`), open tabs
//! first (`open_first`), and the shortcut of an edit that moves nothing (`patch`).

#[path = "../common/mod.rs"]
mod common;
mod edits;
mod harness;
mod moves;
mod open_first;
mod patch;
