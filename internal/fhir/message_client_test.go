package fhir_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
	"waymark/internal/sqlstore/sqlstoretest"
)

// The client gets a token with the system's key and sends the message; a
// key the system did not register gets no token.
func TestClientSendsAMessageAsTheSystem(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newMsgFixture(t, db)
		good, other := keys(t)
		pkcs8, err := x509.MarshalPKCS8PrivateKey(good)
		if err != nil {
			t.Fatal(err)
		}
		key, err := fhir.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
		if err != nil {
			t.Fatal(err)
		}
		c := &fhir.Client{BaseURL: f.srv.URL, SystemID: f.systems["systemA"].ID, Key: key, HTTP: f.srv.Client(), Now: f.clock}
		status, body, err := c.Send(context.Background(), readFile(t, docsExample))
		if err != nil || status != http.StatusOK {
			t.Fatalf("send: %v %d %s", err, status, body)
		}
		var answer struct{ ResourceType, ID string }
		if err := json.Unmarshal(body, &answer); err != nil || answer.ResourceType != "Bundle" {
			t.Errorf("answer %s", body)
		}
		c.Key = other
		if _, _, err := c.Send(context.Background(), readFile(t, docsExample)); err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Errorf("sent with a key the system did not register: %v", err)
		}
		for _, bad := range []string{"", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
			if _, err := fhir.ParsePrivateKey([]byte(bad)); err == nil {
				t.Errorf("ParsePrivateKey(%q) took it", bad)
			}
		}
	})
}
