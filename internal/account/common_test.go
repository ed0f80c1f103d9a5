package account

import (
	"strings"
	"testing"
)

func TestCommonPasswordsAreRefused(t *testing.T) {
	for _, pw := range []string{"password12", "1234567890", "Password123!", "p@ssw0rd2024", "P4SSW0RD", "qwertyuiop", "QWERTY123456",
		"sunshine2020", "Liverpool1892", "passwordpassword", "iloveyou!!!", "1111111111", "!!!!!!!!!!", "1212121212",
		"waymark2025", "letmein123", "Football 2024", "monkey-monkey", "0987654321", "1q2w3e4r5t", "abcd123456", "dragon!!2021"} {
		if !CommonPassword(pw) {
			t.Errorf("%q is not refused", pw)
		}
	}
	for _, pw := range []string{"walking in the peak", "correct horse battery staple", "waymark demo password", "Matlock Striders 1987",
		"blue kettle umbrella", "8372619405", "dragonfly tales 42", "Tr0ub4dor&3 harder"} {
		if CommonPassword(pw) {
			t.Errorf("%q is refused", pw)
		}
	}
}

func TestTheListIsSmallAndLowerCase(t *testing.T) {
	set := commonPasswords()
	if n := len(set); n < 1000 || n > 20000 {
		t.Errorf("%d entries", n)
	}
	for w := range set {
		if w != strings.ToLower(w) {
			t.Errorf("%q is not lower case", w)
		}
	}
}
