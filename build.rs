//! The default theme is compiled into the binary (`include_dir!` in `src/load/theme.rs`),
//! and that macro does not tell Cargo which files it read: without this line an edited
//! template or a new image in `themes/datto/` would leave the binary with the old theme.
fn main() {
    println!("cargo:rerun-if-changed=themes/datto");
}
