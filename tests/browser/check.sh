#!/usr/bin/env bash
# Site-quality check of datto's example site (SPEC §7–§8):
#   1. installs what is missing (Chromium from apt, vnu-jar/axe-core/playwright-core from npm);
#   2. builds content/ into a temporary folder (and once more under a sub-path base_url);
#   3. validates every HTML file with the Nu Html Checker;
#   4. parses rss.xml, don-vi/*/rss.xml, sitemap.xml (absolute URLs under base_url);
#   5. checks every internal link/resource resolves, and that nothing loads from outside;
#   6. serves the build on 127.0.0.1 and loads key pages in headless Chromium: axe-core
#      (fails on serious/critical), console errors, failed requests, screenshots at 1280/375 px;
#      portal checks (check.mjs, marked block): tap targets ≥ 44 px at 375 px, the tally page
#      printed to A4 in at most 2 pages with no download link and a source line;
#   7. runs `datto serve` on a copy of the site, edits an item and checks in Chromium that the
#      open tab reloads with the new text, shows path:line for a broken file, and recovers;
#   8. the editor (/_datto/) in Chromium: an item with a photo written through the page, its
#      live preview, saved, on its page, its unit's and the tally; edited; a LibreOffice .docx
#      imported (editor.mjs).
#
# Usage: tests/browser/check.sh
# Environment:
#   SHOTS=DIR              where screenshots go (default tests/browser/out/, gitignored)
#   UPDATE_SCREENSHOTS=1   also copy home/item/unit/tally screenshots into docs/screenshots/
#   KEEP_OUTPUT=1          keep the temporary build folder (its path is printed)
#   PAGE_TIMEOUT_MS=N      per page-load/axe timeout in the browser (default 30000)
#   EXTRA_PAGES=1          the browser also visits every other kind of page (lists, tags, 404, …)
# Exit status: 0 when every check passed, 1 otherwise.
set -euo pipefail

START=$(date +%s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# The binary `cargo run --release` below builds (CARGO_TARGET_DIR honoured).
DATTO_BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/datto
SHOTS=${SHOTS:-$HERE/out}
VNU_JAR=$HERE/node_modules/vnu-jar/build/dist/vnu.jar
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/datto-check.XXXXXX")
OUT=$WORK/public
COUNTS=$WORK/counts
: >"$COUNTS"
# screenshots and the full lists of problems (the log shows the first 25 of each) go to $SHOTS
mkdir -p "$SHOTS"
rm -f "$SHOTS/vnu-errors.txt" "$SHOTS/links.txt" "$SHOTS/links-subpath.txt"
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_OUTPUT:-0}" = 1 ]; then
    echo "(kept the build in $WORK)"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

section() { printf '\n== %s\n' "$*"; }
FAILURES=()
fail() { FAILURES+=("$1"); echo "  FAIL: $1"; }
count() { # count KEY [DEFAULT]: last value written for KEY in $COUNTS
  local v
  v=$(grep -E "^$1=" "$COUNTS" | tail -n 1 | cut -d= -f2- || true)
  echo "${v:-${2:-n/a}}"
}
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    as_root timeout 600 apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "$@"
}

# ------------------------------------------------------------------------------------------
section "install (only what is missing)"
INSTALL_START=$(date +%s)

if [ ! -x "$CHROMIUM" ]; then
  echo "  $CHROMIUM is missing: installing chromium from apt"
  apt_install chromium
  CHROMIUM=/usr/bin/chromium
fi
echo "  chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

if ! command -v java >/dev/null; then
  echo "  java is missing: installing openjdk-17-jre-headless from apt"
  apt_install openjdk-17-jre-headless
fi
echo "  java: $(java -version 2>&1 | head -n 1)"

if ! command -v python3 >/dev/null; then
  apt_install python3
fi
echo "  python: $(python3 --version 2>&1)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "  node/npm missing: installing from apt"
  apt_install nodejs npm
fi
echo "  node: $(node --version), npm: $(npm --version)"

# node_modules is up to date when every pinned dependency is installed at its pinned version.
deps_ok() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  (cd "$HERE" && node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies || {};
    for (const [name, version] of Object.entries(want)) {
      let got;
      try { got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch { process.exit(1); }
      if (got !== version) process.exit(1);
    }
  ') && [ -f "$VNU_JAR" ] && [ -f "$HERE/node_modules/axe-core/axe.min.js" ]
}
if deps_ok; then
  echo "  npm packages: already installed"
else
  echo "  npm packages: installing (scripts disabled: vnu-jar's would download a JDK)"
  if [ -f "$HERE/package-lock.json" ]; then
    (cd "$HERE" && timeout 600 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  else
    (cd "$HERE" && timeout 600 npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  deps_ok || { echo "  npm packages are still missing after install"; exit 1; }
fi
INSTALL_SECS=$(($(date +%s) - INSTALL_START))
echo "  install step: ${INSTALL_SECS}s"

# ------------------------------------------------------------------------------------------
section "build the example site"
CHECK_START=$(date +%s)
unset SOURCE_DATE_EPOCH
BUILD_LOG=$WORK/build.log
if ! (cd "$REPO" && timeout 1500 cargo run --release -q -- build --root "$REPO" --output "$OUT") >"$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG"
  echo
  echo "FAILED: datto build failed; nothing else can be checked"
  exit 1
fi
sed 's/^/  /' "$BUILD_LOG"

eval "$(python3 "$HERE/sitecheck.py" siteinfo --root "$REPO")"
BASE_URL=${BASE_URL:-}
if [ -z "$BASE_URL" ]; then
  # fall back on the feed's <channel><link>
  BASE_URL=$(python3 -c 'import sys,xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot().find("channel/link").text.strip())' "$OUT/rss.xml")
fi
case $BASE_URL in */) ;; *) BASE_URL=$BASE_URL/ ;; esac
BASE_PATH=$(python3 -c 'import sys,urllib.parse as u; print(u.urlsplit(sys.argv[1]).path or "/")' "$BASE_URL")
echo "  base_url: $BASE_URL (path $BASE_PATH), current year: $YEAR"

# The same site under a sub-path, to catch links that ignore base_url's path (SPEC §4).
SUB_BASE_URL=${BASE_URL}phunu-subpath/
OUT_SUB=$WORK/public-subpath
if ! (cd "$REPO" && timeout 600 cargo run --release -q -- build --root "$REPO" --output "$OUT_SUB" --base-url "$SUB_BASE_URL") >"$BUILD_LOG" 2>&1; then
  sed 's/^/  /' "$BUILD_LOG"
  fail "build with --base-url $SUB_BASE_URL failed"
  OUT_SUB=""
else
  echo "  also built with --base-url $SUB_BASE_URL"
fi

# ------------------------------------------------------------------------------------------
section "Nu Html Checker (vnu) on every HTML file"
N_HTML=$(find "$OUT" -type f \( -name '*.html' -o -name '*.htm' \) | wc -l)
echo "  $N_HTML HTML file(s)"
echo "html_files=$N_HTML" >>"$COUNTS"
VNU_JSON=$WORK/vnu.json
set +e
timeout 600 java -Xss8m -jar "$VNU_JAR" --errors-only --skip-non-html --format json --stdout "$OUT" >"$VNU_JSON" 2>"$WORK/vnu.stderr"
VNU_RC=$?
set -e
if ! python3 "$HERE/sitecheck.py" vnu --report "$VNU_JSON" --out "$OUT" --counts "$COUNTS" \
  --full "$SHOTS/vnu-errors.txt"; then
  fail "$(count vnu_errors) validator error(s)"
elif [ "$VNU_RC" != 0 ]; then
  sed 's/^/  /' "$WORK/vnu.stderr" | head -n 20
  fail "the validator exited with status $VNU_RC without reporting errors (crash or timeout?)"
else
  echo "  no validator errors"
fi

# ------------------------------------------------------------------------------------------
section "feeds and sitemap"
if ! timeout 120 python3 "$HERE/sitecheck.py" feeds --out "$OUT" --base-url "$BASE_URL" --counts "$COUNTS"; then
  fail "$(count feed_errors) feed/sitemap problem(s)"
fi

# ------------------------------------------------------------------------------------------
section "internal links and outside resources"
if ! timeout 300 python3 "$HERE/sitecheck.py" links --out "$OUT" --base-url "$BASE_URL" --counts "$COUNTS" \
  --full "$SHOTS/links.txt"; then
  fail "$(count broken_links) broken link(s), $(count outside_resources) resource(s) from outside servers"
fi
if [ -n "$OUT_SUB" ]; then
  section "internal links, site built under $SUB_BASE_URL"
  if ! timeout 300 python3 "$HERE/sitecheck.py" links --out "$OUT_SUB" --base-url "$SUB_BASE_URL" \
    --counts "$COUNTS" --label subpath_ --full "$SHOTS/links-subpath.txt"; then
    fail "$(count subpath_broken_links) broken link(s) when built under a sub-path"
  fi
fi

# ------------------------------------------------------------------------------------------
section "browser: axe-core, console, requests, screenshots"
SERVE_ROOT=$OUT
if [ "$BASE_PATH" != "/" ]; then
  # serve the build at its base path: $WORK/serve/phunu -> $OUT
  SERVE_ROOT=$WORK/serve
  mkdir -p "$SERVE_ROOT$(dirname "${BASE_PATH%/}")"
  ln -s "$OUT" "$SERVE_ROOT${BASE_PATH%/}"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ORIGIN=http://127.0.0.1:$PORT
python3 -m http.server --bind 127.0.0.1 --directory "$SERVE_ROOT" "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
# poll until it answers (at most ~15 s)
if ! python3 - "$ORIGIN$BASE_PATH" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 15
while True:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            r.read(1)
        sys.exit(0)
    except Exception as e:
        if time.monotonic() > deadline:
            print(f"  server did not answer: {e}")
            sys.exit(1)
        time.sleep(0.1)
EOF
then
  sed 's/^/  /' "$WORK/server.log"
  fail "the static server on $ORIGIN did not start"
else
  echo "  serving $OUT at $ORIGIN$BASE_PATH (pid $SERVER_PID)"
  PAGES_JSON=$WORK/pages.json
  EXTRA=()
  if [ "${EXTRA_PAGES:-0}" = 1 ]; then EXTRA=(--extra); fi
  python3 "$HERE/sitecheck.py" pages --out "$OUT" --base-url "$BASE_URL" --year "$YEAR" \
    "${EXTRA[@]}" >"$PAGES_JSON"
  mkdir -p "$SHOTS"
  set +e
  (cd "$HERE" && timeout --kill-after=10 480 node check.mjs --origin "$ORIGIN" --pages "$PAGES_JSON" --shots "$SHOTS" --counts "$COUNTS")
  NODE_RC=$?
  set -e
  if [ "$NODE_RC" = 124 ]; then
    fail "the browser check timed out"
  elif [ "$NODE_RC" != 0 ]; then
    fail "browser check: $(count axe_critical 0) critical + $(count axe_serious 0) serious axe violation(s), $(count browser_problems n/a) console/request problem(s)"
  fi
  echo "  screenshots in $SHOTS"
  if [ "${UPDATE_SCREENSHOTS:-0}" = 1 ]; then
    DEST=$REPO/docs/screenshots
    mkdir -p "$DEST"
    copied=0
    for name in home item unit tally; do
      for w in 1280 375; do
        if [ -f "$SHOTS/$name-$w.png" ]; then
          cp "$SHOTS/$name-$w.png" "$DEST/$name-$w.png"
          copied=$((copied + 1))
        fi
      done
    done
    echo "  UPDATE_SCREENSHOTS=1: copied $copied screenshot(s) into docs/screenshots/"
  fi
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
fi

# ------------------------------------------------------------------------------------------
section "live reload: datto serve + headless Chromium"
# A private copy of the site: the test edits a file.
LIVE=$WORK/live
mkdir -p "$LIVE"
cp -r "$REPO/content" "$REPO/themes" "$LIVE/"
"$DATTO_BIN" serve --port 0 --root "$LIVE" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
LIVE_URL=""
for _ in $(seq 1 300); do
  LIVE_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$WORK/serve.log" | head -n 1 || true)
  [ -n "$LIVE_URL" ] && break
  sleep 0.1
done
if [ -z "$LIVE_URL" ]; then
  sed 's/^/  /' "$WORK/serve.log"
  fail "datto serve did not print its address"
else
  # A published item and its file: the first item page of the served sitemap.
  ITEM_LINE=$(python3 - "$LIVE_URL" "$LIVE/content/tin-bai" <<'EOF'
import os, re, sys, urllib.request
base, items = sys.argv[1], sys.argv[2]
sitemap = urllib.request.urlopen(base + "sitemap.xml", timeout=10).read().decode()
for url in re.findall(r"<loc>([^<]+/tin-bai/\d{4}/[^<]+/)</loc>", sitemap):
    slug = url.rstrip("/").rsplit("/", 1)[1]
    for folder, _, files in os.walk(items):
        if slug + ".md" in files:
            print(url, os.path.join(folder, slug + ".md"))
            sys.exit(0)
EOF
) || true
  ITEM_URL=${ITEM_LINE%% *}
  LIVE_ITEM=${ITEM_LINE#* }
  if [ -z "$ITEM_LINE" ]; then
    fail "live reload: found no item page and its file in the served sitemap"
  else
    echo "  serving a copy at $LIVE_URL; editing ${LIVE_ITEM#$LIVE/}"
    if (cd "$HERE" && timeout --kill-after=10 120 node reload.mjs --url "$ITEM_URL" --file "$LIVE_ITEM"); then
      echo "live_reload=ok" >>"$COUNTS"
    else
      echo "live_reload=failed" >>"$COUNTS"
      sed 's/^/  serve: /' "$WORK/serve.log" | tail -n 20
      fail "live reload in the browser"
    fi
  fi
fi
kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# ------------------------------------------------------------------------------------------
# >>> search (issue 14): /tim-kiem/ in Chromium, under a sub-path and in `datto serve` >>>
section "search: /tim-kiem/ under a sub-path, then in datto serve"
if [ -n "$OUT_SUB" ]; then
  SUB_PATH=$(python3 -c 'import sys,urllib.parse as u; print(u.urlsplit(sys.argv[1]).path)' "$SUB_BASE_URL")
  SEARCH_ROOT=$WORK/serve-search
  mkdir -p "$SEARCH_ROOT$(dirname "${SUB_PATH%/}")"
  ln -s "$OUT_SUB" "$SEARCH_ROOT${SUB_PATH%/}"
  SEARCH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  python3 -m http.server --bind 127.0.0.1 --directory "$SEARCH_ROOT" "$SEARCH_PORT" >"$WORK/search-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
      "http://127.0.0.1:$SEARCH_PORT$SUB_PATH" 2>/dev/null && break
    sleep 0.1
  done
  if (cd "$HERE" && timeout --kill-after=10 300 node search.mjs --origin "http://127.0.0.1:$SEARCH_PORT" \
      --base "$SUB_PATH" --shots "$SHOTS" --counts "$COUNTS"); then
    echo "search=ok" >>"$COUNTS"
  else
    echo "search=failed" >>"$COUNTS"
    fail "search in the browser (site under $SUB_PATH)"
  fi
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
else
  fail "search: no sub-path build to test"
fi
SEARCH_LIVE=$WORK/search-live
mkdir -p "$SEARCH_LIVE"
cp -r "$REPO/content" "$REPO/themes" "$SEARCH_LIVE/"
"$DATTO_BIN" serve --port 0 --root "$SEARCH_LIVE" >"$WORK/search-serve.log" 2>&1 &
SERVER_PID=$!
SEARCH_URL=""
for _ in $(seq 1 300); do
  SEARCH_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$WORK/search-serve.log" | head -n 1 || true)
  [ -n "$SEARCH_URL" ] && break
  sleep 0.1
done
SEARCH_ITEM=$(find "$SEARCH_LIVE/content/tin-bai" -name '*.md' ! -name '_*' | sort | tail -n 1)
if [ -z "$SEARCH_URL" ] || [ -z "$SEARCH_ITEM" ]; then
  sed 's/^/  serve: /' "$WORK/search-serve.log" | tail -n 20
  fail "search: datto serve did not start"
elif (cd "$HERE" && timeout --kill-after=10 120 node search.mjs --origin "${SEARCH_URL%/}" --base / \
    --edit "$SEARCH_ITEM"); then
  echo "search_serve=ok" >>"$COUNTS"
else
  echo "search_serve=failed" >>"$COUNTS"
  sed 's/^/  serve: /' "$WORK/search-serve.log" | tail -n 20
  fail "search in datto serve: an edited item is not found"
fi
kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
echo "  search: $(count search n/a) (first results $(count search_ms n/a) ms after loading /tim-kiem/?q=phu+nu+dat+to, $(count search_bytes n/a) bytes of script and index), serve: $(count search_serve n/a)"
# <<< search (issue 14) <<<

# ------------------------------------------------------------------------------------------
# >>> editor (issue 16): /_datto/ in Chromium: write, photo, live preview, save, edit, Word import >>>
section "editor: /_datto/ on datto serve + headless Chromium"
EDIT_SITE=$WORK/editor
mkdir -p "$EDIT_SITE"
cp -r "$REPO/content" "$REPO/themes" "$EDIT_SITE/"
if (cd "$HERE" && timeout --kill-after=10 600 node editor.mjs --datto "$DATTO_BIN" \
    --site "$EDIT_SITE" --shots "$SHOTS"); then
  echo "editor=ok" >>"$COUNTS"
else
  echo "editor=failed" >>"$COUNTS"
  fail "the editor in the browser"
fi
# <<< editor (issue 16) <<<

# ------------------------------------------------------------------------------------------
section "summary"
NOW=$(date +%s)
printf '  %-38s %s\n' \
  "HTML files validated" "$(count html_files 0)" \
  "validator errors" "$(count vnu_errors n/a)" \
  "feeds checked / problems" "$(count feeds n/a) / $(count feed_errors n/a)" \
  "broken internal links" "$(count broken_links n/a)" \
  "resources from outside servers" "$(count outside_resources n/a)" \
  "broken links under a sub-path" "$(count subpath_broken_links n/a)" \
  "pages loaded in the browser" "$(count browser_pages n/a) × 2 widths" \
  "axe rule violations (critical/serious)" "$(count axe_critical n/a) / $(count axe_serious n/a)" \
  "axe rule violations (moderate/minor)" "$(count axe_moderate n/a) / $(count axe_minor n/a)" \
  "console errors / failed requests" "$(count browser_problems n/a)" \
  "tally page printed (A4 pages, max 2)" "$(count tally_print_pages n/a)" \
  "live reload (serve + Chromium)" "$(count live_reload n/a)" \
  "editor (serve + Chromium)" "$(count editor n/a)" \
  "elapsed (install + checks)" "$((NOW - START))s (${INSTALL_SECS}s + $((NOW - CHECK_START))s)"
if [ "${#FAILURES[@]}" -gt 0 ]; then
  echo
  echo "FAILED (${#FAILURES[@]}):"
  for f in "${FAILURES[@]}"; do echo "  - $f"; done
  exit 1
fi
echo
echo "site checks: all passed"
