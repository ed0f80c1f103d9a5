// Package hostile holds the hostile input corpus the tests replay against
// every form field, query parameter and API value: long strings, NUL and
// other control characters, invalid UTF-8, SQL and full-text syntax,
// right-to-left marks, huge numbers. It is for tests only; nothing in the
// product imports it.
package hostile

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed hostile.txt
var corpus string

// Values returns the corpus: hostile.txt holds one Go string literal a
// line, or "repeat N <literal>" for a long value; blank lines and lines
// starting with # are skipped. It returns an error naming the line that
// cannot be read.
func Values() ([]string, error) {
	var out []string
	for n, line := range strings.Split(corpus, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		count := 1
		if rest, ok := strings.CutPrefix(line, "repeat "); ok {
			num, lit, _ := strings.Cut(rest, " ")
			var err error
			if count, err = strconv.Atoi(num); err != nil {
				return nil, fmt.Errorf("hostile.txt:%d: %w", n+1, err)
			}
			line = lit
		}
		v, err := strconv.Unquote(line)
		if err != nil {
			return nil, fmt.Errorf("hostile.txt:%d: %w", n+1, err)
		}
		out = append(out, strings.Repeat(v, count))
	}
	return out, nil
}
