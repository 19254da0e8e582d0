#!/usr/bin/env bash
# bench/run.sh [--quick]: datto against Hugo on the shared corpus (../shared/bench), issue #6.
#
#   1,000 and 10,000 items (+ 200 profiles): one warm-up and 5 timed builds of each tool,
#   alternating datto/Hugo (a `sync` before each), with /usr/bin/time -f '%e %M' (wall s, peak RSS KB);
#   prints the medians and the datto/Hugo ratios as one markdown table.
#   50,000 items: the same for datto (the 50k/10k scaling ratio), and for Hugo unless its
#   warm-up build takes more than HUGO_MAX_S seconds (default 120).
#   `datto serve` on the 10,000-item site: the rebuild time the server prints after one item
#   is edited (5 edits, median), and after three template edits: a comment (renders nothing),
#   tally.html markup (a few pages) and item.html markup (every item page; its ratio to a full build).
#   The floor (issue 18, goal 2) at 10,000 and 50,000 items: `examples/floor.rs` reads every
#   input file and writes a tree of the same folders, file names and sizes as datto's output
#   into an empty folder (in parallel); alternating with it, datto's fresh build (into an
#   empty folder, as the floor) and a build over that output. Prints the fresh/floor ratio
#   and the fresh 50k/10k growth.
#   --quick: 1 timed run each, 1,000 and 10,000 items only (a smoke test, ~1 minute).
#
# Output folders: every timed build against Hugo writes into an empty folder, and datto starts
# without its .datto-cache/ (which would let it skip unchanged bodies and pages): the whole
# work every time. Builds over a previous output are the "again" figure of the floor table.
# Corpora are generated once into bench/out/ (gitignored; or $BENCH_OUT) and re-used while their item count
# matches. The datto binary is copied to bench/out/ first, so a concurrent `cargo build` cannot
# change it mid-run. Not a test: .ci/run does not call it. Full run on 2 cores: ~12 minutes
# the first time (generating the 50,000-item corpora takes ~3), ~9 after.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$REPO/../shared/bench" && pwd)
# BENCH_OUT=/dev/shm/bench puts corpora and outputs on tmpfs: this VM's ext4 slows file
# creation down run after run once many trees have been deleted (system time 0.16 -> 1.38 s
# over five 1,000-item builds), which then dominates both tools' figures.
OUT=${BENCH_OUT:-$HERE/out}
PROFILES=200
RUNS=5
SIZES=(1000 10000)
SCALE=50000
HUGO_MAX_S=${HUGO_MAX_S:-120}
case "${1:-}" in
  --quick) RUNS=1; SCALE="" ;;
  "") ;;
  *) echo "usage: bench/run.sh [--quick]" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
section() { printf '\n== %s\n' "$*"; }
py() { python3 -c "$@"; }

section "tools"
if ! command -v hugo >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hugo >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
HUGO_VERSION=$(hugo version | awk '{print $2}' | sed 's/+.*//')
hugo version
(cd "$REPO" && cargo build --release -q --bin datto --example floor)
DATTO=$OUT/datto
cp "$REPO/target/release/datto" "$DATTO.tmp" && mv -f "$DATTO.tmp" "$DATTO"
FLOOR=$OUT/floor
cp "$REPO/target/release/examples/floor" "$FLOOR.tmp" && mv -f "$FLOOR.tmp" "$FLOOR"
echo "datto: $REPO/target/release/datto (copied to $DATTO), built $(date -u -r "$DATTO" '+%Y-%m-%d %H:%M UTC')"
MACHINE="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "machine: $MACHINE"

# make_corpora N [hugo]: the datto site in out/datto-N (make_site.sh, the project's theme linked)
# and, with "hugo", the Hugo site in out/hugo-N (same bodies, Hugo front matter). A corpus is
# re-used when its .complete marker holds N and its item count is N.
corpus_ok() { # corpus_ok DIR N
  [ "$(cat "$1/.complete" 2>/dev/null)" = "$2" ] &&
    [ "$(find "$1/content/tin-bai" -name '*.md' | wc -l)" -eq "$2" ]
}
make_corpora() {
  local n=$1 d=$OUT/datto-$1 h=$OUT/hugo-$1
  if ! corpus_ok "$d" "$n"; then
    echo "generating the datto corpus of $n items in $d"
    sh "$SHARED/make_site.sh" "$n" "$PROFILES" "$d" "$REPO/themes" >/dev/null
    echo "$n" >"$d/.complete"
  fi
  [ "${2:-}" = hugo ] || return 0
  if ! corpus_ok "$h" "$n"; then
    echo "generating the Hugo corpus of $n items in $h"
    rm -rf "$h" && mkdir -p "$h"
    python3 "$SHARED/gen_corpus.py" --items "$n" --profiles "$PROFILES" --out "$h/content" \
      --flavor hugo --news-dir tin-bai --profiles-dir mo-hinh >/dev/null
    # The generator puts the images under content/static/; Hugo serves static/.
    mkdir -p "$h/static" && mv "$h/content/static/"* "$h/static/" && rmdir "$h/content/static"
    echo "$n" >"$h/.complete"
  fi
  # The skeleton is synced on every run, so an edit to bench/hugo-site/ is always measured.
  rm -rf "$h/layouts" "$h/hugo.toml" "$h/resources"
  cp -r "$HERE/hugo-site/." "$h/"
}

# timed FILE CMD...: runs CMD (stdout discarded), appends "wall_s max_rss_kb user_s sys_s" to FILE.
# `sync` first (untimed): each build starts with the other tool's written pages on disk, not
# being flushed under it (on this VM that flush made the next build up to 2x slower).
timed() {
  local file=$1; shift
  sync
  if ! /usr/bin/time -f '%e %M %U %S' -o "$file.one" "$@" >/dev/null 2>"$file.err"; then
    echo "FAILED: $*"; cat "$file.err"; exit 1
  fi
  cat "$file.one" >>"$file"
}
median() { # median FILE COLUMN (0 = wall s, 1 = RSS KB, 2 = user s, 3 = sys s, 4 = CPU s)
  py 'import sys, statistics
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
c = int(sys.argv[2])
print(statistics.median(r[2] + r[3] if c == 4 else r[c] for r in rows))' "$1" "$2"
}

# bench_floor N: RUNS alternating timed runs of the floor and datto's fresh build (each into
# a folder emptied just before, untimed: both meet the same slow file creation after many
# deletions on this VM's ext4), plus a datto build over the fresh output. Sets FLOOR_ROW[N].
declare -A FLOOR_ROW
bench_floor() {
  local n=$1 d=$OUT/datto-$1 spec=$OUT/floor-$1.spec fo=$OUT/floor-out-$1 fresh=$OUT/fresh-$1
  rm -rf "$fo" "$fresh" "$OUT/t-floor-$n" "$OUT/t-fresh-$n" "$OUT/t-again-$n"
  "$DATTO" build --root "$d" --output "$fresh" >/dev/null
  "$FLOOR" plan "$fresh" >"$spec"
  echo "floor: $(grep -c '^f' "$spec") files, $(grep -c '^d' "$spec") folders, $(awk '/^f/ {s += $2} END {printf "%.0f", s / 1e6}' "$spec") MB to write"
  for i in $(seq 1 "$RUNS"); do
    rm -rf "$fo"
    timed "$OUT/t-floor-$n" "$FLOOR" run "$spec" "$fo" "$d/content" "$d/themes"
    # A fresh build: no output and no cache (.datto-cache/ keeps the bodies and the output's
    # ledger between builds); "again" is the build over it with nothing changed.
    rm -rf "$fresh" "$d/.datto-cache"
    timed "$OUT/t-fresh-$n" "$DATTO" build --root "$d" --output "$fresh"
    timed "$OUT/t-again-$n" "$DATTO" build --root "$d" --output "$fresh"
    echo "run $i ($(uptime | sed 's/.*load average: //')): floor $(tail -n 1 "$OUT/t-floor-$n"), datto fresh $(tail -n 1 "$OUT/t-fresh-$n"), again $(tail -n 1 "$OUT/t-again-$n")  (wall s, KB, user s, sys s)"
  done
  rm -rf "$fo"
  FLOOR_ROW[$n]=$(py 'import sys, statistics
def med(f, c):
    rows = [list(map(float, l.split())) for l in open(f) if l.strip()]
    return statistics.median(r[2] + r[3] if c == 4 else r[c] for r in rows)
out, n = sys.argv[1], int(sys.argv[2])
fl, fr, ag = (f"{out}/t-{k}-{n}" for k in ("floor", "fresh", "again"))
print(f"| {n:,} | {med(fl, 0):.2f} | {med(fl, 4):.2f} | {med(fr, 0):.2f} | {med(fr, 4):.2f} | "
      f"{med(fr, 1) / 1024:.0f} | {med(fr, 0) / med(fl, 0):.2f} | {med(ag, 0):.2f} | {med(ag, 4):.2f} |")' "$OUT" "$n")
  echo "${FLOOR_ROW[$n]}"
}

# bench_size N: warm-ups (printing each tool's page count), then RUNS alternating timed runs.
# Sets ROW[N] (a table row). Hugo is skipped at N when its warm-up took more than HUGO_MAX_S.
declare -A ROW
bench_size() {
  local n=$1 d=$OUT/datto-$1 h=$OUT/hugo-$1 with_hugo=1
  rm -rf "$d/public" "$h/public" "$OUT/t-datto-$n" "$OUT/t-hugo-$n" "$OUT/t-hugo-$n-warm"
  "$DATTO" build --root "$d" --output "$d/public" >"$OUT/datto-$n.log"
  echo "warm-up: datto: $(tail -n 1 "$OUT/datto-$n.log")"
  /usr/bin/time -f '%e %M' -o "$OUT/t-hugo-$n-warm" hugo -s "$h" -d "$h/public" >"$OUT/hugo-$n.log"
  echo "warm-up: Hugo: $(awk -F'|' '/^ *(Pages|Paginator pages) / {gsub(/^ +| +$/, "", $1);
    gsub(/ /, "", $2); printf "%s %s, ", $2, tolower($1)}' "$OUT/hugo-$n.log")$(cut -d' ' -f1 "$OUT/t-hugo-$n-warm") s"
  grep -E 'WARN|ERROR' "$OUT/hugo-$n.log" || true
  if py 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' \
      "$(cut -d' ' -f1 "$OUT/t-hugo-$n-warm")" "$HUGO_MAX_S"; then
    echo "Hugo's warm-up took more than $HUGO_MAX_S s: timing datto alone at $n items"
    with_hugo=0
  fi
  for i in $(seq 1 "$RUNS"); do
    # Fresh outputs for both, and no datto cache: the whole work every time.
    rm -rf "$d/public" "$d/.datto-cache" "$h/public"
    timed "$OUT/t-datto-$n" "$DATTO" build --root "$d" --output "$d/public"
    if [ "$with_hugo" = 1 ]; then timed "$OUT/t-hugo-$n" hugo --quiet -s "$h" -d "$h/public"; fi
    echo "run $i: datto $(tail -n 1 "$OUT/t-datto-$n")$([ "$with_hugo" = 1 ] && echo ", Hugo $(tail -n 1 "$OUT/t-hugo-$n")")  (s KB)"
  done
  local dw dm hw=0 hm=0
  dw=$(median "$OUT/t-datto-$n" 0); dm=$(median "$OUT/t-datto-$n" 1)
  if [ "$with_hugo" = 1 ]; then hw=$(median "$OUT/t-hugo-$n" 0); hm=$(median "$OUT/t-hugo-$n" 1); fi
  ROW[$n]=$(py 'import sys
n, dw, dm, hw, hm = int(sys.argv[1]), *map(float, sys.argv[2:])
if hw:
    print(f"| {n:,} | {dw:.2f} | {dm/1024:.0f} | {hw:.2f} | {hm/1024:.0f} | {dw/hw:.2f} | {dm/hm:.2f} |")
else:
    print(f"| {n:,} | {dw:.2f} | {dm/1024:.0f} | – | – | – | – |")' "$n" "$dw" "$dm" "$hw" "$hm")
  echo "${ROW[$n]}"
}

for n in "${SIZES[@]}"; do
  section "corpus of $n items"
  make_corpora "$n" hugo
  bench_size "$n"
done
section "the floor and datto's fresh build, 10,000 items"
bench_floor 10000

SCALING=""
if [ -n "$SCALE" ]; then
  section "corpus of $SCALE items"
  make_corpora "$SCALE" hugo
  bench_size "$SCALE"
  section "the floor and datto's fresh build, $SCALE items"
  bench_floor "$SCALE"
  SCALING=$(py 'import os, sys
def med(f, c):
    import statistics
    return statistics.median(float(l.split()[c]) for l in open(f) if l.strip())
out, big, small = sys.argv[1], sys.argv[2], sys.argv[3]
d = med(f"{out}/t-datto-{big}", 0) / med(f"{out}/t-datto-{small}", 0)
s = f"datto at {int(big):,} items takes {d:.2f}x its {int(small):,}-item time (goal: <= 5.5x)"
d = med(f"{out}/t-fresh-{big}", 0) / med(f"{out}/t-fresh-{small}", 0)
s += f"; fresh builds: {d:.2f}x (goal, issue 18: <= 5.2x)"
h = f"{out}/t-hugo-{big}"
if os.path.exists(h) and os.path.getsize(h):
    h0 = out + "/t-hugo-" + small
    s += f"; Hugo {med(h, 0) / med(h0, 0):.2f}x"
print(s)' "$OUT" "$SCALE" 10000)
  echo "$SCALING"
fi

section "datto serve on the 10,000-item site"
S=$OUT/serve-10000
LOG=$OUT/serve.log
rm -rf "$S" && mkdir -p "$S"
cp -r "$OUT/datto-10000/content" "$S/"
cp -r "$REPO/themes" "$S/themes"   # a copy, not make_site.sh's link: the template edit below
                                   # must not touch the project's theme
"$DATTO" serve --port 0 --root "$S" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do
  grep -q 'Đang phục vụ' "$LOG" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "datto serve exited:"; cat "$LOG"; exit 1; }
  sleep 0.1
done
grep -q 'Đang phục vụ' "$LOG" || { echo "datto serve did not start in 120 s:"; cat "$LOG"; exit 1; }
grep -m1 'Đang phục vụ' "$LOG"
grep -m1 '^↻' "$LOG" || true

# rebuild_after OFFSET [PATTERN]: waits (30 s at most) for the first "↻ … trong N ms" line
# (or the first line matching PATTERN) after line OFFSET of the log and prints N. A rebuild
# prints "↻ …: N trang vẽ lại …" when done, and before that, when it renders the open tabs'
# pages first, "↻ …: N trang đang mở đã vẽ lại trong …".
rebuild_after() {
  local line
  for _ in $(seq 1 600); do
    line=$(tail -n "+$(($1 + 1))" "$LOG" | grep -m1 "${2:-^↻.* trang vẽ lại}" || true)
    if [ -n "$line" ]; then
      echo "  $line" >&2
      echo "$line" | sed -nE 's/.* trong ([0-9]+) ms.*/\1/p'
      return 0
    fi
    sleep 0.05
  done
  echo "no rebuild line after 30 s:" >&2; cat "$LOG" >&2; exit 1
}
ITEM=$(find "$S/content/tin-bai/2019" -name '*.md' | sort | sed -n 1p)
echo "editing ${ITEM#"$S/content/"} 5 times"
: >"$OUT/serve-edits"
for i in 1 2 3 4 5; do
  sync   # as before each timed build: no other writes being flushed during the rebuild
  off=$(wc -l <"$LOG")
  echo "Câu thêm lần $i để đo thời gian dựng lại." >>"$ITEM"
  rebuild_after "$off" >>"$OUT/serve-edits"
  sleep 0.5   # let the watcher settle before the next save
done
EDIT_MS=$(py 'import sys, statistics; print(round(statistics.median(int(l) for l in open(sys.argv[1]) if l.strip())))' "$OUT/serve-edits")
# Template edits, cheapest first: a comment (no page changes), the tally page's markup (a
# few pages use it), the item page's markup (all 10,000 item pages change: the measured one).
T=$S/themes/datto/templates
# template_edit FILE SED-SCRIPT WHAT: edits the served theme's FILE, prints the rebuild time.
template_edit() {
  echo "editing $1: $3" >&2
  sync
  local off
  off=$(wc -l <"$LOG")
  sed -i "$2" "$T/$1"
  rebuild_after "$off"
  sleep 0.5
}
COMMENT_MS=$(template_edit item.html 's/{% block content %}/{% block content %}{# bench #}/' "a Tera comment")
TALLY_MS=$(template_edit tally.html '0,/<h1/s/<h1/<h1 data-bench="1"/' markup)
# The last edit with a tab open on the edited item's page (its events stream names the page):
# the time until that tab reloads, and until every page is rendered.
PORT=$(grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' "$LOG" | sed 's/.*://')
PAGE=/${ITEM#"$S/content/"}; PAGE=${PAGE%.md}/
curl -sN "http://127.0.0.1:$PORT/__datto/events?page=$PAGE" >/dev/null &
TAB=$!
sleep 0.5
echo "editing item.html: markup, with a tab open on $PAGE" >&2
sync
off=$(wc -l <"$LOG")
sed -i 's/<article class="article">/<article class="article" data-bench="1">/' "$T/item.html"
TEMPLATE_OPEN_MS=$(rebuild_after "$off" 'trang đang mở')
TEMPLATE_MS=$(rebuild_after "$off")
kill "$TAB" 2>/dev/null || true
kill -TERM "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
trap - EXIT
if grep -qiE 'lỗi|error|panic' "$LOG"; then echo "the server log has errors:"; cat "$LOG"; fi
FULL=$(median "$OUT/t-datto-10000" 0)
# shellcheck disable=SC2016 # the backquotes are markdown
SERVE=$(py 'import sys
e, t, full, c, y, o = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
print(f"`datto serve`, 10,000 items: one item edited -> rebuilt in {e} ms (median of 5; goal <= 30 ms); "
      f"item.html markup edited (10,000 pages change) -> the open tab reloads after {o} ms = {o / 1000 / full:.2f}x "
      f"the median full build of {full:.2f} s (goal <= 0.3x), every page after {t} ms = {t / 1000 / full:.2f}x; "
      f"tally.html markup edited -> {y} ms; a comment added -> {c} ms")' \
  "$EDIT_MS" "$TEMPLATE_MS" "$FULL" "$COMMENT_MS" "$TALLY_MS" "$TEMPLATE_OPEN_MS")
echo "$SERVE"

section "result ($(date -u +%Y-%m-%d), $MACHINE, Hugo $HUGO_VERSION, medians of $RUNS)"
{
  echo "| items | datto wall (s) | datto RSS (MB) | Hugo wall (s) | Hugo RSS (MB) | wall ratio | RSS ratio |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for n in "${SIZES[@]}" $SCALE; do echo "${ROW[$n]}"; done
  echo
  echo "Goals (issue #6): wall ratio <= 0.2 at 1,000 and 10,000 items, RSS ratio <= 0.25 at 10,000."
  [ -n "$SCALING" ] && echo "$SCALING"
  echo "$SERVE"
  echo
  echo "| items | floor wall (s) | floor CPU (s) | datto fresh wall (s) | datto fresh CPU (s) | datto fresh RSS (MB) | fresh/floor | datto again wall (s) | datto again CPU (s) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in 10000 $SCALE; do echo "${FLOOR_ROW[$n]}"; done
  echo
  echo "Goal (issue 18): datto's fresh build <= 1.6x the floor measured in the same run."
} | tee "$OUT/result.md"
