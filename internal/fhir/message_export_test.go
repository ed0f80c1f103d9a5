package fhir

import (
	"log/slog"
	"net/http"
	"time"
)

// DecodeDoc exports decodeDoc to the tests.
func DecodeDoc(b []byte) (any, error) { return decodeDoc(b) }

// Stripped is the message without what it keeps to answer with.
func (m *Message) Stripped() Message {
	c := *m
	c.doc, c.focus = nil, 0
	return c
}

// MessageHandlers are the referral endpoints without the bearer token
// check, for tests that put the caller's actor in the context themselves.
func MessageHandlers(refs Referrals, now func() time.Time) map[string]http.HandlerFunc {
	a := &API{deps: Deps{Referrals: refs}, log: slog.New(slog.DiscardHandler), now: now}
	return a.messageHandlers()
}
