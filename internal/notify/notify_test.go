package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"waymark/internal/email"
	"waymark/internal/notify"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

const (
	serviceID   = "26785a09-ab16-4eb0-8407-a37497a57506"
	secret      = "3d844edf-8d35-48ac-975b-e847b4f122b0"
	apiKey      = "waymark_test-" + serviceID + "-" + secret
	emailTmpl   = "f33517ff-2a88-4f6e-b855-c550268ce08a"
	smsTmpl     = "ceb50d92-100d-4b8b-b559-14fa3b091cda"
	testMobile  = "+447700900982"
	testAddress = "sam@example.org"
)

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

// request is one request the fake Notify accepted.
type request struct {
	Path string
	Body map[string]any
}

// fakeNotify answers as GOV.UK Notify's REST API documents: it checks the
// token (HS256, iss the service id, iat within 30 seconds of its clock)
// and the request's shape, and answers with the statuses queued in
// answers (201 when none are left).
type fakeNotify struct {
	t     *testing.T
	clock *clock
	srv   *httptest.Server

	mu      sync.Mutex
	down    bool // drop every connection, as an unreachable server
	answers []int
	got     []request
	n       int
}

func newFakeNotify(t *testing.T, c *clock) *fakeNotify {
	f := &fakeNotify{t: t, clock: c}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNotify) answer(codes ...int) {
	f.mu.Lock()
	f.answers = append(f.answers, codes...)
	f.mu.Unlock()
}

func (f *fakeNotify) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeNotify) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

func notifyError(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"status_code": %d, "errors": [{"error": %q, "message": %q}]}`, status, kind, msg)
}

func (f *fakeNotify) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		notifyError(w, 401, "AuthError", "Unauthorized: authentication token must be provided")
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	iat, _ := claims["iat"].(float64)
	skew := f.clock.now().Unix() - int64(iat)
	if err != nil || claims["iss"] != serviceID || skew > 30 || skew < -30 {
		notifyError(w, 403, "AuthError", "Invalid token: API key not found")
		return
	}
	var body map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		notifyError(w, 400, "BadRequestError", "Invalid JSON supplied in POST data")
		return
	}
	pers, _ := body["personalisation"].(map[string]any)
	switch r.URL.Path {
	case "/v2/notifications/sms":
		if body["template_id"] != smsTmpl || !strings.HasPrefix(fmt.Sprint(body["phone_number"]), "+447") || pers["body"] == nil {
			notifyError(w, 400, "BadRequestError", "phone_number or template_id or personalisation missing")
			return
		}
	case "/v2/notifications/email":
		if body["template_id"] != emailTmpl || !strings.Contains(fmt.Sprint(body["email_address"]), "@") || pers["subject"] == nil || pers["body"] == nil {
			notifyError(w, 400, "BadRequestError", "email_address or template_id or personalisation missing")
			return
		}
	default:
		notifyError(w, 404, "NotFoundError", "No such endpoint")
		return
	}
	f.mu.Lock()
	code := http.StatusCreated
	if len(f.answers) > 0 {
		code, f.answers = f.answers[0], f.answers[1:]
	}
	if code == http.StatusCreated {
		f.got = append(f.got, request{r.URL.Path, body})
		f.n++
	}
	id := fmt.Sprintf("740e5834-3a29-46b4-9a6f-%012d", f.n)
	f.mu.Unlock()
	switch code {
	case http.StatusCreated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"id": id, "reference": body["reference"],
			"content": map[string]any{"body": pers["body"]}, "template": map[string]any{"id": body["template_id"], "version": 1}})
	case http.StatusTooManyRequests:
		notifyError(w, code, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
	case http.StatusBadRequest:
		notifyError(w, code, "BadRequestError", "Can't send to this recipient using a team-only API key")
	case http.StatusForbidden:
		notifyError(w, code, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
	default:
		notifyError(w, code, "Exception", "Internal server error")
	}
}

// newOutbox returns an outbox on db sending email and texts through the
// fake Notify, as the server wires it when NOTIFY_API_KEY is set.
func newOutbox(t *testing.T, db *sqlstore.DB, f *fakeNotify, c *clock) *email.Outbox {
	t.Helper()
	client, err := notify.NewClient(apiKey, f.srv.URL, c.now)
	if err != nil {
		t.Fatal(err)
	}
	o := email.NewOutbox(sqlstore.NewEmailStore(db), notify.EmailTransport{Client: client, Template: emailTmpl}, c.now,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	o.SetTransport(email.ChannelSMS, notify.SMSTransport{Client: client, Template: smsTmpl})
	return o
}

// both is a message with an email and a text form, preferring the text.
func both() email.Message {
	m := email.Compose(testAddress, "Update on your referral", []string{"Hello Sam,"}, "https://waymark.example/t/1", "See your referral")
	return m.Texted("07700 900982", "Waymark: Hello Sam, there is an update on your referral: https://waymark.example/t/1", true)
}

func textOnly() email.Message {
	return email.Message{Phone: testMobile, SMS: "Waymark: Hello Sam, see your referral: https://waymark.example/t/1", Prefer: email.ChannelSMS}
}

// setup is a fake Notify on a test clock and an outbox on db sending
// through it.
func setup(t *testing.T, db *sqlstore.DB) (context.Context, *clock, *fakeNotify, *email.Outbox) {
	c := start()
	f := newFakeNotify(t, c)
	return context.Background(), c, f, newOutbox(t, db, f, c)
}

func start() *clock { return &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

func mustSend(t *testing.T, o *email.Outbox, msgs ...email.Message) {
	t.Helper()
	for _, m := range msgs {
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
}

// only returns the outbox's one message.
func only(t *testing.T, o *email.Outbox) email.Queued {
	t.Helper()
	list, err := o.Recent(context.Background(), 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("outbox holds %d messages, %v", len(list), err)
	}
	return list[0]
}

func TestParseKeyReadsTheServiceIDAndSecretFromTheEnd(t *testing.T) {
	for _, key := range []string{apiKey, "my-key-with-hyphens-" + serviceID + "-" + secret} {
		id, sec, err := notify.ParseKey(key)
		if err != nil || id != serviceID || sec != secret {
			t.Errorf("ParseKey(%q) = %q, %q, %v", key, id, sec, err)
		}
	}
	for _, key := range []string{"", secret, serviceID + "-" + secret, "name-" + serviceID + "-not-a-uuid-at-all-but-36-chars-long!"} {
		if _, _, err := notify.ParseKey(key); err == nil {
			t.Errorf("ParseKey(%q) accepted a malformed key", key)
		}
	}
}

func TestTextsAndEmailsGoThroughNotifyWithASignedToken(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, _, f, o := setup(t, db)
		mustSend(t, o, both())
		if sent, failed, err := o.DeliverDue(ctx); sent != 1 || failed != 0 || err != nil {
			t.Fatalf("DeliverDue = %d sent, %d failed, %v", sent, failed, err)
		}
		got := f.requests()
		if len(got) != 1 || got[0].Path != "/v2/notifications/sms" {
			t.Fatalf("Notify got %+v, want one text", got)
		}
		q := only(t, o)
		if got[0].Body["phone_number"] != testMobile || got[0].Body["reference"] != q.ID ||
			got[0].Body["personalisation"].(map[string]any)["body"] != q.SMS {
			t.Errorf("text request = %+v", got[0].Body)
		}
		if q.Status != email.StatusSent || q.Channel != email.ChannelSMS || q.ProviderID == "" || q.FellBack {
			t.Errorf("after sending: %+v", q)
		}

		// A message with an email form only goes by email, subject and
		// body in the pass-through template's fields.
		mustSend(t, o, email.Compose(testAddress, "Reset your Waymark password", []string{"Hello,"}))
		if sent, _, err := o.DeliverDue(ctx); sent != 1 || err != nil {
			t.Fatalf("email: %d sent, %v", sent, err)
		}
		got = f.requests()
		if len(got) != 2 || got[1].Path != "/v2/notifications/email" || got[1].Body["email_address"] != testAddress ||
			got[1].Body["personalisation"].(map[string]any)["subject"] != "Reset your Waymark password" {
			t.Errorf("email request = %+v", got[len(got)-1])
		}
	})
}

func TestRateLimitsAndServerErrorsAreRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, c, f, o := setup(t, db)
		mustSend(t, o, textOnly())
		mustSend(t, o, textOnly())
		f.answer(http.StatusTooManyRequests)
		sent, failed, err := o.DeliverDue(ctx)
		if sent != 0 || failed != 1 || err != nil {
			t.Fatalf("rate limited: %d sent, %d failed, %v", sent, failed, err)
		}
		list, _ := o.Recent(ctx, 10)
		tried, waiting := list[0], list[1]
		if tried.Attempts == 0 {
			tried, waiting = waiting, tried
		}
		if tried.Status != email.StatusPending || tried.Attempts != 1 || !strings.Contains(tried.LastError, "429") ||
			!tried.NextAttemptAt.Equal(c.now().Add(o.Backoff)) {
			t.Errorf("after a 429: %+v", tried)
		}
		// Nothing more is sent on a channel that asked to slow down.
		if waiting.Attempts != 0 || waiting.Status != email.StatusPending || len(f.requests()) != 0 {
			t.Errorf("the second text was tried after the 429: %+v", waiting)
		}
		sent, _, _ = o.DeliverDue(ctx)
		if sent != 1 {
			t.Fatalf("the text not limited is sent on the next run: %d", sent)
		}

		// The limited one waits for its backoff, then meets a server
		// error: retried after twice the wait, then sent.
		f.answer(http.StatusInternalServerError)
		c.advance(o.Backoff)
		if sent, failed, _ := o.DeliverDue(ctx); sent != 0 || failed != 1 {
			t.Fatalf("5xx: %d sent, %d failed", sent, failed)
		}
		list, _ = o.Recent(ctx, 10)
		if list[0].ID != tried.ID {
			list[0], list[1] = list[1], list[0]
		}
		if q := list[0]; q.Status != email.StatusPending || q.Attempts != 2 || !q.NextAttemptAt.Equal(c.now().Add(2*o.Backoff)) {
			t.Errorf("after a 500: %+v", q)
		}
		c.advance(2 * o.Backoff)
		if sent, failed, _ := o.DeliverDue(ctx); sent != 1 || failed != 0 {
			t.Fatalf("after the outage: %d sent, %d failed", sent, failed)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("Notify accepted %d texts, want 2", n)
		}
	})
}

func TestRefusedRequestsAreNotRetriedAndAreShown(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, c, f, o := setup(t, db)
		for _, code := range []int{http.StatusBadRequest, http.StatusForbidden} {
			mustSend(t, o, textOnly())
			f.answer(code)
			if sent, failed, _ := o.DeliverDue(ctx); sent != 0 || failed != 1 {
				t.Fatalf("%d: %d sent, %d failed", code, sent, failed)
			}
			list, _ := o.Recent(ctx, 1)
			q := list[0]
			want := map[int]string{400: "BadRequestError: Can't send to this recipient", 403: "AuthError"}[code]
			if q.Status != email.StatusFailed || q.Attempts != 1 || !strings.Contains(q.LastError, want) {
				t.Errorf("after a %d: %+v", code, q)
			}
			c.advance(24 * time.Hour)
			if _, failed, _ := o.DeliverDue(ctx); failed != 0 {
				t.Errorf("a %d was tried again", code)
			}
		}
		// A refused text with an email form goes by email instead.
		mustSend(t, o, both())
		f.answer(http.StatusBadRequest)
		if sent, failed, _ := o.DeliverDue(ctx); sent != 1 || failed != 1 {
			t.Fatalf("refused text then its email: %d sent, %d failed", sent, failed)
		}
		list, _ := o.Recent(ctx, 1)
		if q := list[0]; q.Status != email.StatusSent || q.Channel != email.ChannelEmail || !q.FellBack {
			t.Fatalf("after the text was refused: %+v", q)
		}
		if got := f.requests(); got[len(got)-1].Path != "/v2/notifications/email" {
			t.Errorf("fell back to %s", got[len(got)-1].Path)
		}
	})
}

func TestTheOutboxKeepsMessagesAcrossRestartsAndOutages(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		c := start()
		f := newFakeNotify(t, c)
		f.setDown(true) // Notify is unreachable
		o := newOutbox(t, db, f, c)
		mustSend(t, o, textOnly(), email.Compose(testAddress, "Your Waymark referral", []string{"Hello Sam,"}))
		if sent, failed, _ := o.DeliverDue(ctx); sent != 0 || failed != 2 {
			t.Fatalf("during the outage: %d sent, %d failed", sent, failed)
		}
		// The process restarts: a new outbox on the same database, and
		// Notify is back.
		f.setDown(false)
		o2 := newOutbox(t, db, f, c)
		c.advance(time.Hour)
		if sent, failed, err := o2.DeliverDue(ctx); sent != 2 || failed != 0 || err != nil {
			t.Fatalf("after the restart: %d sent, %d failed, %v", sent, failed, err)
		}
		paths := map[string]bool{}
		for _, r := range f.requests() {
			paths[r.Path] = true
		}
		if !paths["/v2/notifications/sms"] || !paths["/v2/notifications/email"] {
			t.Errorf("after the restart Notify got %v", paths)
		}
	})
}

func TestAnSMSOutageKeepsTextsWaitingWhileEmailGoes(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, c, _, o := setup(t, db)
		down := newFakeNotify(t, c)
		down.setDown(true)
		o.SetTransport(email.ChannelSMS, notify.SMSTransport{Client: mustClient(t, down, c), Template: smsTmpl})
		mustSend(t, o, both(), email.Compose(testAddress, "Reset your Waymark password", []string{"Hello,"}))
		sent, failed, _ := o.DeliverDue(ctx)
		if sent != 1 || failed != 1 {
			t.Fatalf("with texts down: %d sent, %d failed", sent, failed)
		}
		list, _ := o.Recent(ctx, 10)
		var text email.Queued
		for _, q := range list {
			if q.Phone != "" {
				text = q
			}
		}
		// A temporary failure is retried on the same channel, not moved.
		if text.Status != email.StatusPending || text.Channel != email.ChannelSMS || text.FellBack {
			t.Errorf("text during the outage: %+v", text)
		}
		down.setDown(false)
		c.advance(time.Hour)
		if sent, _, _ := o.DeliverDue(ctx); sent != 1 {
			t.Fatalf("after the outage: %d sent", sent)
		}
	})
}

func mustClient(t *testing.T, f *fakeNotify, c *clock) *notify.Client {
	t.Helper()
	client, err := notify.NewClient(apiKey, f.srv.URL, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestDeliveryReceiptsUpdateTheMessageAndAFailedNumberFallsBackToEmail(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, c, _, o := setup(t, db)
		mustSend(t, o, both())
		o.DeliverDue(ctx)
		q := only(t, o)
		if err := o.Receipt(ctx, q.ProviderID, email.ReceiptPermanentFailure, c.now()); err != nil {
			t.Fatal(err)
		}
		q = only(t, o)
		if q.Receipt != email.ReceiptPermanentFailure || q.Status != email.StatusPending || q.Channel != email.ChannelEmail || !q.FellBack {
			t.Fatalf("after a permanent failure: %+v", q)
		}
		reach, err := o.Reachability(ctx, "07700 900982", testAddress)
		if err != nil || reach["07700 900982"] != email.UndeliverableFailed || reach[testAddress] != "" {
			t.Errorf("Reachability = %v, %v", reach, err)
		}
		if sent, _, _ := o.DeliverDue(ctx); sent != 1 {
			t.Fatalf("email after the failed text: %d sent", sent)
		}
		q = only(t, o)
		if err := o.Receipt(ctx, q.ProviderID, email.ReceiptDelivered, c.now()); err != nil {
			t.Fatal(err)
		}
		if q = only(t, o); q.Receipt != email.ReceiptDelivered || q.Status != email.StatusSent || q.Channel != email.ChannelEmail {
			t.Errorf("after delivery: %+v", q)
		}
		// The number Notify said does not exist gets no more texts.
		mustSend(t, o, textOnly())
		if _, failed, _ := o.DeliverDue(ctx); failed != 1 {
			t.Errorf("a text to a number that does not exist was sent")
		}
		if err := o.Receipt(ctx, "no-such-id", email.ReceiptDelivered, c.now()); err == nil {
			t.Errorf("a receipt for an unknown message was accepted")
		}
	})
}

func TestAnOptedOutNumberGetsEmailInsteadOfTexts(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, _, f, o := setup(t, db)
		if err := o.OptOut(ctx, "07700 900982"); err != nil {
			t.Fatal(err)
		}
		mustSend(t, o, both(), textOnly())
		sent, failed, _ := o.DeliverDue(ctx)
		if sent != 1 || failed != 1 {
			t.Fatalf("opted out: %d sent, %d failed", sent, failed)
		}
		for _, r := range f.requests() {
			if r.Path != "/v2/notifications/email" {
				t.Errorf("a text went to a number that opted out")
			}
		}
		list, _ := o.Recent(ctx, 10)
		if q := list[0]; q.Status != email.StatusFailed || !strings.Contains(q.LastError, "opted out") {
			t.Errorf("the text-only message: %+v", q)
		}
		if err := o.OptIn(ctx, "+447700900982"); err != nil {
			t.Fatal(err)
		}
		mustSend(t, o, textOnly())
		if sent, _, _ := o.DeliverDue(ctx); sent != 1 {
			t.Errorf("after opting in again no text was sent")
		}
	})
}

func TestInboundStopAndStart(t *testing.T) {
	for content, want := range map[string]string{"STOP": "stop", " stop. ": "stop", "Unsubscribe": "stop", "start": "start", "When is my appointment?": ""} {
		if got := (notify.Inbound{Content: content}).Keyword(); got != want {
			t.Errorf("Keyword(%q) = %q, want %q", content, got, want)
		}
	}
	if got := (notify.Inbound{SourceNumber: "447700900982"}).Phone(); got != testMobile {
		t.Errorf("Phone() = %q", got)
	}
}

func TestCallbacksCheckTheTokenAndRecordReceiptsAndStop(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, c, _, o := setup(t, db)
		const token = "a-long-callback-token"
		srv := callbackServer(t, token, o, c)
		post := func(path, bearer, body string) int {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		mustSend(t, o, textOnly())
		o.DeliverDue(ctx)
		q := only(t, o)
		receipt := fmt.Sprintf(`{"id": %q, "reference": %q, "to": "07700900982", "status": "delivered",
			"created_at": "2026-11-25T09:00:00.000000Z", "completed_at": "2026-11-25T09:00:05.000000Z",
			"sent_at": "2026-11-25T09:00:01.000000Z", "notification_type": "sms"}`, q.ProviderID, q.ID)
		if code := post(notify.ReceiptsPath, "", receipt); code != http.StatusUnauthorized {
			t.Errorf("without a token: %d", code)
		}
		if code := post(notify.ReceiptsPath, "the-wrong-token-entirely", receipt); code != http.StatusUnauthorized {
			t.Errorf("with the wrong token: %d", code)
		}
		if q := only(t, o); q.Receipt != "" {
			t.Fatalf("a receipt without the token was recorded: %+v", q)
		}
		if code := post(notify.ReceiptsPath, token, `{"id": `); code != http.StatusBadRequest {
			t.Errorf("broken JSON: %d", code)
		}
		if code := post(notify.ReceiptsPath, token, receipt); code != http.StatusNoContent {
			t.Fatalf("receipt: %d", code)
		}
		if q := only(t, o); q.Receipt != email.ReceiptDelivered || q.ReceiptAt == nil || !q.ReceiptAt.Equal(time.Date(2026, 11, 25, 9, 0, 5, 0, time.UTC)) {
			t.Errorf("after the receipt: %+v", q)
		}
		stop := `{"id": "b51f7a5b-2b1d-4a8f-9d3c-2d54c6b0b3a1", "source_number": "447700900982", "destination_number": "07700900000",
			"content": "STOP", "date_received": "2026-11-25T10:00:00.000000Z"}`
		if code := post(notify.InboundPath, token, stop); code != http.StatusNoContent {
			t.Fatalf("STOP: %d", code)
		}
		if reach, _ := o.Reachability(ctx, testMobile); reach[testMobile] != email.UndeliverableOptedOut {
			t.Errorf("after STOP: %v", reach)
		}
		if code := post(notify.InboundPath, token, strings.Replace(stop, "STOP", "Start", 1)); code != http.StatusNoContent {
			t.Fatalf("START: %d", code)
		}
		if reach, _ := o.Reachability(ctx, testMobile); len(reach) != 0 {
			t.Errorf("after START: %v", reach)
		}
	})
	if notify.Callbacks("short", nil, time.Now, nil) != nil {
		t.Errorf("callbacks were served with a short token")
	}
}

// callbackServer serves Notify's callbacks with the token, into the
// outbox, until the test ends.
func callbackServer(t *testing.T, token string, o *email.Outbox, c *clock) *httptest.Server {
	mux := http.NewServeMux()
	for pattern, h := range notify.Callbacks(token, o, c.now, slog.New(slog.NewTextHandler(io.Discard, nil))) {
		mux.HandleFunc(pattern, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
