package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
	"waymark/internal/web"
)

// testKey is a 2048-bit RSA key, made once: a connected system's.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// testPublicKey is testKey's public key in PEM.
func testPublicKey() string {
	der, _ := x509.MarshalPKIXPublicKey(&testKey().PublicKey)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// registerSystem registers a connected system directly, as an
// administrator.
func registerSystem(t *testing.T, db *sqlstore.DB) *fhir.System {
	t.Helper()
	ctx := waymark.WithActor(context.Background(), waymark.Actor{UserID: "admin", Roles: []waymark.Role{waymark.RoleAdmin}})
	sys, err := fhir.NewSystems(sqlstore.NewFHIRStore(db), time.Now, uuid.NewString).Register(ctx,
		fhir.NewSystem{Name: "EMIS Web at Matlock", PublicKey: testPublicKey(), Practices: "C81001"})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func TestAdminsRegisterAConnectedSystemOnceSeeItsFailedDeliveriesAndDisableIt(t *testing.T) {
	demo.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store := sqlstore.NewFHIRStore(db)
		s := newAccountSiteWith(t, db, web.Config{}, func(d *web.Deps) {
			d.Systems = fhir.NewSystems(store, time.Now, uuid.NewString)
		})
		admin := s.signInAs(t, "admin@example.org", waymark.RoleAdmin, "")
		status, page, _ := admin.get("/admin/systems")
		if status != http.StatusOK || !strings.Contains(page, "No system is registered yet") {
			t.Fatalf("systems page: %d", status)
		}
		m := formTokenField.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the register form has no form token")
		}
		bad := url.Values{"name": {"EMIS Web"}, "public_key": {"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"},
			"practices": {"C81001, not an ods code"}, "endpoint": {"http://gp.example/outcomes"}, "form_token": {m[1]}}
		status, page, _ = admin.post("/admin/systems", bad)
		for _, want := range []string{"That is a private key, not a public key", "is not an ODS code", "must use https"} {
			if status != http.StatusBadRequest || !strings.Contains(page, want) {
				t.Errorf("invalid registration: %d, want the message %q", status, want)
			}
		}
		good := url.Values{"name": {"EMIS Web at Matlock"}, "public_key": {testPublicKey()}, "practices": {"c81001\nC81002"},
			"endpoint": {"https://gp.example/outcomes"}, "form_token": {m[1]}}
		status, _, h := admin.post("/admin/systems", good)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/admin/systems/") {
			t.Fatalf("register: %d %s", status, h.Get("Location"))
		}
		first := h.Get("Location")
		if status, _, h := admin.post("/admin/systems", good); status != http.StatusSeeOther || h.Get("Location") != first {
			t.Errorf("the same form sent again: %d %s, want the first system %s", status, h.Get("Location"), first)
		}
		list, err := store.ListSystems(context.Background())
		if err != nil || len(list) != 1 || strings.Join(list[0].Practices, ",") != "C81001,C81002" || !list[0].Enabled {
			t.Fatalf("systems stored: %+v %v", list, err)
		}
		sys := list[0]
		retry := time.Now().Add(time.Hour)
		if err := store.RecordDelivery(context.Background(), fhir.Delivery{OutcomeID: "outcome-1", SystemID: sys.ID, Attempt: 2, Status: 503,
			Error: "the endpoint answered 503 Service Unavailable", At: time.Now(), RetryAt: retry}); err != nil {
			t.Fatal(err)
		}
		if err := store.AuditCall(context.Background(), fhir.Call{SystemID: sys.ID, Route: "GET /fhir/R4/HealthcareService", Status: 200, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		_, page, _ = admin.get(first)
		for _, want := range []string{sys.ID, "C81001, C81002", "https://gp.example/outcomes", "Outcome messages are failing", "the endpoint answered 503", "Next try",
			"GET /fhir/R4/HealthcareService"} {
			if !strings.Contains(page, want) {
				t.Errorf("the system's page does not show %q", want)
			}
		}
		if _, page, _ := admin.get("/admin/systems"); !strings.Contains(page, "1 failing") {
			t.Error("the list does not flag the system's failing outcome")
		}
		if err := store.RecordDelivery(context.Background(), fhir.Delivery{OutcomeID: "outcome-1", SystemID: sys.ID, Attempt: 3, Status: 200,
			At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, page, _ := admin.get(first); strings.Contains(page, "Outcome messages are failing") || !strings.Contains(page, "Delivered") {
			t.Error("an outcome delivered on a later attempt is still shown as failing")
		}
		if status, _, _ := admin.post("/admin/systems/"+sys.ID+"/disable", nil); status != http.StatusSeeOther {
			t.Fatalf("disable: %d", status)
		}
		if got, _ := store.FindSystem(context.Background(), sys.ID); got.Enabled {
			t.Error("the system is still enabled")
		}
		if _, page, _ := admin.get("/admin/systems"); !strings.Contains(page, "Disabled") {
			t.Error("the list does not say the system is disabled")
		}
		_, page, _ = admin.get("/admin")
		for _, want := range []string{"Register system connected system EMIS Web at Matlock", "Disable system connected system EMIS Web at Matlock"} {
			if !strings.Contains(page, want) {
				t.Errorf("the administrators' audit log does not say %q", want)
			}
		}
		if strings.Contains(page, "/fhir/R4/") {
			t.Error("the administrators' audit log lists the system's calls (they are on the system's page)")
		}
		status, page, _ = admin.get("/admin/systems/" + sys.ID + "/edit")
		if status != http.StatusOK || !strings.Contains(page, "C81001, C81002") || !strings.Contains(page, "https://gp.example/outcomes") {
			t.Fatalf("the change form is not filled in: %d", status)
		}
		change := url.Values{"current_name": {sys.Name}, "name": {"EMIS Web at Matlock and Darley Dale"}, "public_key": {testPublicKey()},
			"practices": {"C81001, C81003"}, "endpoint": {""}}
		if status, page, _ := admin.post("/admin/systems/"+sys.ID+"/edit", url.Values{"current_name": {sys.Name}, "name": {"x"}, "public_key": {testPublicKey()}, "practices": {""}}); status != http.StatusBadRequest ||
			!strings.Contains(page, "Enter the ODS code of at least one practice") {
			t.Errorf("a change without practices: %d", status)
		}
		if status, _, h := admin.post("/admin/systems/"+sys.ID+"/edit", change); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=changed") {
			t.Fatalf("change: %d", status)
		}
		if got, _ := store.FindSystem(context.Background(), sys.ID); got.Name != "EMIS Web at Matlock and Darley Dale" || strings.Join(got.Practices, ",") != "C81001,C81003" || got.Endpoint != "" {
			t.Errorf("after the change: %+v", got)
		}
		if _, page, _ := admin.get("/admin"); !strings.Contains(page, "Change system connected system EMIS Web at Matlock and Darley Dale") {
			t.Error("the change is not in the administrators' audit log")
		}
		mod := s.signInAs(t, "moderator@example.org", waymark.RoleModerator, "")
		if status, _, _ := mod.post("/admin/systems/"+sys.ID+"/enable", nil); status != http.StatusForbidden {
			t.Errorf("a moderator enabling a system: %d", status)
		}
	})
}
