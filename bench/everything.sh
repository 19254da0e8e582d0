#!/usr/bin/env bash
# bench/everything.sh: issue 18 goal 1, the whole site with every feature on. The 10,000-item
# shared corpus (+ 200 profiles) plus 500 items with a 2000×1500 q95 photo each (EXIF
# orientation 6 + GPS, examples/phone_photo.rs), search index included:
#   fresh: datto with no output and an empty image cache, against Hugo 0.111 extended with no
#     output and resources/_gen cleared, making the same derivatives (3 WebP widths + a
#     1200×630 JPEG per photo: bench/hugo-photos/layouts/partials/photo.html) and then the
#     Pagefind CLI over its output (the search index Hugo does not make itself);
#   warm: the same again with nothing changed (datto's cache and output kept; Hugo's public/
#     and resources/_gen kept, Pagefind run again: it has no incremental mode).
# RUNS rounds (default 3), each datto fresh, Hugo fresh, datto warm, Hugo warm, a `sync` before
# each; /usr/bin/time -f '%e %M' (wall s, peak RSS KB). Hugo + Pagefind: the walls add, the
# peak is the larger of the two. Medians, one markdown table, also in bench/out/everything.md.
# BENCH_DIR (default bench/out/everything) holds the sites; on this VM's ext4, creating many
# files is slow after many deletions (see the README), /dev/shm gives steadier figures.
# Needs hugo, python3, npm (Pagefind pinned in bench/pagefind/package.json). Not a test.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$REPO/../shared/bench" 2>/dev/null || cd "$REPO/../../shared/bench" && pwd)
OUT=$HERE/out
W=${BENCH_DIR:-$OUT/everything}
RUNS=${RUNS:-3}
N=10000
PHOTOS=500
mkdir -p "$OUT" "$W"
section() { printf '\n== %s\n' "$*"; }
py() { python3 -c "$@"; }

section "tools"
hugo version
(cd "$REPO" && cargo build --release --quiet --bin datto --example phone_photo)
DATTO=$W/datto; cp "$REPO/target/release/datto" "$DATTO.tmp" && mv -f "$DATTO.tmp" "$DATTO"
GEN=$REPO/target/release/examples/phone_photo
PF=$OUT/pagefind/node_modules/.bin/pagefind
if [ ! -x "$PF" ]; then
  mkdir -p "$OUT/pagefind" && cp "$HERE/pagefind/package.json" "$OUT/pagefind/"
  (cd "$OUT/pagefind" && npm install --no-audit --no-fund --loglevel=error)
fi
echo "Pagefind $("$PF" --version)"
echo "datto $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo ' + changes'); $(nproc) cores; $(uptime)"

section "corpora in $W"
mkdir -p "$W/photos"
seq 1 "$PHOTOS" | xargs -P "$(nproc)" -I{} sh -c \
  '[ -f "$0/photos/{}.jpg" ] || "$1" "$0/photos/{}.jpg" {} 2000 1500' "$W" "$GEN"
echo "photos: $(du -sh "$W/photos" | cut -f1) ($PHOTOS files)"
D=$W/datto-site; H=$W/hugo-site
# The text corpus is made once (.text), the photo items added after (.complete).
if [ "$(cat "$D/.complete" 2>/dev/null)" != "$N+$PHOTOS" ]; then
  if [ "$(cat "$D/.text" 2>/dev/null)" != "$N" ]; then
    sh "$SHARED/make_site.sh" "$N" 200 "$D" "$REPO/themes" >/dev/null && echo "$N" >"$D/.text"
  fi
  for i in $(seq 1 "$PHOTOS"); do
    d=$D/content/tin-bai/2026/anh-su-kien-$i; mkdir -p "$d"
    printf -- '---\ntitle: Sự kiện có ảnh số %s\ndate: 2026-%02d-%02d 08:00\nunit: viet-tri\nimage: anh.jpg\nimage_alt: Toàn cảnh sự kiện\n---\n\nNội dung sự kiện.\n' \
      "$i" $(( (i % 11) + 1 )) $(( (i % 28) + 1 )) >"$d/index.md"
    cp "$W/photos/$i.jpg" "$d/anh.jpg"
  done
  echo "$N+$PHOTOS" >"$D/.complete"
fi
if [ "$(cat "$H/.complete" 2>/dev/null)" != "$N+$PHOTOS" ]; then
  if [ "$(cat "$H/.text" 2>/dev/null)" != "$N" ]; then
    rm -rf "$H" && mkdir -p "$H"
    python3 "$SHARED/gen_corpus.py" --items "$N" --profiles 200 --out "$H/content" \
      --flavor hugo --news-dir tin-bai --profiles-dir mo-hinh >/dev/null
    mkdir -p "$H/static" && mv "$H/content/static/"* "$H/static/" && rmdir "$H/content/static"
    echo "$N" >"$H/.text"
  fi
  for i in $(seq 1 "$PHOTOS"); do
    d=$H/content/tin-bai/anh-su-kien-$i; mkdir -p "$d"
    printf -- '---\ntitle: Sự kiện có ảnh số %s\ndate: 2026-%02d-%02dT08:00:00+07:00\nunit: viet-tri\nunits: [viet-tri]\n---\n\nNội dung sự kiện.\n' \
      "$i" $(( (i % 11) + 1 )) $(( (i % 28) + 1 )) >"$d/index.md"
    cp "$W/photos/$i.jpg" "$d/anh.jpg"
  done
  echo "$N+$PHOTOS" >"$H/.complete"
fi
# Hugo's skeleton: bench/run.sh's, with the photo partial called before each item's content.
rm -rf "$H/layouts" "$H/hugo.toml"
cp -r "$HERE/hugo-site/." "$H/"
mkdir -p "$H/layouts/partials" && cp "$HERE/hugo-photos/layouts/partials/photo.html" "$H/layouts/partials/"
sed -i 's/{{ \.Content }}/{{ partial "photo.html" . }}\n{{ .Content }}/' "$H/layouts/_default/single.html"
grep -q 'partial "photo.html"' "$H/layouts/_default/single.html"
printf '\n[imaging]\n  quality = 78\n  resampleFilter = "Lanczos"\n' >>"$H/hugo.toml"

# timed FILE CMD...: appends "wall_s max_rss_kb" to FILE.
timed() {
  local file=$1; shift
  sync
  if ! /usr/bin/time -f '%e %M' -o "$file.one" "$@" >/dev/null 2>"$file.err"; then
    echo "FAILED: $*"; cat "$file.err"; exit 1
  fi
  cat "$file.one" >>"$file"
}
T=$W/times; rm -rf "$T"; mkdir -p "$T"
export SOURCE_DATE_EPOCH=1780000000
datto_run() { timed "$T/datto-$1" "$DATTO" build --root "$D" --output "$D/public"; }
hugo_run() {
  timed "$T/hugo-$1" hugo --quiet -s "$H" -d "$H/public"
  rm -rf "$H/public/pagefind"
  timed "$T/pagefind-$1" "$PF" --site "$H/public"
}
section "runs (wall s, peak KB)"
LOAD=$(uptime | sed 's/.*load average: //')
for i in $(seq 1 "$RUNS"); do
  rm -rf "$D/public" "$D/.datto-cache"; datto_run fresh
  rm -rf "$H/public" "$H/resources"; hugo_run fresh
  datto_run warm
  hugo_run warm
  echo "round $i: datto fresh $(tail -n1 "$T/datto-fresh"), warm $(tail -n1 "$T/datto-warm");" \
    "Hugo fresh $(tail -n1 "$T/hugo-fresh") + Pagefind $(tail -n1 "$T/pagefind-fresh")," \
    "warm $(tail -n1 "$T/hugo-warm") + Pagefind $(tail -n1 "$T/pagefind-warm")"
done
echo "datto: $(find "$D/public" -type f | wc -l) files, $(du -sh "$D/public" | cut -f1); Hugo: $(find "$H/public" -type f | wc -l) files, $(du -sh "$H/public" | cut -f1)"

section "result"
py '
import statistics, sys
t, runs, load = sys.argv[1], sys.argv[2], sys.argv[3]
def col(name, c):
    rows = [l.split() for l in open(f"{t}/{name}") if l.strip()]
    return [float(r[c]) for r in rows]
med = statistics.median
print(f"| {runs} round(s), medians; load average before: {load} | datto wall (s) | datto peak (MB) "
      "| Hugo + Pagefind wall (s) | Hugo + Pagefind peak (MB) | wall ratio | memory ratio | goal |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for case, goal in (("fresh", "≤ 0.2× wall and memory"), ("warm", "≤ 0.1× wall")):
    dw, dm = med(col(f"datto-{case}", 0)), med(col(f"datto-{case}", 1)) / 1024
    hw = [a + b for a, b in zip(col(f"hugo-{case}", 0), col(f"pagefind-{case}", 0))]
    hm = [max(a, b) / 1024 for a, b in zip(col(f"hugo-{case}", 1), col(f"pagefind-{case}", 1))]
    hp = (med(col("hugo-" + case, 0)), med(col("pagefind-" + case, 0)))
    hpm = (med(col("hugo-" + case, 1)) / 1024, med(col("pagefind-" + case, 1)) / 1024)
    hugo = f"{hp[0]:.1f} + {hp[1]:.1f}"
    hmem = f"{hpm[0]:.0f} / {hpm[1]:.0f}"
    print(f"| {case} | {dw:.2f} | {dm:.0f} | {med(hw):.1f} ({hugo}) | {med(hm):.0f} ({hmem}) "
          f"| {dw / med(hw):.3f} | {dm / med(hm):.3f} | {goal} |")
' "$T" "$RUNS" "$LOAD" | tee "$OUT/everything.md"
