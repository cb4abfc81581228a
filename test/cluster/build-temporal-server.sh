#!/usr/bin/env bash
# Builds Temporal's production server (`temporal-server`) and its SQL schema tool
# (`temporal-sql-tool`) from the Go module proxy into $KILN_TOOLS_DIR/bin (default .kiln/tools/bin),
# once per version, under a lock so parallel callers build it once. A few minutes on 2 cores.
set -euo pipefail
VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.1}" # v1.32.2 needs go ≥ 1.26.10; the machine has 1.26.8
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${KILN_TOOLS_DIR:-$ROOT/.kiln/tools}"
BIN="$TOOLS/bin"
SERVER="$BIN/temporal-server-$VERSION"
SQL_TOOL="$BIN/temporal-sql-tool-$VERSION"
mkdir -p "$BIN"
exec 9>"$TOOLS/temporal-server.lock"
flock 9
if [ -x "$SERVER" ] && [ -x "$SQL_TOOL" ]; then exit 0; fi
echo "building Temporal server $VERSION from the Go module proxy into $BIN (once; a few minutes)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOFLAGS=-mod=mod GOBIN="$work" nice -n 10 go install \
  "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION"
mv "$work/sql" "$SQL_TOOL"
mv "$work/server" "$SERVER"
