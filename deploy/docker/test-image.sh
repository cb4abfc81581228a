#!/bin/bash
# Runs a built Kiln image through its three roles, the way a container engine would (the image's own
# entrypoint and user), with buildah's chroot isolation (see deploy/README.md for why not podman run):
#   kiln --help; kiln migrate against a private PostgreSQL; kiln api against a Temporal dev server,
#   answering /healthz, /readyz and the health check, then stopping cleanly on SIGTERM (via tini).
#   deploy/docker/test-image.sh [IMAGE]      (default kiln:local)
set -euo pipefail
IMAGE=${1:-kiln:local}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
ctr=$(buildah from --pull-never "$IMAGE")
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${PGBIN:-}" ] && su postgres -c "$PGBIN/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

mapfile -t entry < <(buildah inspect --type image --format '{{range .Docker.Config.Entrypoint}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
user=$(buildah inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
echo "image $IMAGE: entrypoint ${entry[*]}, user $user"
# Under chroot isolation tini is not PID 1: it registers as a subreaper instead, as it would need to.
krun() { buildah run --isolation chroot --network host --user "$user" --env TINI_SUBREAPER=1 "$@"; }

echo "== kiln --help"
krun "$ctr" -- "${entry[@]}" --help | tee "$work/help"
grep -q 'kiln migrate' "$work/help"

echo "== kiln migrate (private PostgreSQL)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgport=$(free_port)
mkdir -p "$work/pg" && chown postgres "$work" "$work/pg"
su postgres -c "$PGBIN/initdb -D $work/pg -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $work/pg -o '-p $pgport -k $work -c listen_addresses=127.0.0.1' -w start" >/dev/null
db="postgres://postgres@127.0.0.1:$pgport/postgres"
krun --env DATABASE_URL="$db" "$ctr" -- "${entry[@]}" migrate | tee "$work/migrate"
grep -q 'applied' "$work/migrate"
# A second run finds nothing to do and still exits 0.
krun --env DATABASE_URL="$db" "$ctr" -- "${entry[@]}" migrate

echo "== kiln api (Temporal dev server), health, SIGTERM"
temporal=${TEMPORAL_CLI:-${KILN_TOOLS_DIR:-$ROOT/.kiln/tools}/temporal-venv/bin/temporal}
tport=$(free_port)
"$temporal" server start-dev --ip 127.0.0.1 --port "$tport" --headless --log-level error >/dev/null 2>&1 &
pids+=($!)
aport=$(free_port)
for _ in $(seq 120); do "$temporal" operator cluster health --address "127.0.0.1:$tport" >/dev/null 2>&1 && break; sleep 1; done
krun --env DATABASE_URL="$db" --env TEMPORAL_ADDRESS="127.0.0.1:$tport" --env KILN_API_PORT="$aport" \
  --env KILN_API_HOST=127.0.0.1 --env KILN_ADMIN_TOKEN=kiln_admin_image_test "$ctr" -- "${entry[@]}" api > "$work/api.log" 2>&1 &
api=$!
pids+=($api)
for _ in $(seq 600); do curl -fsS "http://127.0.0.1:$aport/healthz" >/dev/null 2>&1 && break; kill -0 "$api" 2>/dev/null || break; sleep 1; done
curl -fsS "http://127.0.0.1:$aport/healthz" || { cat "$work/api.log"; exit 1; }
echo
curl -fsS "http://127.0.0.1:$aport/readyz"; echo
tini=$(pgrep -f '^/usr/bin/tini -- node /app/cli/bin/kiln.js api' | head -1)
kill -TERM "$tini"
wait "$api"; code=$?
cat "$work/api.log"
echo "kiln api exited $code after SIGTERM"
[ "$code" -eq 0 ]
echo "image checks passed"
