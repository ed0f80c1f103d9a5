package input

// NeutraliseFormula makes a text value safe to write into a CSV or XLSX cell
// that a spreadsheet will open: a value starting with =, +, -, @, tab or
// carriage return would be run as a formula (such as
// =HYPERLINK("https://evil.example","Click")), so it gets a leading
// apostrophe, which spreadsheets show as text. Plain decimal numbers ("-5",
// "+2.5") are left alone, as they cannot run anything. Every CSV and XLSX
// export writes text through it.
func NeutraliseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if (s[0] == '-' || s[0] == '+') && decimal(s[1:]) {
			return s
		}
		return "'" + s
	}
	return s
}

// decimal reports whether s is digits with at most one decimal point.
func decimal(s string) bool {
	digits, points := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
