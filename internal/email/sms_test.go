package email_test

import (
	"strings"
	"testing"

	"waymark/internal/email"
)

func TestSMSPartsCountAsNotifyCharges(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{strings.Repeat("[", 80), 1}, // counts twice: 160
		{strings.Repeat("[", 81), 2},
		{strings.Repeat("é", 160), 1}, // in the GSM alphabet
		{strings.Repeat("ŵ", 70), 1},  // Welsh: not in it, 70 a part
		{strings.Repeat("ŵ", 71), 2},
	} {
		if got := email.SMSParts(tt.text); got != tt.want {
			t.Errorf("SMSParts(%d × %q) = %d, want %d", len([]rune(tt.text)), []rune(tt.text)[0], got, tt.want)
		}
	}
}

func TestATextHasAFirstNameALinkAndHowToReply(t *testing.T) {
	got := email.SMS(email.FirstName("  Irene   Walsh "), "there is an update on your referral WM-AB12-CD34", "https://waymark.example/track/1/2")
	want := "Waymark: Hello Irene, there is an update on your referral WM-AB12-CD34. To read it and reply, use your private link: https://waymark.example/track/1/2 (replies to this text are not read)"
	if got != want {
		t.Errorf("SMS = %q\nwant %q", got, want)
	}
	if email.FirstName("Bartholomew-Fitzwilliam-Smythe Jones") != "" {
		t.Errorf("a first name over 20 letters is left out of a text")
	}
	if !strings.HasPrefix(email.SMS("", "x", "l"), "Waymark: Hello, x.") {
		t.Errorf("without a first name: %q", email.SMS("", "x", "l"))
	}
}

func TestTextedAddsATextFormOnlyForAMobile(t *testing.T) {
	m := email.Compose("sam@example.org", "Subject", []string{"Hello"})
	if got := m.Texted("01332 123456", "text", true); got.Phone != "" || got.Prefer != "" {
		t.Errorf("a landline got a text form: %+v", got)
	}
	got := m.Texted("07700 900982", "text", true)
	if got.Phone != "+447700900982" || got.SMS != "text" || got.Prefer != email.ChannelSMS {
		t.Errorf("a mobile: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("a message with both forms: %v", err)
	}
	textOnly := email.Message{Phone: "07700 900982", SMS: "text"}
	if err := textOnly.Validate(); err == nil {
		t.Errorf("a number not in E.164 was accepted")
	}
	if err := (&email.Message{Phone: "+447700900982"}).Validate(); err == nil {
		t.Errorf("a text without a body was accepted")
	}
	if err := (&email.Message{}).Validate(); err == nil {
		t.Errorf("a message to nobody was accepted")
	}
}
