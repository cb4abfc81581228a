#!/bin/sh
# Builds the Kiln image on a machine with no registry: a Debian trixie root file system made by
# mmdebstrap from Debian's packages (cached), imported as the base, then the Dockerfile built on it.
#   deploy/docker/build-image.sh [TAG]      (default kiln:local; needs mmdebstrap and buildah)
# Builds use chroot isolation: that needs no cgroups, which some sandboxes (and this project's CI
# machine) do not delegate to containers. Elsewhere `podman build` or `docker build` do the same.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAG=${1:-kiln:local}
TOOLS=${KILN_TOOLS_DIR:-$ROOT/.kiln/tools}
BASE_TAR="$TOOLS/images/debian-trixie-minbase.tar"
BASE=localhost/kiln-base:trixie

if [ ! -f "$BASE_TAR" ]; then
  mkdir -p "$(dirname "$BASE_TAR")"
  mmdebstrap --variant=minbase --include=ca-certificates trixie "$BASE_TAR.partial" \
    "deb http://deb.debian.org/debian trixie main"
  mv "$BASE_TAR.partial" "$BASE_TAR"
fi
if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  podman import "$BASE_TAR" "$BASE"
fi
# Lower limits than the engine's defaults: raising them needs CAP_SYS_RESOURCE.
# The host's CA bundle goes to the build stage's npm (registries reached through a TLS proxy).
secret=""
ca=${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}
if [ -n "$ca" ] && [ -f "$ca" ]; then secret="--secret id=ca,src=$ca"; fi
# shellcheck disable=SC2086
buildah bud --isolation chroot --network host --format docker --layers $secret \
  --ulimit "nofile=$(ulimit -n):$(ulimit -n)" \
  --build-arg "BASE=$BASE" -f "$ROOT/deploy/docker/Dockerfile" -t "$TAG" "$ROOT"
