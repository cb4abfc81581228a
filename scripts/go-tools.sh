#!/usr/bin/env bash
# Builds the pinned Go tools the tests need from the Go module proxy into $KILN_TOOLS_DIR/bin
# (default .kiln/tools/bin), once per version, each under its own lock so parallel callers (test
# files, CI, several checkouts sharing KILN_TOOLS_DIR) build it once. Prints each tool's path.
#   scripts/go-tools.sh minio helm
# The one place that pins them: `.ci/run` and the tests (test/support/go-tools.ts) both call it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${KILN_TOOLS_DIR:-$ROOT/.kiln/tools}"
BIN="$TOOLS/bin"

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
HELM_VERSION=v4.3.2

module_of() {
  case "$1" in
    minio) echo "github.com/minio/minio@$MINIO_VERSION minio-$MINIO_VERSION" ;;
    helm) echo "helm.sh/helm/v4/cmd/helm@$HELM_VERSION helm-$HELM_VERSION" ;;
    *) echo "go-tools.sh: unknown tool \"$1\" (known: minio, helm)" >&2; exit 2 ;;
  esac
}

mkdir -p "$BIN"
for tool in "$@"; do
  read -r module file < <(module_of "$tool")
  target="$BIN/$file"
  if [ ! -x "$target" ]; then
    if ! command -v go >/dev/null 2>&1; then
      echo "$tool is needed and Go is not installed to build it: install Go (https://go.dev/dl) and run scripts/go-tools.sh $tool" >&2
      exit 3
    fi
    (
      flock 9
      if [ ! -x "$target" ]; then
        echo "building $tool ($module) from the Go module proxy into $BIN (once; a few minutes)" >&2
        work="$(mktemp -d "$BIN/.build-XXXXXX")"
        trap 'rm -rf "$work"' EXIT
        GOFLAGS=-buildvcs=false GOBIN="$work" nice -n 10 go install "$module"
        mv "$work"/* "$target"
      fi
    ) 9>"$TOOLS/$tool.lock"
  fi
  echo "$target"
done
