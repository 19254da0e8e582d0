//! `cargo run --release --example phone_photo -- OUT.jpg [SEED] [WIDTH HEIGHT]`: a q95 JPEG
//! (4000×3000 unless told: 3–5 MB, as a phone writes them) with EXIF orientation 6 and a GPS
//! block (for `bench/photos.sh` and `bench/everything.sh`).

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: phone_photo OUT.jpg [SEED]");
        return std::process::ExitCode::from(2);
    };
    let mut number = |default: u32| args.next().and_then(|s| s.parse().ok()).unwrap_or(default);
    let seed = number(1);
    let (width, height) = (number(4000), number(3000));
    let bytes = datto::images::testing::phone_jpeg(
        width,
        height,
        95,
        6,
        true,
        datto::images::testing::scene(seed),
    );
    match std::fs::write(&out, bytes) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{out}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
