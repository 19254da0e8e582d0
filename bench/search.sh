#!/usr/bin/env bash
# bench/search.sh: what datto's search index costs on the 10,000-item corpus, and the same
# site indexed by the Pagefind CLI (issue 14). Prints one markdown table, also written to
# bench/out/search-result.md.
#
#   build: the worktree's datto built twice, with the index (default features) and without it
#     (`--no-default-features`: the Cargo feature `search` gates only the build's index calls),
#     RUNS alternating first builds of the same root, each into an empty folder, /usr/bin/time
#     -f '%e %U %S %M' (wall s, user s, sys s, peak RSS KB); medians.
#   index: total size of tim-kiem/ (shards, records, filter lists, manifest) and of Pagefind's
#     output; Pagefind timed the same way (`pagefind --site public --output-path …`).
#   queries: each query in headless Chromium with an empty cache (bench/search-query.mjs):
#     bytes fetched (script + index files as stored) and ms from the query's start to the first
#     results, for datto's /tim-kiem/ and for Pagefind's JS API (search + the first 10 results).
#   serve: the rebuild time `datto serve` prints after one item is edited (5 edits, median);
#     the index update alone is `DATTO_BENCH_SITE=bench/out/datto-10000 cargo bench --bench search`.
#
# Needs: python3, node (with PAGEFIND=1 also npm: Pagefind pinned in bench/pagefind/package.json,
# installed into bench/out/pagefind), Chromium and tests/browser/node_modules (tests/browser/check.sh
# installs them). Not a test: .ci/run does not call it. ~5 minutes on 2 cores, plus the two
# release builds.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# The shared corpus generator: beside the repository (../shared), or beside a worktree's parent.
SHARED=$(cd "$REPO/../shared/bench" 2>/dev/null || cd "$REPO/../../shared/bench" && pwd)
OUT=$HERE/out
N=10000
RUNS=${RUNS:-3}
BASELINE_REV=${BASELINE_REV:-$(git -C "$REPO" log --format=%H -n 1 --diff-filter=A -- src/search/mod.rs)~1}
QUERIES='["phu nu dat to", "duong", "khoi ngh", "hội nghị sơ kết", "viet tri"]'
mkdir -p "$OUT"
section() { printf '\n== %s\n' "$*"; }
py() { python3 -c "$@"; }
port() { py 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

section "binaries"
# SEARCH_BIN / NOSEARCH_BIN: binaries already built that way (skips the two release builds).
if [ -n "${NOSEARCH_BIN:-}" ]; then cp "$NOSEARCH_BIN" "$OUT/datto-nosearch"; else
  (cd "$REPO" && cargo build --release -q --no-default-features)
  cp "$REPO/target/release/datto" "$OUT/datto-nosearch"
fi
if [ -n "${SEARCH_BIN:-}" ]; then cp "$SEARCH_BIN" "$OUT/datto-search"; else
  (cd "$REPO" && cargo build --release -q)
  cp "$REPO/target/release/datto" "$OUT/datto-search"
fi
echo "with and without search: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo ' + changes')"

section "corpus of $N items"
D=$OUT/datto-$N
if [ "$(cat "$D/.complete" 2>/dev/null)" != "$N" ]; then
  sh "$SHARED/make_site.sh" "$N" 200 "$D" "$REPO/themes" >/dev/null
  echo "$N" >"$D/.complete"
fi
rm -rf "$D/themes" && cp -r "$REPO/themes" "$D/themes"   # the theme being measured

section "first builds into an empty folder (RUNS=$RUNS, alternating)"
timed() { # timed FILE CMD...
  local file=$1; shift
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$file.one" "$@" >/dev/null 2>"$file.err" || { cat "$file.err"; exit 1; }
  cat "$file.one" >>"$file"
}
rm -f "$OUT"/t-search-* "$OUT"/t-nosearch-*
for i in $(seq 1 "$RUNS"); do
  # No cache either: .datto-cache/ keeps rendered bodies between builds.
  rm -rf "$OUT/public-nosearch" "$D/.datto-cache" && sync
  timed "$OUT/t-nosearch-first" "$OUT/datto-nosearch" build --root "$D" --output "$OUT/public-nosearch"
  rm -rf "$D/public" "$D/.datto-cache" && sync
  timed "$OUT/t-search-first" "$OUT/datto-search" build --root "$D" --output "$D/public"
  echo "run $i: without search $(tail -n 1 "$OUT/t-nosearch-first"), with search $(tail -n 1 "$OUT/t-search-first")  (wall user sys s, KB) load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "files: without search $(find "$OUT/public-nosearch" -type f | wc -l), with search $(find "$D/public" -type f | wc -l)"

section "Pagefind"
# Pagefind indexes the HTML of datto without search, which this script does not change. It
# takes ~400 s here: it runs only with PAGEFIND=1; otherwise the report takes its figures from
# bench/pagefind/last.json (the last run's).
if [ "${PAGEFIND:-0}" = 1 ]; then
  if [ ! -x "$OUT/pagefind/node_modules/.bin/pagefind" ]; then
    mkdir -p "$OUT/pagefind" && cp "$HERE/pagefind/package.json" "$OUT/pagefind/"
    (cd "$OUT/pagefind" && npm install --no-audit --no-fund --loglevel=error)
  fi
  "$OUT/pagefind/node_modules/.bin/pagefind" --version
  rm -rf "$OUT/pagefind-site" "$OUT/t-pagefind" && mkdir -p "$OUT/pagefind-site"
  timed "$OUT/t-pagefind" "$OUT/pagefind/node_modules/.bin/pagefind" --site "$OUT/public-nosearch" \
    --output-path "$OUT/pagefind-site/pagefind"
  echo '<!DOCTYPE html><html lang="vi"><title>Pagefind</title></html>' >"$OUT/pagefind-site/blank.html"
  echo "Pagefind: $(cat "$OUT/t-pagefind")"
else
  echo "not run (PAGEFIND=1 runs it): figures from bench/pagefind/last.json"
fi

section "queries in Chromium"
P1=$(port)
python3 -m http.server --bind 127.0.0.1 --directory "$D/public" "$P1" >/dev/null 2>&1 &
S1=$!
S2=""
trap 'kill $S1 $S2 2>/dev/null || true' EXIT
sleep 1
# The built site's base_url is not this server: the page takes the index folder from its own
# data attribute, which is root-relative, so serving the output at / is enough.
node "$HERE/search-query.mjs" --datto "http://127.0.0.1:$P1/" --queries "$QUERIES" >"$OUT/search-queries-datto.json"
if [ "${PAGEFIND:-0}" = 1 ]; then
  P2=$(port)
  python3 -m http.server --bind 127.0.0.1 --directory "$OUT/pagefind-site" "$P2" >/dev/null 2>&1 &
  S2=$!
  sleep 1
  node "$HERE/search-query.mjs" --pagefind "http://127.0.0.1:$P2/" --queries "$QUERIES" \
    >"$OUT/search-queries-pagefind.json"
fi
kill $S1 $S2 2>/dev/null || true
python3 "$HERE/search_report.py" "$OUT" queries

section "datto serve: one item edited, 5 times"
serve_edits() { # serve_edits BINARY LABEL ROOT
  local S=$OUT/serve-search LOG=$OUT/serve-search-$2.log
  rm -rf "$S" && mkdir -p "$S" && cp -r "$3/content" "$3/themes" "$S/"
  "$1" serve --port 0 --root "$S" >"$LOG" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do grep -q 'Đang phục vụ' "$LOG" && break; sleep 0.1; done
  local item
  item=$(find "$S/content/tin-bai/2019" -name '*.md' | sort | sed -n 1p)
  : >"$OUT/serve-$2-edits"
  for i in 1 2 3 4 5; do
    local off
    off=$(wc -l <"$LOG")
    sync
    printf '\nMột câu thêm lần %s, có chữ Đường.\n' "$i" >>"$item"
    for _ in $(seq 1 600); do
      if tail -n "+$((off + 1))" "$LOG" | grep -q '^↻'; then break; fi
      sleep 0.05
    done
    tail -n "+$((off + 1))" "$LOG" | grep -m1 '^↻' | sed -nE 's/.* trong ([0-9]+) ms.*/\1/p' >>"$OUT/serve-$2-edits"
    sleep 0.5
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "  $2: $(tr '\n' ' ' <"$OUT/serve-$2-edits")ms"
}
serve_edits "$OUT/datto-search" search "$D"

section "result"
python3 "$HERE/search_report.py" "$OUT"
