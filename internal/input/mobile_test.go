package input

import "testing"

func TestMobileKeepsUKMobilesInE164AndRefusesLandlines(t *testing.T) {
	for in, want := range map[string]string{
		"07700 900982":       "+447700900982",
		"+44 7700 900982":    "+447700900982",
		"0044 (0)7700900982": "+447700900982",
		"07911 123456":       "+447911123456",
	} {
		got, err := Mobile(in)
		if err != nil || got != want {
			t.Errorf("Mobile(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"01332 123456", "01632 960001", "020 7946 0000", "+1 212 555 0100", "not a number", ""} {
		if got, err := Mobile(in); err == nil {
			t.Errorf("Mobile(%q) = %q, want an error", in, got)
		}
	}
}

func TestTextableMobileReadsNumbersKeptInEveryOlderForm(t *testing.T) {
	for _, kept := range []string{"07700900982", "07700 900982", "+447700900982", " 07700 900 982 "} {
		if got, ok := TextableMobile(kept); !ok || got != "+447700900982" {
			t.Errorf("TextableMobile(%q) = %q, %v", kept, got, ok)
		}
	}
	for _, kept := range []string{"01332123456", "01332 123456", "", "+12125550100"} {
		if got, ok := TextableMobile(kept); ok {
			t.Errorf("TextableMobile(%q) = %q, true; a landline or foreign number gets no texts", kept, got)
		}
	}
}

func TestKeepPhoneStoresMobilesInE164AndLandlinesAsDigits(t *testing.T) {
	for in, want := range map[string]string{"07700 900982": "+447700900982", "01332 123456": "01332123456"} {
		if got, err := KeepPhone(in); err != nil || got != want {
			t.Errorf("KeepPhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if FormatPhone("+447700900982") != "07700 900982" {
		t.Errorf("FormatPhone(E.164) = %q, want the national form", FormatPhone("+447700900982"))
	}
}
