//! `cargo run --release --example phone_photo -- OUT.jpg [SEED]`: a 4000×3000 q95 noise-rich
//! JPEG with EXIF orientation 6 and a GPS block, like a phone's (for `bench/photos.sh`).

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: phone_photo OUT.jpg [SEED]");
        return std::process::ExitCode::from(2);
    };
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let bytes = datto::images::testing::phone_jpeg(
        4000,
        3000,
        95,
        6,
        true,
        datto::images::testing::noise(seed),
    );
    match std::fs::write(&out, bytes) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{out}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
