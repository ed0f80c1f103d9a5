package notify

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"waymark"
	"waymark/internal/input"
)

// Receiver is what Notify's callbacks change; *email.Outbox is one.
type Receiver interface {
	// Receipt records a delivery receipt. Errors: ENOTFOUND for a message
	// it does not know.
	Receipt(ctx context.Context, providerID, status string, at time.Time) error
	OptOut(ctx context.Context, phone string) error
	OptIn(ctx context.Context, phone string) error
}

// Callback paths, to give Notify on its API integration page.
const (
	ReceiptsPath = "/notify/delivery-receipts"
	InboundPath  = "/notify/received-text-messages"
)

// Callbacks returns the handlers of Notify's callbacks by route pattern:
// delivery receipts and received text messages (a STOP reply opts the
// number out of texts, START back in). Each checks the bearer token Notify
// was given (at least 16 characters; with none, no callbacks are served).
func Callbacks(token string, r Receiver, now func() time.Time, logger *slog.Logger) map[string]http.HandlerFunc {
	if len(token) < 16 || r == nil {
		return nil
	}
	c := callbacks{token: token, r: r, now: now, log: logger}
	return map[string]http.HandlerFunc{
		"POST " + ReceiptsPath: c.receipt,
		"POST " + InboundPath:  c.inbound,
	}
}

type callbacks struct {
	token string
	r     Receiver
	now   func() time.Time
	log   *slog.Logger
}

// read checks the token and decodes the body into v; it answers the
// request itself and returns false when either is wrong.
func (c callbacks) read(w http.ResponseWriter, req *http.Request, v any) bool {
	got, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="notify"`)
		http.Error(w, "The bearer token is missing or wrong", http.StatusUnauthorized)
		return false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 64<<10))
	if err != nil || json.Unmarshal(raw, v) != nil {
		http.Error(w, "The body must be Notify's JSON callback", http.StatusBadRequest)
		return false
	}
	return true
}

func (c callbacks) receipt(w http.ResponseWriter, req *http.Request) {
	var rc Receipt
	if !c.read(w, req, &rc) {
		return
	}
	if rc.ID == "" || rc.Status == "" {
		http.Error(w, "A receipt needs an id and a status", http.StatusBadRequest)
		return
	}
	// Notify's ids are UUIDs: anything else (a NUL, which PostgreSQL
	// refuses) is no receipt of ours.
	if _, err := input.Line("The id", rc.ID, 100); err != nil {
		http.Error(w, "The receipt's id is not one Notify gives", http.StatusBadRequest)
		return
	}
	if _, err := input.Line("The status", rc.Status, 100); err != nil {
		http.Error(w, "The receipt's status is not one Notify gives", http.StatusBadRequest)
		return
	}
	at := c.now()
	if rc.CompletedAt != nil {
		at = *rc.CompletedAt
	}
	err := c.r.Receipt(req.Context(), rc.ID, rc.Status, at)
	switch {
	case waymark.ErrorCode(err) == waymark.ENOTFOUND:
		// Sent by another installation on the same Notify service, or
		// erased since: nothing to update, and nothing to try again.
		c.log.Info("delivery receipt for an unknown message", "notification_id", rc.ID, "status", rc.Status)
	case err != nil:
		c.log.Error("delivery receipt", "notification_id", rc.ID, "error", err)
		http.Error(w, "Could not record the receipt; try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c callbacks) inbound(w http.ResponseWriter, req *http.Request) {
	var in Inbound
	if !c.read(w, req, &in) {
		return
	}
	var err error
	switch in.Keyword() {
	case "stop":
		err = c.r.OptOut(req.Context(), in.Phone())
	case "start":
		err = c.r.OptIn(req.Context(), in.Phone())
	default:
		// Texts say replies are not read; the content is not kept.
		c.log.Info("received a text message that is not STOP or START", "inbound_id", in.ID)
	}
	switch {
	case waymark.ErrorCode(err) == waymark.EINVALID:
		c.log.Info("STOP or START from a number that is not a UK mobile", "inbound_id", in.ID)
	case err != nil:
		c.log.Error("received text message", "inbound_id", in.ID, "error", err)
		http.Error(w, "Could not record the reply; try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
