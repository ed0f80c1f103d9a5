package account

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords is the embedded list as a set, read once.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	return set
})

// lookAlikes undoes the usual swaps of letters for digits and symbols.
var lookAlikes = []*strings.Replacer{
	strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i", "8", "b", "9", "g"),
	strings.NewReplacer("0", "o", "1", "l", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "l", "8", "b", "9", "g"),
}

// CommonPassword reports whether a password is easy to guess, as NCSC
// guidance asks services to check: one on the embedded list of common
// passwords, or a listed word with digits or symbols before or after it
// ("password12"), with look-alike digits ("p4ssw0rd"), or repeated
// ("passwordpassword"); or a password of only digits and symbols made of
// fewer than four different characters.
func CommonPassword(pw string) bool {
	set := commonPasswords()
	p := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return unicode.ToLower(r)
	}, pw)
	if set[p] {
		return true
	}
	core := strings.TrimFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	if core == "" {
		distinct := map[rune]bool{}
		for _, r := range p {
			distinct[r] = true
		}
		return len(distinct) < 4
	}
	candidates := []string{core}
	for _, r := range lookAlikes {
		candidates = append(candidates, r.Replace(core), strings.TrimFunc(r.Replace(p), func(r rune) bool { return !unicode.IsLetter(r) }))
	}
	for _, c := range candidates {
		if set[c] || repeatsListed(c, set) {
			return true
		}
	}
	return false
}

// repeatsListed reports whether s is a listed word written two or more
// times.
func repeatsListed(s string, set map[string]bool) bool {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s && set[s[:n]] {
			return true
		}
	}
	return false
}
