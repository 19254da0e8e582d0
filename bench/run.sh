#!/usr/bin/env bash
# bench/run.sh [--quick]: datto against Hugo on the shared corpus (../shared/bench).
#
# For 1,000 and 10,000 items (200 profiles): one warm-up and 5 timed builds of each tool,
# alternating, with /usr/bin/time (wall seconds, peak RSS); prints medians and ratios. Then
# datto alone at 50,000 items (the scaling ratio), and `datto serve` on the 10,000-item site:
# the rebuild time it prints after one item is edited (5 edits, median) and after a template
# edit. --quick: 1 timed run each, no 50,000 point. Not a test: .ci/run does not call it.
# Both tools write over their previous output (datto swaps in a fresh folder; Hugo writes in
# place), as they would in daily use. Corpora are kept in bench/out/ between runs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$REPO/../shared/bench" && pwd)
OUT=$HERE/out
RUNS=5
SIZES=(1000 10000)
SCALE=50000
if [ "${1:-}" = "--quick" ]; then RUNS=1; SCALE=""; fi
mkdir -p "$OUT"
section() { printf '\n== %s\n' "$*"; }

section "tools"
if ! command -v hugo >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hugo >/dev/null
fi
hugo version
(cd "$REPO" && cargo build --release -q)
DATTO=$REPO/target/release/datto
echo "datto: $DATTO; $(nproc) cores; $(free -g | awk '/Mem:/ {print $2 " GiB"}')"

# make_corpora N: datto site in out/datto-N, Hugo site in out/hugo-N (same bodies).
make_corpora() {
  local n=$1
  local d=$OUT/datto-$n h=$OUT/hugo-$n
  if [ ! -f "$d/.complete" ]; then
    sh "$SHARED/make_site.sh" "$n" 200 "$d" "$REPO/themes" >/dev/null
    touch "$d/.complete"
  fi
  if [ ! -f "$h/.complete" ]; then
    rm -rf "$h"
    mkdir -p "$h"
    python3 "$SHARED/gen_corpus.py" --items "$n" --profiles 200 --out "$h/content" \
      --flavor hugo --news-dir tin-bai --profiles-dir mo-hinh >/dev/null
    cp -r "$HERE/hugo-site/." "$h/"
    # The generator puts the images under content/static; Hugo serves them from static/.
    mkdir -p "$h/static" && mv "$h/content/static/"* "$h/static/" && rmdir "$h/content/static"
    touch "$h/.complete"
  fi
}

# timed FILE CMD...: appends "wall_s max_rss_kb" to FILE.
timed() {
  local file=$1; shift
  /usr/bin/time -f '%e %M' -o "$file.one" "$@" >/dev/null 2>"$file.err" || { cat "$file.err"; exit 1; }
  cat "$file.one" >>"$file"
}

median() { # median FILE COLUMN
  python3 -c 'import sys, statistics; v=[float(l.split()[int(sys.argv[2])]) for l in open(sys.argv[1]) if l.strip()]; print(statistics.median(v))' "$1" "$2"
}

declare -A ROWS
for n in "${SIZES[@]}"; do
  section "corpus of $n items"
  make_corpora "$n"
  d=$OUT/datto-$n h=$OUT/hugo-$n
  rm -f "$OUT/t-datto-$n" "$OUT/t-hugo-$n"
  "$DATTO" build --root "$d" --output "$d/public" >/dev/null        # warm-up
  hugo --quiet -s "$h" -d "$h/public" >/dev/null                     # warm-up
  for _ in $(seq 1 "$RUNS"); do
    timed "$OUT/t-datto-$n" "$DATTO" build --root "$d" --output "$d/public"
    timed "$OUT/t-hugo-$n" hugo --quiet -s "$h" -d "$h/public"
  done
  dw=$(median "$OUT/t-datto-$n" 0); dm=$(median "$OUT/t-datto-$n" 1)
  hw=$(median "$OUT/t-hugo-$n" 0); hm=$(median "$OUT/t-hugo-$n" 1)
  ROWS[$n]=$(python3 -c "import sys; dw,dm,hw,hm=map(float,sys.argv[1:5]); print(f'| {int(sys.argv[5]):,} | {dw:.2f} | {dm/1024:.0f} | {hw:.2f} | {hm/1024:.0f} | {dw/hw:.2f} | {dm/hm:.2f} |')" "$dw" "$dm" "$hw" "$hm" "$n")
  echo "${ROWS[$n]}"
done

SCALING=""
if [ -n "$SCALE" ]; then
  section "datto at $SCALE items"
  make_corpora "$SCALE"
  d=$OUT/datto-$SCALE
  rm -f "$OUT/t-datto-$SCALE"
  "$DATTO" build --root "$d" --output "$d/public" >/dev/null
  for _ in $(seq 1 "$RUNS"); do timed "$OUT/t-datto-$SCALE" "$DATTO" build --root "$d" --output "$d/public"; done
  w50=$(median "$OUT/t-datto-$SCALE" 0); m50=$(median "$OUT/t-datto-$SCALE" 1)
  w10=$(median "$OUT/t-datto-10000" 0)
  SCALING=$(python3 -c "import sys; a,b,m=map(float,sys.argv[1:]); print(f'{a:.2f} s, {m/1024:.0f} MB: {a/b:.2f}x the 10,000-item time')" "$w50" "$w10" "$m50")
  echo "  $SCALING"
fi

section "datto serve on the 10,000-item site"
S=$OUT/serve-10000
rm -rf "$S" && mkdir -p "$S"
cp -r "$OUT/datto-10000/content" "$S/"
cp -r "$REPO/themes" "$S/themes"            # a copy: the template edit must not touch the project
"$DATTO" serve --port 0 --root "$S" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q "http://" "$OUT/serve.log" && break; sleep 0.1; done
ITEM=$(find "$S/content/tin-bai" -name '*.md' | sort | sed -n 1p)
wait_for_line() { # wait_for_line N: until the log has N rebuild lines
  for _ in $(seq 1 600); do [ "$(grep -c '^↻' "$OUT/serve.log")" -ge "$1" ] && return 0; sleep 0.05; done
  echo "no rebuild line"; cat "$OUT/serve.log"; exit 1
}
lines=$(grep -c '^↻' "$OUT/serve.log")
for i in 1 2 3 4 5; do
  echo "Câu thêm lần $i để đo." >>"$ITEM"
  lines=$((lines + 1)); wait_for_line "$lines"; sleep 0.3
done
EDIT_MS=$(grep '^↻ tin-bai' "$OUT/serve.log" | sed -E 's/.* trong ([0-9]+) ms.*/\1/' | python3 -c 'import sys, statistics; print(statistics.median(int(l) for l in sys.stdin))')
echo '{# bench #}' >>"$S/themes/datto/templates/item.html"
lines=$((lines + 1)); wait_for_line "$lines"
TEMPLATE_MS=$(grep '^↻ mẫu giao diện' "$OUT/serve.log" | tail -n 1 | sed -E 's/.* trong ([0-9]+) ms.*/\1/')
kill -TERM "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
trap - EXIT
FULL=$(median "$OUT/t-datto-10000" 0)
echo "  one item edited: median $EDIT_MS ms; template edited: $TEMPLATE_MS ms ($(python3 -c "print(f'{$TEMPLATE_MS/1000/$FULL:.2f}')")x a full build)"

section "result ($(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(hugo version | awk '{print $1, $2}' | sed 's/-.*//'), medians of $RUNS)"
echo "| items | datto wall (s) | datto RSS (MB) | Hugo wall (s) | Hugo RSS (MB) | wall ratio | RSS ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in "${SIZES[@]}"; do echo "${ROWS[$n]}"; done
[ -n "$SCALING" ] && echo && echo "datto at $SCALE items: $SCALING"
echo "serve, 10,000 items: one item edited → rebuilt in $EDIT_MS ms (median of 5); template edited → $TEMPLATE_MS ms"
