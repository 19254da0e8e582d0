#!/usr/bin/env bash
# bench/reliability.sh: the figures of the README's "Độ tin cậy / Reliability" section, on the
# 10,000-item corpus of bench/run.sh (made with ../shared/bench/make_site.sh if missing).
#
#   1. the cost of the swap: a fresh build (a whole new tree renamed into place) against
#      rebuilds over the previous output (nothing changed; every page changed), and what a
#      second tree would cost (a hard-linked copy of the output: `cp -al`);
#   2. kill -9 at random moments of a rebuild that changes every page, each followed by one
#      datto command (which finishes or undoes the swap), the output then compared with
#      the old and the new build (`diff -r`);
#   3. disk full (root only: a small tmpfs): a build that cannot write its staging folder.
#
# Release binary; not a test (.ci/run does not call it). ~5 minutes on 2 cores.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
N=10000
D=$OUT/datto-$N
RUNS=${RUNS:-3}
KILLS=${KILLS:-10}
mkdir -p "$OUT"
if [ "$(cat "$D/.complete" 2>/dev/null)" != "$N" ]; then
  sh "${SHARED:-$REPO/../shared/bench}/make_site.sh" "$N" 200 "$D" "$REPO/themes" >/dev/null
  echo "$N" >"$D/.complete"
fi
(cd "$REPO" && cargo build --release -q)
DATTO=$OUT/datto-reliability
cp "$REPO/target/release/datto" "$DATTO.tmp" && mv -f "$DATTO.tmp" "$DATTO"
export SOURCE_DATE_EPOCH=1767225600
A=https://phunudatto.example.vn/a/
B=https://phunudatto.example.vn/b/
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # timed LABEL CMD...: one run, wall seconds appended to $OUT/rel-LABEL
  sync
  /usr/bin/time -f '%e' -a -o "$OUT/rel-$1" "${@:2}" >/dev/null
}
rm -f "$OUT"/rel-*

echo "== 1. the swap's cost ($N items, medians of $RUNS)"
for _ in $(seq "$RUNS"); do
  rm -rf "$D/public"
  timed fresh "$DATTO" build --root "$D" --base-url "$A"
  timed unchanged "$DATTO" build --root "$D" --base-url "$A"
  timed all-changed "$DATTO" build --root "$D" --base-url "$B"
  "$DATTO" build --root "$D" --base-url "$A" >/dev/null
  rm -rf "$D/public.links"; sync
  /usr/bin/time -f '%e' -a -o "$OUT/rel-hardlink-tree" cp -al "$D/public" "$D/public.links"
  rm -rf "$D/public.links"
done
for label in fresh unchanged all-changed hardlink-tree; do
  printf '%-14s %s s\n' "$label" "$(median <"$OUT/rel-$label")"
done
echo "files: $(find "$D/public" -type f | wc -l), folders: $(find "$D/public" -type d | wc -l), size: $(du -sm "$D/public" | cut -f1) MB"

echo "== 2. kill -9 during a rebuild that changes every page ($KILLS kills)"
rm -rf "$OUT/rel-old" "$OUT/rel-new"
"$DATTO" build --root "$D" --base-url "$B" >/dev/null && cp -a "$D/public" "$OUT/rel-new"
"$DATTO" build --root "$D" --base-url "$A" >/dev/null && cp -a "$D/public" "$OUT/rel-old"
start=$(date +%s%N)
"$DATTO" build --root "$D" --base-url "$B" >/dev/null
span_ms=$(( ($(date +%s%N) - start) / 1000000 ))
old=0 new=0 mixed=0 decided=0
for k in $(seq "$KILLS"); do
  rm -rf "$D/public" && cp -a "$OUT/rel-old" "$D/public" && sync
  "$DATTO" build --root "$D" --base-url "$B" >/dev/null 2>&1 &
  pid=$!
  # Spread over the whole build, with every other kill in its last third (the swap).
  if [ $((k % 2)) = 0 ]; then lo=$((span_ms * 2 / 3)); else lo=0; fi
  delay=$(( lo + RANDOM % (span_ms - lo + 1) ))
  sleep "$(awk "BEGIN {print $delay / 1000}")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ls "$D"/.public.datto-new-*/.datto-journal.json >/dev/null 2>&1; then decided=$((decided + 1)); fi
  "$DATTO" tally --root "$D" --year abc >/dev/null 2>&1 || true   # any command recovers first
  if diff -rq "$D/public" "$OUT/rel-old" >/dev/null; then old=$((old + 1))
  elif diff -rq "$D/public" "$OUT/rel-new" >/dev/null; then new=$((new + 1))
  else mixed=$((mixed + 1)); fi
  strays=$(find "$D" -maxdepth 1 -name '.public.datto-*' | wc -l)
  [ "$strays" = 0 ] || { echo "kill $k: staging left behind"; mixed=$((mixed + 1)); }
done
echo "update span ${span_ms} ms; $KILLS kills: $old old, $new new, $mixed mixed; $decided killed after the swap was decided (finished by the next command)"

echo "== 3. disk full"
if [ "$(id -u)" = 0 ]; then
  M=$OUT/rel-tmpfs
  mkdir -p "$M"
  size=$(du -sm "$OUT/rel-old" | cut -f1)
  mount -t tmpfs -o size=$((size * 3 / 2))m tmpfs "$M"
  "$DATTO" build --root "$D" --output "$M/public" --base-url "$A" >/dev/null
  if "$DATTO" build --root "$D" --output "$M/public" --base-url "$B" >"$OUT/rel-full.log" 2>&1; then
    echo "the update unexpectedly fitted"
  else
    echo "update on a full disk failed: $(grep -m1 -o 'No space left on device\|os error 28' "$OUT/rel-full.log" || head -c 200 "$OUT/rel-full.log")"
    diff -rq "$M/public" "$OUT/rel-old" >/dev/null && echo "output: the previous build, byte for byte" || echo "output: CHANGED"
    echo "left beside the output: $(find "$M" -maxdepth 1 -name '.public.datto-*' | wc -l) staging folders; free: $(df -m "$M" | awk 'NR==2 {print $4}') MB"
  fi
  rm -rf "$M/public"
  mount -o remount,size=$((size / 2))m "$M"
  if "$DATTO" build --root "$D" --output "$M/public" --base-url "$A" >/dev/null 2>&1; then
    echo "the first build unexpectedly fitted"
  else
    echo "first build on a full disk failed; output exists: $([ -e "$M/public" ] && echo yes || echo no); staging left: $(find "$M" -maxdepth 1 -name '.public.datto-*' | wc -l)"
  fi
  umount "$M"
else
  echo "SKIPPED: mounting a tmpfs needs root"
fi
rm -rf "$OUT/rel-old" "$OUT/rel-new"
