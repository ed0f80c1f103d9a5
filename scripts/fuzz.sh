#!/bin/sh
# Runs every fuzz test in the module for a while each: FUZZTIME (default 10000x,
# a count of inputs; a count, unlike a duration, cannot end in the fuzzer's own
# "context deadline exceeded" when the time runs out mid-minimisation).
# Fuzz tests are found by name (func FuzzX in a _test.go file), so new ones
# are run without editing this script.
set -eu
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10000x}
grep -rl --include='*_test.go' '^func Fuzz' cmd internal | sort | while read -r file; do
	dir=./$(dirname "$file")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "fuzz $dir $name ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" "$dir" >/tmp/waymark-fuzz.$$ 2>&1 || { cat /tmp/waymark-fuzz.$$; rm -f /tmp/waymark-fuzz.$$; exit 1; }
	done
done
rm -f /tmp/waymark-fuzz.$$
