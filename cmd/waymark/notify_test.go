package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/email"
	"waymark/internal/sqlstore"
)

// TestTheServerTextsThroughNotifyAndTakesItsReceipts: with the NOTIFY_*
// settings the running server sends a queued text to Notify (here a fake
// that records what it gets) and records the delivery receipt Notify posts
// to its callback with the bearer token.
func TestTheServerTextsThroughNotifyAndTakesItsReceipts(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	arrived := make(chan struct{}, 2) // a text reached the fake
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.URL.Path != "/v2/notifications/sms" || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, `{"status_code": 400, "errors": [{"error": "BadRequestError", "message": "unexpected"}]}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, body)
		id := fmt.Sprintf("740e5834-3a29-46b4-9a6f-%012d", len(got)) // Notify's id for it
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": id, "reference": body["reference"]})
		arrived <- struct{}{}
	}))
	defer fake.Close()
	const token = "a-long-callback-token"
	r := startServer(t, map[string]string{
		"NOTIFY_API_KEY":         "waymark-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
		"NOTIFY_SMS_TEMPLATE_ID": "ceb50d92-100d-4b8b-b559-14fa3b091cda",
		"NOTIFY_CALLBACK_TOKEN":  token,
		"NOTIFY_BASE_URL":        fake.URL,
	})
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, r.Vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlstore.NewEmailStore(db)
	m := email.Message{ID: "c0ffee00-0000-4000-8000-000000000001", Phone: "+447700900982", SMS: "Waymark: Hello Sam, see your referral: https://waymark.test/t", Prefer: email.ChannelSMS}
	if err := store.EnqueueEmail(ctx, m, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	// The outbox runs every 5 seconds in the server; the test's own
	// timeout bounds the wait.
	waitForText := func() {
		t.Helper()
		select {
		case <-arrived:
		case err := <-r.done:
			r.done <- err // for the cleanup
			t.Fatalf("the server stopped before sending to Notify: %v; logs:\n%s", err, r.Logs.String())
		}
	}
	waitForText()
	// The server stores Notify's id for the text after Notify answers. Its
	// one delivery loop takes a text queued now only after it has done so,
	// so once the second text arrives the first one's id is stored.
	second := email.Message{ID: "c0ffee00-0000-4000-8000-000000000002", Phone: "+447700900983", SMS: "Waymark: a second text", Prefer: email.ChannelSMS}
	if err := store.EnqueueEmail(ctx, second, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	waitForText()
	mu.Lock()
	first := got[0]
	mu.Unlock()
	if first["phone_number"] != "+447700900982" || first["reference"] != m.ID {
		t.Errorf("Notify got %v", first)
	}
	post := func(bearer string) int {
		req, _ := http.NewRequest(http.MethodPost, r.URL+"/notify/delivery-receipts", strings.NewReader(
			`{"id": "740e5834-3a29-46b4-9a6f-000000000001", "reference": "`+m.ID+`", "status": "delivered", "notification_type": "sms"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("not-the-token-at-all"); code != http.StatusUnauthorized {
		t.Errorf("a receipt with the wrong token: %d", code)
	}
	if code := post(token); code != http.StatusNoContent {
		t.Fatalf("the receipt: %d", code)
	}
	list, _ := store.RecentEmails(ctx, 100000)
	found := false
	for _, q := range list {
		if q.ID == m.ID {
			found = true
			if q.Receipt != email.ReceiptDelivered || q.Channel != email.ChannelSMS || q.Status != email.StatusSent {
				t.Errorf("after the receipt: %+v", q)
			}
		}
	}
	if !found {
		t.Errorf("the text is not in the outbox")
	}
}
