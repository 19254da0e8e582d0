#!/usr/bin/env bash
# bench/photos.sh: photos (issue #12). 40 bundles, each with one 4000×3000 q95 noise-rich JPEG
# with EXIF orientation 6 + GPS (examples/phone_photo.rs), added to the example site.
#   datto: cold build (cache and output removed), warm rebuild (both kept), and the same site
#   without the photos (the warm rebuild's baseline); Hugo 0.111 extended: the same derivatives
#   (3 WebP widths + one 1200×630 JPEG per photo, bench/hugo-photos), resources/_gen cleared.
#   Wall seconds and peak RSS from /usr/bin/time -f '%e %M'. Not a test.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$HERE/out/photos
N=${PHOTOS:-40}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --bin datto --example phone_photo
DATTO=$OUT/datto; cp "$REPO/target/release/datto" "$DATTO"
GEN=$REPO/target/release/examples/phone_photo

# The site: the example site + N bundles with a photo each (photos made once).
SITE=$OUT/site; PLAIN=$OUT/plain
rm -rf "$SITE" "$PLAIN"; mkdir -p "$SITE" "$PLAIN"
cp -r "$REPO/content" "$REPO/themes" "$SITE/"; cp -r "$REPO/content" "$REPO/themes" "$PLAIN/"
mkdir -p "$OUT/photos"
for i in $(seq 1 "$N"); do
  [ -f "$OUT/photos/$i.jpg" ] || "$GEN" "$OUT/photos/$i.jpg" "$i"
  d=$SITE/content/tin-bai/2026/anh-hoi-nghi-$i; mkdir -p "$d"
  printf -- '---\ntitle: Hội nghị số %s\ndate: 2026-05-%02d 08:00\nunit: viet-tri\nimage: anh.jpg\nimage_alt: Toàn cảnh hội nghị\n---\n\nNội dung.\n' "$i" $(( (i % 28) + 1 )) > "$d/index.md"
  cp "$OUT/photos/$i.jpg" "$d/anh.jpg"
  p=$PLAIN/content/tin-bai/2026/anh-hoi-nghi-$i; mkdir -p "$p"
  printf -- '---\ntitle: Hội nghị số %s\ndate: 2026-05-%02d 08:00\nunit: viet-tri\n---\n\nNội dung.\n' "$i" $(( (i % 28) + 1 )) > "$p/index.md"
done
du -sh "$OUT/photos"

t() { sync; /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
export SOURCE_DATE_EPOCH=1780000000
rm -rf "$SITE/.datto-cache" "$SITE/public"
echo "datto cold:  $(t "$DATTO" build --root "$SITE")"
echo "datto warm:  $(t "$DATTO" build --root "$SITE")"
"$DATTO" build --root "$PLAIN" >/dev/null
echo "datto plain: $(t "$DATTO" build --root "$PLAIN")"

if command -v hugo >/dev/null; then
  H=$OUT/hugo; rm -rf "$H"; cp -r "$HERE/hugo-photos" "$H"; mkdir -p "$H/content/tin"
  for i in $(seq 1 "$N"); do
    mkdir -p "$H/content/tin/$i"; cp "$OUT/photos/$i.jpg" "$H/content/tin/$i/anh.jpg"
    printf -- '---\ntitle: Hội nghị số %s\n---\nNội dung.\n' "$i" > "$H/content/tin/$i/index.md"
  done
  rm -rf "$H/resources/_gen" "$H/public"
  echo "hugo cold:   $(t hugo --source "$H" --quiet)"
  echo "hugo warm:   $(t hugo --source "$H" --quiet)"
fi
