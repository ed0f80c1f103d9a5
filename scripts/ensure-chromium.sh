#!/bin/sh
# Makes sure Debian's Chromium is installed for the browser journeys; installs
# it when running as root with apt, otherwise says how.
set -eu
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing Chromium for the browser tests..." >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	exit 0
fi
echo "Chromium is not installed: install Debian's 'chromium' package for the browser tests." >&2
exit 1
