package referral

import (
	"html/template"
	"strings"

	"waymark/internal/email"
)

var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #212b32;">
{{range .Lines}}<p>{{.}}</p>
{{end}}{{range .Links}}<p><a href="{{.Href}}" style="color: #005eb8;">{{.Text}}</a></p>
{{end}}<p style="color: #4c6272;">Waymark — community support near you</p>
</body></html>`))

type mailLink struct{ Href, Text string }

// compose builds an email with plain-text and HTML parts from paragraphs and
// links (pairs of address and text).
func compose(to, subject string, lines []string, links ...string) email.Message {
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
	return email.Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}
}
