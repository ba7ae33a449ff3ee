#!/usr/bin/env bash
# Builds the Yew UI into dist/: wasm via cargo, JS glue via wasm-bindgen (no
# trunk, nothing downloaded), plus the static files.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
cargo build -p fluxdesk-ui --target wasm32-unknown-unknown --release
rm -rf dist.new && mkdir -p dist.new
wasm-bindgen --target web --no-typescript --out-dir dist.new \
  "$target_dir/wasm32-unknown-unknown/release/fluxdesk-ui.wasm"
cp src-ui/static/* dist.new/
# Replace dist/ only when complete; unchanged files keep their timestamps so
# the app is not rebuilt for nothing.
mkdir -p dist
for file in dist.new/*; do
  name=$(basename "$file")
  cmp -s "$file" "dist/$name" || cp "$file" "dist/$name"
done
for file in dist/*; do
  [[ -e "dist.new/$(basename "$file")" ]] || rm -f "$file"
done
rm -rf dist.new
