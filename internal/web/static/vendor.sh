#!/bin/sh
# Copies the npm front-end packages the pages use into static/vendor (ignored by
# git, embedded in the binary). Run from the repository root after `npm ci`.
#
#   node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css -> vendor/nhsuk/
#       (image addresses made relative; the @font-face rules for the NHS font on
#       assets.nhs.uk removed, as the Content-Security-Policy allows our own
#       origin only, so pages use the design system's Arial fallback)
#   node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js  -> vendor/nhsuk/
#   node_modules/nhsuk-frontend/dist/nhsuk/assets/images/         -> vendor/nhsuk/images/
#   node_modules/leaflet/dist/leaflet.js, leaflet.css             -> vendor/leaflet/
#   node_modules/leaflet/dist/images/                             -> vendor/leaflet/images/
#   node_modules/chart.js/dist/chart.umd.min.js                   -> vendor/chart/
#
# axe-core is used by the browser tests straight from node_modules.
set -eu
here=$(dirname "$0")
out="$here/vendor"
nhs=node_modules/nhsuk-frontend/dist/nhsuk
leaflet=node_modules/leaflet/dist
chart=node_modules/chart.js/dist
for f in "$nhs/nhsuk-frontend.min.css" "$nhs/nhsuk-frontend.min.js" "$leaflet/leaflet.js" "$chart/chart.umd.min.js"; do
	[ -f "$f" ] || { echo "vendor.sh: $f is missing: run npm ci first" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/nhsuk" "$out/leaflet" "$out/chart"
sed -e 's#url(/assets/images/#url(images/#g' -e 's#@font-face{[^}]*}##g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
	"$nhs/nhsuk-frontend.min.css" >"$out/nhsuk/nhsuk-frontend.min.css"
sed -e 's#//\# sourceMappingURL=.*$##' "$nhs/nhsuk-frontend.min.js" >"$out/nhsuk/nhsuk-frontend.min.js"
cp -R "$nhs/assets/images" "$out/nhsuk/images"
cp "$leaflet/leaflet.js" "$leaflet/leaflet.css" "$out/leaflet/"
cp -R "$leaflet/images" "$out/leaflet/images"
sed -e 's#//\# sourceMappingURL=.*$##' "$chart/chart.umd.min.js" >"$out/chart/chart.umd.min.js"
