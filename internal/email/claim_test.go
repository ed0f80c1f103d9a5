package email_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"waymark/internal/email"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// leasedBeyond counts the messages whose claim lasts past t.
func leasedBeyond(t *testing.T, db *sqlstore.DB, at time.Time) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM email_outbox WHERE lease_until > ?`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT COUNT(*) FROM email_outbox WHERE lease_until > $1`
	}
	var n int
	if err := db.SQL().QueryRow(q, at).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func statusOf(t *testing.T, o *email.Outbox, to string) string {
	t.Helper()
	list, err := o.Recent(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range list {
		if q.To == to {
			return q.Status
		}
	}
	t.Fatalf("no message to %s", to)
	return ""
}

// extensions is the email store, telling each lease a claim is extended to.
type extensions struct {
	*sqlstore.EmailStore
	until chan time.Time
}

func (e extensions) ExtendEmailClaim(ctx context.Context, token string, until time.Time) (int, error) {
	n, err := e.EmailStore.ExtendEmailClaim(ctx, token, until)
	if err == nil && n > 0 {
		select {
		case e.until <- until:
		default: // the test is not waiting: the next extension will do
		}
	}
	return n, err
}

// slowServer is a mail server that holds each message until told.
func slowServer(t *testing.T) *mailServer {
	srv := &mailServer{hold: make(chan struct{}), arrived: make(chan string, 10)}
	srv.start(t, "127.0.0.1:0")
	return srv
}

// TestTwoInstancesWithASlowMailServerDeliverOnce: while one instance waits
// on a slow mail server long past its claim's lease, it keeps the claim, so
// a second instance finds nothing to send; the message arrives once.
func TestTwoInstancesWithASlowMailServerDeliverOnce(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := slowServer(t)
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		extended := extensions{EmailStore: sqlstore.NewEmailStore(db), until: make(chan time.Time, 1)}
		a, b := newOutboxOn(t, extended, srv, c), newOutbox(t, db, srv, c)
		for _, o := range []*email.Outbox{a, b} {
			o.Lease, o.KeepEvery = time.Minute, time.Millisecond
		}
		if err := a.Send(ctx, welcome); err != nil {
			t.Fatal(err)
		}
		done := make(chan int)
		go func() {
			sent, _, err := a.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- sent
		}()
		<-srv.arrived // a is in the middle of delivering
		c.advance(10 * time.Minute)
		for until := range extended.until {
			if until.After(c.now()) {
				break // a's claim is extended past the new time
			}
		}
		if n := leasedBeyond(t, db, c.now()); n != 1 {
			t.Fatalf("%d messages leased beyond the new time, want 1", n)
		}
		if sent, _, err := b.DeliverDue(ctx); err != nil || sent != 0 {
			t.Errorf("the second instance sent %d (%v) while the first still held the message", sent, err)
		}
		close(srv.hold)
		if sent := <-done; sent != 1 {
			t.Errorf("the first instance sent %d", sent)
		}
		if got := srv.messages(); len(got) != 1 {
			t.Errorf("the mail server received %d messages, want 1", len(got))
		}
		if st := statusOf(t, a, welcome.To); st != email.StatusSent {
			t.Errorf("status %s, want sent", st)
		}
	})
}

// TestADeliveryThatLostItsClaimDoesNotMarkTheMessageSent: a message is
// marked sent only while the claim that delivered it still holds it.
func TestADeliveryThatLostItsClaimDoesNotMarkTheMessageSent(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		srv := slowServer(t)
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		a := newOutbox(t, db, srv, c)
		a.Lease, a.KeepEvery = time.Minute, time.Hour // never extended in this test
		if err := a.Send(ctx, welcome); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, _, err := a.DeliverDue(ctx); err != nil {
				t.Error(err)
			}
		}()
		<-srv.arrived
		// Another worker takes the message over, as after an expired lease.
		q := `UPDATE email_outbox SET lease_token = 'another worker'`
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
		close(srv.hold)
		<-done
		if st := statusOf(t, a, welcome.To); st != email.StatusPending {
			t.Errorf("status %s after the claim was lost, want pending (the worker holding it decides)", st)
		}
	})
}

// TestStoppingMidDeliveryGivesBackTheClaims: an instance stopped (SIGTERM)
// while delivering gives back the messages it had not tried, so another
// instance sends them at once rather than after the lease.
func TestStoppingMidDeliveryGivesBackTheClaims(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		srv := slowServer(t)
		c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		extended := extensions{EmailStore: sqlstore.NewEmailStore(db), until: make(chan time.Time, 1)}
		a, b := newOutboxOn(t, extended, srv, c), newOutbox(t, db, srv, c)
		for i := range 3 {
			m := welcome
			m.To = fmt.Sprintf("person%d@example.org", i)
			if err := a.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan int)
		go func() {
			sent, _, err := a.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			done <- sent
		}()
		inFlight := <-srv.arrived
		stop() // SIGTERM
		close(srv.hold)
		<-done
		// No time passes: b can only send what a gave back.
		if _, _, err := b.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, m := range srv.messages() {
			got[m.to[0]]++
		}
		for i := range 3 {
			to := fmt.Sprintf("person%d@example.org", i)
			if to == inFlight {
				if got[to] > 1 {
					t.Errorf("%s, in flight at the stop, was delivered %d times", to, got[to])
				}
				continue
			}
			if got[to] != 1 {
				t.Errorf("%s, not yet tried at the stop, was delivered %d times, want once at once", to, got[to])
			}
		}
	})
}
