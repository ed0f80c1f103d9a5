package web_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

func TestEachPersonUploadsOneSpreadsheetAtATime(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newOnboardingSite(t, db)
		admin := s.signedIn(t, "admin@example.org", waymark.RoleAdmin)
		other := s.signedIn(t, "moderator@example.org", waymark.RoleModerator)
		// The first upload's file arrives slowly: the server is still
		// reading it while the same person sends another. Whether the
		// client has handed the first request to the server yet is up to
		// its buffering, so a round where it had not (nothing refused) is
		// tried again, a few times at most.
		refused := false
		for round := 0; round < 5 && !refused; round++ {
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			req, _ := http.NewRequest("POST", admin.u+"/admin/import", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			type answer struct {
				status int
				body   string
			}
			first := make(chan answer, 1)
			go func() {
				resp, err := admin.c.Do(req)
				if err != nil {
					first <- answer{}
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				first <- answer{resp.StatusCode, string(b)}
			}()
			part, _ := mw.CreateFormFile("file", "services.csv")
			data := importCSV(importRow(1))
			part.Write(data[:20])
			for range 2000 {
				status, body, _ := admin.upload("services.csv", importCSV(importRow(2)))
				if status == http.StatusTooManyRequests {
					if !strings.Contains(body, "You are already uploading a file") {
						t.Error("the refusal does not say why")
					}
					refused = true
					break
				}
			}
			if refused {
				if status, _, _ := other.upload("services.csv", importCSV(importRow(3))); status != http.StatusOK {
					t.Errorf("someone else's upload meanwhile = %d, want 200", status)
				}
			}
			part.Write(data[20:])
			mw.Close()
			pw.Close()
			// The server may instead have read the first request's headers
			// while one of the others was in progress: then it refuses the
			// first, which is the same rule seen from the other side, and
			// the round is tried again.
			switch a := <-first; {
			case a.status == http.StatusTooManyRequests && !refused && strings.Contains(a.body, "You are already uploading a file"):
			case a.status != http.StatusOK:
				t.Errorf("the first upload = %d, want 200", a.status)
			}
		}
		if !refused {
			t.Fatal("a second upload by the same person while the first was read was never refused")
		}
		if status, _, _ := admin.upload("services.csv", importCSV(importRow(4))); status != http.StatusOK {
			t.Errorf("an upload after the first finished = %d, want 200", status)
		}
	})
}
