//! `cargo run --release --example phone_photo -- OUT.jpg [SEED] [WIDTH HEIGHT]`: a q95 JPEG
//! (4000×3000 unless told: 3–5 MB, as a phone writes them) with EXIF orientation 6 and a GPS
//! block (for `bench/photos.sh` and `bench/everything.sh`).

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: phone_photo OUT.jpg [SEED] [WIDTH HEIGHT]");
        return std::process::ExitCode::from(2);
    };
    let mut number = |default: u32| args.next().and_then(|s| s.parse().ok()).unwrap_or(default);
    let seed = number(1);
    let (width, height) = (number(4000), number(3000));
    let bytes = datto::images::testing::phone_jpeg(width, height, 95, 6, true, scene(seed));
    match std::fs::write(&out, bytes) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{out}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Pixels that compress like a phone photo at q95 (3–5 MB at 4000×3000): smooth light
/// across the frame, a few soft-edged shapes, fine texture and sensor noise of a few
/// levels (pure noise, as `datto::images::testing::noise`, makes files three times too large).
fn scene(seed: u32) -> impl Fn(u32, u32) -> [u8; 3] {
    move |x, y| {
        let hash = |a: u32, b: u32, salt: u32| {
            let mut h = a.wrapping_mul(0x9E37_79B1) ^ b.wrapping_mul(0x85EB_CA77) ^ seed ^ salt;
            h ^= h >> 15;
            h = h.wrapping_mul(0x2C1B_3C6D);
            h ^= h >> 12;
            h
        };
        let (fx, fy) = (x as f32, y as f32);
        // Light: a sky-to-ground gradient with a slow wave.
        let light = 150.0 + 60.0 * (fy / 1500.0).sin() + 30.0 * ((fx + fy) / 900.0).cos();
        // Shapes: a grid of blobs (people, chairs, a banner) of seeded colours.
        let (cx, cy) = (x / 320, y / 280);
        let tint = hash(cx, cy, 0x51);
        let (dx, dy) = (fx - (cx * 320 + 160) as f32, fy - (cy * 280 + 140) as f32);
        let inside = (dx * dx + dy * dy).sqrt() < 90.0 + (tint & 0x3F) as f32;
        let base = if inside {
            [
                (tint & 0xFF) as f32,
                ((tint >> 8) & 0xFF) as f32,
                ((tint >> 16) & 0xFF) as f32,
            ]
        } else {
            [light, light * 0.9, light * 0.75]
        };
        // Texture (fabric, foliage) and sensor noise.
        let texture = 6.0 * ((fx / 3.1).sin() * (fy / 2.7).cos());
        let grain = hash(x, y, 0xA7);
        let mut out = [0u8; 3];
        for (i, value) in out.iter_mut().enumerate() {
            let noise = ((grain >> (8 * i)) & 0x07) as f32 - 3.5;
            *value = (base[i] + texture + noise).clamp(0.0, 255.0) as u8;
        }
        out
    }
}
