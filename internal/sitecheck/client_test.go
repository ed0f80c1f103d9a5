package sitecheck_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"waymark/internal/sitecheck"
)

func TestGuardedClientRefusesLoopbackUnlessAllowedAndRedirectsToIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	if _, err := sitecheck.NewGuardedClient(5*time.Second, false).Get(srv.URL); !errors.Is(err, sitecheck.ErrBlockedAddress) {
		t.Errorf("loopback with the switch off: %v, want ErrBlockedAddress", err)
	}
	allowed := sitecheck.NewGuardedClient(5*time.Second, true)
	resp, err := allowed.Get(srv.URL)
	if err != nil {
		t.Fatalf("loopback with the switch on: %v", err)
	}
	resp.Body.Close()
	if _, err := allowed.Get(srv.URL + "/away"); !errors.Is(err, sitecheck.ErrBlockedAddress) {
		t.Errorf("a redirect to 169.254.169.254: %v, want ErrBlockedAddress", err)
	}
}
