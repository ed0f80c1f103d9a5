package fhir_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"waymark/internal/fhir"
	"waymark/internal/sqlstore/sqlstoretest"
)

// BenchmarkAuthenticatedCall measures what Auth adds to each call: the
// token's lookup with the system and its practices, the rate limit and
// the audit row, around a handler that does nothing.
func BenchmarkAuthenticatedCall(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, directoryDB.Open(b, d), fhir.Config{Rate: 1e9, Burst: 1e9})
			h := f.api.Auth(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
			mux := http.NewServeMux()
			mux.HandleFunc("GET /probe", h)
			token := f.token()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/probe", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatalf("probe: %d", rec.Code)
				}
			}
		})
	}
}
