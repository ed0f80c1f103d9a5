package email_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"waymark"
	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// mailServer is a real SMTP listener on loopback that keeps what it receives.
type mailServer struct {
	mu  sync.Mutex
	got []received
	// With hold set, each message waits in DATA, after sending on
	// arrived, until hold is closed: a slow mail server.
	hold    chan struct{}
	arrived chan string
	server  *smtp.Server
	ln      net.Listener
	addr    string
}

type received struct {
	from string
	to   []string
	data string
}

func (m *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }

type session struct {
	m    *mailServer
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	if s.m.hold != nil {
		s.m.arrived <- s.to[0]
		<-s.m.hold
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.got = append(s.m.got, received{s.from, s.to, string(b)})
	s.m.mu.Unlock()
	return nil
}

// start listens on addr ("127.0.0.1:0" for any port).
func (m *mailServer) start(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	m.addr, m.ln = ln.Addr().String(), ln
	m.server = smtp.NewServer(m)
	m.server.Domain = "localhost"
	m.server.AllowInsecureAuth = true
	go m.server.Serve(ln)
	t.Cleanup(func() { m.server.Close() })
}

// stop closes the listener itself too: Serve may not have taken it yet.
func (m *mailServer) stop() {
	m.ln.Close()
	m.server.Close()
}

func (m *mailServer) messages() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.got...)
}

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newOutbox(t *testing.T, db *sqlstore.DB, srv *mailServer, c *clock) *email.Outbox {
	t.Helper()
	return newOutboxOn(t, sqlstore.NewEmailStore(db), srv, c)
}

// newOutboxOn is newOutbox keeping its messages in store.
func newOutboxOn(t *testing.T, store email.Store, srv *mailServer, c *clock) *email.Outbox {
	t.Helper()
	tr, err := email.NewSMTP("smtp://"+srv.addr+"?tls=none", "Waymark <no-reply@waymark.example>")
	if err != nil {
		t.Fatal(err)
	}
	return email.NewOutbox(store, tr, c.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

var welcome = email.Message{To: "sam@example.org", Subject: "Your referral has been received",
	Text: "Hello Sam,\n\nThe service will contact you.", HTML: "<p>Hello Sam,</p><p>The service will contact you.</p>"}

func TestMessagesAreDeliveredOverSMTPWithTextAndHTML(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := &mailServer{}
		srv.start(t, "127.0.0.1:0")
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		o := newOutbox(t, db, srv, c)
		if err := o.Send(ctx, welcome); err != nil {
			t.Fatal(err)
		}
		sent, failed, err := o.DeliverDue(ctx)
		if err != nil || sent != 1 || failed != 0 {
			t.Fatalf("DeliverDue = %d sent, %d failed, %v", sent, failed, err)
		}
		got := srv.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages", len(got))
		}
		m := got[0]
		if m.from != "no-reply@waymark.example" || len(m.to) != 1 || m.to[0] != "sam@example.org" {
			t.Errorf("envelope from %q to %v", m.from, m.to)
		}
		for _, want := range []string{"Subject: Your referral has been received", "text/plain", "text/html", "multipart/alternative", "The service will contact you."} {
			if !strings.Contains(m.data, want) {
				t.Errorf("message lacks %q:\n%s", want, m.data)
			}
		}
		recent, _ := o.Recent(ctx, 10)
		if len(recent) != 1 || recent[0].Status != email.StatusSent || recent[0].SentAt == nil {
			t.Errorf("outbox after delivery: %+v", recent)
		}
		// Nothing is delivered twice.
		if sent, _, _ := o.DeliverDue(ctx); sent != 0 {
			t.Errorf("second pass delivered %d", sent)
		}
	})
}

func TestNoMessageIsLostWhileTheMailServerIsDown(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := &mailServer{}
		srv.start(t, "127.0.0.1:0")
		addr := srv.addr
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		o := newOutbox(t, db, srv, c)
		srv.stop()
		if err := o.Send(ctx, welcome); err != nil {
			t.Fatal(err)
		}
		sent, failed, err := o.DeliverDue(ctx)
		if err != nil || sent != 0 || failed != 1 {
			t.Fatalf("with the server down: %d sent, %d failed, %v", sent, failed, err)
		}
		recent, _ := o.Recent(ctx, 10)
		if recent[0].Status != email.StatusPending || recent[0].Attempts != 1 || recent[0].LastError == "" ||
			!recent[0].NextAttemptAt.After(c.now()) {
			t.Fatalf("after a failure: %+v", recent[0])
		}
		// Not yet due: nothing is tried.
		if _, failed, _ := o.DeliverDue(ctx); failed != 0 {
			t.Errorf("retried before the backoff: %d", failed)
		}
		// The server comes back and the backoff passes: delivered.
		srv2 := &mailServer{}
		srv2.start(t, addr)
		c.advance(2 * time.Minute)
		sent, failed, err = o.DeliverDue(ctx)
		if err != nil || sent != 1 || failed != 0 {
			t.Fatalf("after recovery: %d sent, %d failed, %v", sent, failed, err)
		}
		if n := len(srv2.messages()); n != 1 {
			t.Errorf("server received %d after recovery", n)
		}
	})
}

func TestDeliveryGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqlstoretest.OpenSQLite(t)
	srv := &mailServer{}
	srv.start(t, "127.0.0.1:0")
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	o := newOutbox(t, db, srv, c)
	o.MaxAttempts = 3
	srv.stop()
	o.Send(ctx, welcome)
	for range 3 {
		o.DeliverDue(ctx)
		c.advance(2 * time.Hour)
	}
	recent, _ := o.Recent(ctx, 1)
	if recent[0].Status != email.StatusFailed || recent[0].Attempts != 3 {
		t.Errorf("after 3 failures: %+v", recent[0])
	}
}

func TestTwoWorkersDeliverEachMessageOnce(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := &mailServer{}
		srv.start(t, "127.0.0.1:0")
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		a, b := newOutbox(t, db, srv, c), newOutbox(t, db, srv, c)
		for i := range 30 {
			m := welcome
			m.To = fmt.Sprintf("person%d@example.org", i)
			if err := a.Send(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, o := range []*email.Outbox{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sent, _, err := o.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += sent
				mu.Unlock()
			}()
		}
		wg.Wait()
		got := srv.messages()
		seen := map[string]int{}
		for _, m := range got {
			seen[m.to[0]]++
		}
		if total != 30 || len(got) != 30 || len(seen) != 30 {
			t.Errorf("workers sent %d, server got %d for %d people", total, len(got), len(seen))
		}
	})
}

func TestInvalidMessagesAreRefused(t *testing.T) {
	t.Parallel()
	o := email.NewOutbox(nil, email.DevTransport{}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, m := range []email.Message{
		{To: "not an address", Subject: "Hi", Text: "x"},
		{To: "a@b.example", Subject: "", Text: "x"},
		{To: "a@b.example", Subject: "Two\r\nBcc: evil@example.org", Text: "x"},
		{To: "a@b.example", Subject: strings.Repeat("x", 151), Text: "x"},
		{To: "a@b.example", Subject: "Hi", Text: " "},
	} {
		if err := o.Send(context.Background(), m); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("Send(%+v) = %v, want EINVALID", m, err)
		}
	}
}

func TestSMTPURLs(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"smtp://localhost:25?tls=none", "smtp://user:pw@mail.example.org:587", "smtps://user:pw@mail.example.org", "smtp://mail.example.org?tls=required"} {
		if _, err := email.NewSMTP(ok, "a@b.example"); err != nil {
			t.Errorf("NewSMTP(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "http://mail.example.org", "smtp://", "smtp://host:port", "smtp://host?tls=maybe"} {
		if _, err := email.NewSMTP(bad, "a@b.example"); err == nil {
			t.Errorf("NewSMTP(%q) accepted", bad)
		}
	}
}
