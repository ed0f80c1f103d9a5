package notify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark/internal/hostile"
	"waymark/internal/notify"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// Notify's callbacks with a hostile value (NUL, invalid UTF-8, long text,
// SQL) in any field of a delivery receipt or a received text answer 4xx or
// 204, never 5xx (which Notify would retry), on both databases.
func TestCallbacksWithAHostileValueInAnyFieldNeverAnswer5xx(t *testing.T) {
	values, err := hostile.Values()
	if err != nil {
		t.Fatal(err)
	}
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		_, c, _, o := setup(t, db)
		const token = "a-long-callback-token"
		srv := callbackServer(t, token, o, c)
		bodies := map[string]map[string]any{
			notify.ReceiptsPath: {"id": "b51f7a5b-2b1d-4a8f-9d3c-2d54c6b0b3a1", "reference": "ref", "to": "07700900982", "status": "delivered",
				"created_at": "2026-11-25T09:00:00.000000Z", "notification_type": "sms"},
			notify.InboundPath: {"id": "b51f7a5b-2b1d-4a8f-9d3c-2d54c6b0b3a1", "source_number": "447700900982", "destination_number": "07700900000",
				"content": "STOP", "date_received": "2026-11-25T10:00:00.000000Z"},
		}
		requests := 0
		for path, fields := range bodies {
			for field := range fields {
				for _, v := range values {
					doc := map[string]any{}
					for k, x := range fields {
						doc[k] = x
					}
					doc[field] = v
					raw, err := json.Marshal(doc)
					if err != nil {
						t.Fatal(err)
					}
					// json.Marshal writes invalid UTF-8 as U+FFFD: send the
					// bytes as they are too.
					for _, body := range []string{string(raw), strings.Replace(string(raw), mustJSON(t, v), `"`+v+`"`, 1)} {
						requests++
						req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						resp.Body.Close()
						if resp.StatusCode >= 500 {
							t.Errorf("%s with %s = %.40q: %d", path, field, v, resp.StatusCode)
						}
					}
				}
			}
		}
		t.Logf("%d callbacks", requests)
	})
}

func mustJSON(t *testing.T, v string) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
