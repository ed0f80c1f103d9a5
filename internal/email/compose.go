package email

import (
	"context"
	"html/template"
	"strings"
	"unicode/utf8"
)

var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #212b32;">
{{range .Lines}}<p>{{.}}</p>
{{end}}{{range .Links}}<p><a href="{{.Href}}" style="color: #005eb8;">{{.Text}}</a></p>
{{end}}<p style="color: #4c6272;">Waymark — community support near you</p>
</body></html>`))

type mailLink struct{ Href, Text string }

// Compose builds an email with plain-text and HTML parts from paragraphs and
// links (pairs of address and text). Every domain writes its email with it,
// so all of Waymark's email looks the same.
func Compose(to, subject string, lines []string, links ...string) Message {
	var ls []mailLink
	for i := 0; i+1 < len(links); i += 2 {
		ls = append(ls, mailLink{Href: links[i], Text: links[i+1]})
	}
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l + "\n\n")
	}
	for _, l := range ls {
		text.WriteString(l.Text + ":\n" + l.Href + "\n\n")
	}
	text.WriteString("Waymark — community support near you\n")
	var html strings.Builder
	_ = mailHTML.Execute(&html, struct {
		Subject string
		Lines   []string
		Links   []mailLink
	}{subject, lines, ls})
	return Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}
}

// Sender queues a message for delivery; *Outbox is one.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Mailer is how a domain service sends the email its changes cause: it
// queues through Sender, in the transaction of the change when the context
// carries one, and builds links from the site's configured public address,
// never from a request.
type Mailer struct {
	Sender    Sender // nil sends nothing
	PublicURL string // scheme://host, no trailing slash needed
}

// Send queues m; with no Sender it does nothing.
func (m Mailer) Send(ctx context.Context, msg Message) error {
	if m.Sender == nil {
		return nil
	}
	return m.Sender.Send(ctx, msg)
}

// Link is the absolute address of path (which starts with /) on the site.
func (m Mailer) Link(path string) string {
	return strings.TrimSuffix(m.PublicURL, "/") + path
}

// FirstName is the first word of a name, for the greeting of a text
// message, which carries no other personal detail.
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 || utf8.RuneCountInString(f[0]) > 20 {
		return ""
	}
	return f[0]
}

// SMS writes a text message the way every Waymark text reads: who it is
// from, a greeting with at most a first name, what happened in a few words
// (no personal or health details, not even the service's name), and the
// link where the person reads more and replies, since replies to a text
// are not read. what is a clause like "there is an update on your
// referral".
func SMS(firstName, what, link string) string {
	greet := "Hello"
	if firstName != "" {
		greet += " " + firstName
	}
	return "Waymark: " + greet + ", " + what + ". To read it and reply, use your private link: " + link + " (replies to this text are not read)"
}

// SMSParts is how many parts a text is sent (and charged) as: 160
// characters in one, 153 in each of several (GSM 7-bit characters; a
// character outside that alphabet makes it 70 and 67).
func SMSParts(text string) int {
	n, per, single := 0, 153, 160
	for _, r := range text {
		switch {
		case strings.ContainsRune("[]{}^\\|~€", r):
			n += 2
		case r > 0x7f && !strings.ContainsRune("£¥èéùìòÇØøÅåÄÖÑÜ§¿äöñüàΔΦΓΛΩΠΨΣΘΞ¡ÆæßÉ", r):
			per, single = 67, 70
			n++
		default:
			n++
		}
	}
	if n <= single {
		return 1
	}
	return (n + per - 1) / per
}
