#!/usr/bin/env bash
# Derives every icon size from the one source image, icons/fluxdesk-source.png
# (1024x1024 RGBA). Needs ImageMagick. Run after changing the source image.
set -euo pipefail
cd "$(dirname "$0")/../icons"
src=fluxdesk-source.png
if [[ ! -f $src || ${1:-} == --redraw ]]; then
  # The mark: a deep-teal rounded square with three "flux" bars.
  convert -size 1024x1024 xc:none \
    -fill '#0f3d3e' -draw 'roundrectangle 64,64 960,960 200,200' \
    -fill '#2dd4bf' -draw 'roundrectangle 240,280 800,380 50,50' \
    -fill '#5eead4' -draw 'roundrectangle 240,462 680,562 50,50' \
    -fill '#99f6e4' -draw 'roundrectangle 240,644 560,744 50,50' \
    PNG32:$src
fi
for size in 32 128 256 512; do convert $src -resize ${size}x${size} PNG32:${size}x${size}.png; done
mv 256x256.png 128x128@2x.png
mv 512x512.png icon.png
convert $src -define icon:auto-resize=256,128,64,48,32,16 icon.ico
