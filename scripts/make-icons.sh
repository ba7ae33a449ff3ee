#!/usr/bin/env bash
# Derives every icon each platform needs from the one source image,
# icons/fluxdesk-source.png (1024x1024 RGBA), with the Tauri CLI's `icon`
# command: Linux PNGs, icon.icns (macOS), icon.ico and the Square logos
# (Windows). `--redraw` draws the source again first (needs ImageMagick).
set -euo pipefail
cd "$(dirname "$0")/.."
src=icons/fluxdesk-source.png
if [[ ! -f $src || ${1:-} == --redraw ]]; then
  # The mark: a deep-teal rounded square with three "flux" bars.
  convert -size 1024x1024 xc:none \
    -fill '#0f3d3e' -draw 'roundrectangle 64,64 960,960 200,200' \
    -fill '#2dd4bf' -draw 'roundrectangle 240,280 800,380 50,50' \
    -fill '#5eead4' -draw 'roundrectangle 240,462 680,562 50,50' \
    -fill '#99f6e4' -draw 'roundrectangle 240,644 560,744 50,50' \
    PNG32:$src
fi
[[ -x .tools/node_modules/.bin/tauri ]] || scripts/setup.sh
.tools/node_modules/.bin/tauri icon "$src" --output icons
# Mobile icons: Fluxdesk is a desktop app.
rm -rf icons/android icons/ios
ls icons
