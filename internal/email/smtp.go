package email

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DevTransport keeps messages in the outbox only: in development, with no
// mail server, they are read on the /dev/mail page. Delivery always succeeds.
type DevTransport struct{}

// Deliver does nothing.
func (DevTransport) Deliver(context.Context, Message) error { return nil }

// SMTP delivers through an SMTP server.
type SMTP struct {
	host    string
	opts    []gomail.Option
	from    string
	timeout time.Duration
}

// NewSMTP returns a transport for an SMTP URL: smtp://user:password@host:port
// (STARTTLS when the server offers it; add ?tls=required to insist, or
// ?tls=none for a local relay) or smtps://… for TLS from the start. from is
// the sender address.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:password@host:587")
	}
	s := &SMTP{host: u.Hostname(), from: from, timeout: 30 * time.Second}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		s.opts = append(s.opts, gomail.WithSSL())
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("SMTP_URL port: %w", err)
		}
	}
	s.opts = append(s.opts, gomail.WithPort(port), gomail.WithTimeout(s.timeout))
	switch u.Query().Get("tls") {
	case "", "opportunistic":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "required":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "none":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("SMTP_URL tls must be opportunistic, required or none")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	return s, nil
}

// Deliver sends one message with a plain-text part and, when given, an HTML
// alternative.
func (s *SMTP) Deliver(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}
