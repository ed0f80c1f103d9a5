#!/bin/sh
# Copies the npm front-end packages the pages use into static/vendor (ignored by
# git, embedded in the binary). Run from the repository root after npm ci.
set -eu
here=$(dirname "$0")
out="$here/vendor"
nhs=node_modules/nhsuk-frontend/dist/nhsuk
[ -f "$nhs/nhsuk-frontend.min.css" ] || { echo "run npm ci first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/nhsuk" "$out/leaflet"
cp "$nhs/nhsuk-frontend.min.css" "$nhs/nhsuk-frontend.min.js" "$out/nhsuk/"
cp -R "$nhs/assets/images" "$out/nhsuk/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -R node_modules/leaflet/dist/images "$out/leaflet/images"
