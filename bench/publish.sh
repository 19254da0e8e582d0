#!/usr/bin/env bash
# bench/publish.sh: `datto publish` to a local SFTP server (OpenSSH's sshd on a loopback port,
# as root or as the current user), against `rsync -a` over ssh and `lftp mirror -R` (issue 15).
#
#   1. first publish of the 10,000-item site into an empty folder: datto (which builds first:
#      the build alone is timed too), rsync -a, lftp mirror -R (default and --parallel=16);
#   2. after editing one item: files uploaded and wall time; 3. after no change;
#   4. killed (SIGKILL) halfway through a first publish, then run again: the remote must equal
#      public/ (every file compared with `diff -r`).
# Prints one markdown table; every datto run splits its time into the build and the publish
# proper (DATTO_PUBLISH_TIMES=1: build, hashing, connecting, reading the manifest and looking
# at the target, sending). Needs sshd, ssh, rsync, lftp (apt-get install openssh-server
# rsync lftp). Not a test: .ci/run does not call it. ~3 minutes on 2 cores; QUICK=1 runs
# only datto's first, one-edit and no-change publishes.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# ../shared/bench beside the repository (main checkout), or two levels up (a worktree).
SHARED=$(cd "$REPO/../shared/bench" 2>/dev/null || cd "$REPO/../../shared/bench" && pwd)
OUT=$HERE/out/publish
N=${ITEMS:-10000}
mkdir -p "$OUT"
for tool in rsync lftp ssh ssh-keygen; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y openssh-server rsync lftp)" >&2; exit 1; }
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

# DATTO_BIN=path: use that binary (a smoke test of this script with a debug build).
BIN=$OUT/datto
if [ -n "${DATTO_BIN:-}" ]; then
  cp "$DATTO_BIN" "$BIN"
else
  (cd "$REPO" && cargo build --release --quiet)
  cp "$REPO/target/release/datto" "$BIN"
fi

SITE=$OUT/site-$N
if [ ! -f "$SITE/.items-$N" ]; then
  sh "$SHARED/make_site.sh" "$N" 200 "$SITE" "$REPO/themes" >/dev/null
  touch "$SITE/.items-$N"
fi
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01: the same output on every run
export DATTO_PUBLISH_TIMES=1

# sshd with a temporary host key and an authorized key.
S=$OUT/sshd; rm -rf "$S"; mkdir -p "$S/home/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$S/host"
ssh-keygen -q -t ed25519 -N '' -f "$S/home/.ssh/id_ed25519"
cp "$S/home/.ssh/id_ed25519.pub" "$S/authorized_keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p /run/sshd 2>/dev/null || true
cat > "$S/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host
PidFile none
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
"$SSHD" -D -e -f "$S/sshd_config" 2>"$S/log" &
SSHD_PID=$!
trap 'kill $SSHD_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
USER_NAME=$(id -un)
KEY=$S/home/.ssh/id_ed25519
SSH="ssh -p $PORT -i $KEY -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
export HOME=$S/home
unset SSH_AUTH_SOCK

# "build X s; publish Y s (hash H, manifest+look M, send S)" from the last datto run.
phases() {
  python3 - "$S/last.out" <<'PY'
import re, sys
t = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"thời gian: (.+) ([0-9.]+) s$", line.strip())
    if m:
        t[m.group(1)] = float(m.group(2))
build = t.get("dựng trang", 0.0)
rest = sum(t.values()) - build
print(f"build {build:.2f} s; publish {rest:.2f} s (hash {t.get('băm tệp', 0):.2f}, connect {t.get('kết nối', 0):.2f}, "
      f"manifest+look {t.get('đọc danh sách đã đăng, xem nơi đăng', 0):.2f}, send {t.get('gửi, xoá, ghi danh sách', 0):.2f})")
PY
}
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >"$S/last.out" 2>&1; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.2f}')"; }
fresh() { rm -rf "$OUT/remote-$1"; mkdir -p "$OUT/remote-$1"; echo "$OUT/remote-$1"; }
publish() { "$BIN" publish --root "$SITE" --to "sftp://$USER_NAME@127.0.0.1:$PORT$1" --accept-host-key; }
sync; "$BIN" build --root "$SITE" >/dev/null     # warm-up
FILES=$(find "$SITE/public" -type f | wc -l)
BYTES=$(du -sb "$SITE/public" | cut -f1)

T_BUILD=$(secs "$BIN" build --root "$SITE")
rm -rf "$SITE/.datto-cache/dang"   # a first publish on this laptop: nothing hashed yet
R=$(fresh datto); T_DATTO=$(secs publish "$R"); SPLIT_FIRST=$(phases)
diff -r -x .datto-manifest.json -x .datto-output.json "$SITE/public" "$R" >/dev/null && OK_FIRST=yes || OK_FIRST=NO
if [ -n "${QUICK:-}" ]; then T_RSYNC=-; T_LFTP=-; T_LFTP16=-; else
R=$(fresh rsync); T_RSYNC=$(secs rsync -a -e "$SSH" "$SITE/public/" "$USER_NAME@127.0.0.1:$R/")
LFTP_CONNECT="set sftp:connect-program '$SSH -a -x'; set sftp:auto-confirm yes"
R=$(fresh lftp); T_LFTP=$(secs lftp -u "$USER_NAME," -e "$LFTP_CONNECT; mirror -R $SITE/public $R; quit" "sftp://127.0.0.1:$PORT")
R=$(fresh lftp16); T_LFTP16=$(secs lftp -u "$USER_NAME," -e "$LFTP_CONNECT; mirror -R --parallel=16 $SITE/public $R; quit" "sftp://127.0.0.1:$PORT")
fi

# One edit, then no change, against the datto remote.
R=$OUT/remote-datto
ITEM=$(find "$SITE/content/tin-bai" -name '*.md' | sort | sed -n "$((N / 2))p")
printf '\nMột câu thêm cho lần đo.\n' >> "$ITEM"
T_EDIT=$(secs publish "$R"); EDIT_LINE=$(tail -1 "$S/last.out"); SPLIT_EDIT=$(phases)
T_NONE=$(secs publish "$R"); NONE_LINE=$(tail -1 "$S/last.out"); SPLIT_NONE=$(phases)
diff -r -x .datto-manifest.json -x .datto-output.json "$SITE/public" "$R" >/dev/null && OK_EDIT=yes || OK_EDIT=NO

# Killed halfway through a first publish, then run again.
if [ -n "${QUICK:-}" ]; then PARTIAL=-; T_RESUME=-; RESUME_LINE=-; OK_RESUME=-; else
R=$(fresh killed)
"$BIN" publish --root "$SITE" --to "sftp://$USER_NAME@127.0.0.1:$PORT$R" >/dev/null 2>&1 &
VICTIM=$!
while kill -0 $VICTIM 2>/dev/null && [ "$(find "$R" -type f | wc -l)" -lt $((FILES / 2)) ]; do sleep 0.05; done
kill -KILL $VICTIM 2>/dev/null || true; wait $VICTIM 2>/dev/null || true
PARTIAL=$(find "$R" -type f | wc -l)
T_RESUME=$(secs publish "$R"); RESUME_LINE=$(tail -1 "$S/last.out")
diff -r -x .datto-manifest.json -x .datto-output.json "$SITE/public" "$R" >/dev/null && OK_RESUME=yes || OK_RESUME=NO
fi

cat <<EOF

## Publishing the $N-item site ($FILES files, $((BYTES / 1024 / 1024)) MB) to sftp://127.0.0.1 (sshd)

| run | wall s | note |
|---|---|---|
| datto build alone (no publish) | $T_BUILD | part of every publish below |
| datto publish, first (build + upload) | $T_DATTO | remote equals public/: $OK_FIRST; $SPLIT_FIRST |
| rsync -a over ssh, first | $T_RSYNC | |
| lftp mirror -R, first | $T_LFTP | |
| lftp mirror -R --parallel=16, first | $T_LFTP16 | |
| datto publish after one edit | $T_EDIT | $EDIT_LINE; $SPLIT_EDIT |
| datto publish, no change | $T_NONE | $NONE_LINE; $SPLIT_NONE |
| datto publish killed (SIGKILL) with $PARTIAL files there, run again | $T_RESUME | $RESUME_LINE; remote equals public/: $OK_RESUME |
EOF
