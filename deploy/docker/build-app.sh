#!/bin/sh
# Builds Kiln's runtime tree: installs the workspace, compiles every package to JavaScript
# (`npm run build`), drops development dependencies, and copies what `kiln` runs into OUT.
# The Dockerfile's build stage runs this; so can anyone, to see what the image holds:
#   deploy/docker/build-app.sh [SRC] OUT
set -eu
if [ $# -eq 1 ]; then SRC=$(pwd); OUT=$1; else SRC=$1; OUT=$2; fi
cd "$SRC"

# onnxruntime-node's install step would fetch CUDA binaries; its CPU binding ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
# `npm ci` refuses this lock file (the registry serves no other-platform builds of some optional
# packages); `npm install` honours the locked versions all the same.
npm install --no-audit --no-fund
npm run build
npm prune --omit=dev --no-audit --no-fund

# What runs: the root manifest and node_modules (workspace packages are links into the tree), each
# compiled package's manifest, dist/, bin/ and own node_modules, the studio's built assets. No
# TypeScript sources.
rm -rf "$OUT"
mkdir -p "$OUT"
cp -a package.json package-lock.json node_modules "$OUT/"
for pkg in engine api-types artifacts tabular ml serving nodes sdk/ts worker db api cli; do
  mkdir -p "$OUT/$pkg"
  cp -a "$pkg/package.json" "$pkg/dist" "$OUT/$pkg/"
  # A package's own node_modules holds the versions npm could not hoist (engine's ajv, for one).
  for extra in bin node_modules; do
    if [ -d "$pkg/$extra" ]; then cp -a "$pkg/$extra" "$OUT/$pkg/"; fi
  done
done
mkdir -p "$OUT/studio"
cp -a studio/package.json studio/dist "$OUT/studio/"
# Workspaces that are not shipped (tests, benchmarks) leave dangling links behind.
for link in "$OUT"/node_modules/@kiln/*; do
  if [ ! -e "$link" ]; then rm "$link"; fi
done
echo "build-app: $(du -sh "$OUT" | cut -f1) in $OUT"
