package fhir_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"waymark"
	"waymark/internal/fhir"
	"waymark/internal/sqlstore"
)

// jwks is a JWKS document of the keys' public halves, by key id.
func jwks(t *testing.T, keys map[string]*rsa.PrivateKey) string {
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	for kid, k := range keys {
		doc.Keys = append(doc.Keys, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS512",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

func TestASystemRegisteredWithAJWKSSignsWithAnyOfItsKeysChosenByKid(t *testing.T) {
	directoryDB.Each(t, func(t *testing.T, db *sqlstore.DB) { jwksSystem(t, newFixture(t, db, fhir.Config{})) })
}

func jwksSystem(t *testing.T, f *fixture) {
	good, other := keys(t)
	sys := f.register("SystmOne with a JWKS", jwks(t, map[string]*rsa.PrivateKey{"key-1": good, "key-2": other}), "C81001")
	signKid := func(key *rsa.PrivateKey, kid string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS512, f.claims(sys, nil))
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		key    *rsa.PrivateKey
		kid    string
		status int
	}{
		{"first key", good, "key-1", 200},
		{"second key", other, "key-2", 200},
		{"a key under another key's id", other, "key-1", 401},
		{"an unknown key id", good, "key-3", 401},
	} {
		if status, body := f.postToken(tokenForm(signKid(tc.key, tc.kid))); status != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, status, body, tc.status)
		}
	}
}

func TestOnlyAnAdministratorRegistersASystemAndOnlyWithAUsableRSAPublicKey(t *testing.T) {
	f := newFixture(t, directoryDB.OpenSQLite(t), fhir.Config{})
	good, _ := keys(t)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	privDER, _ := x509.MarshalPKCS8PrivateKey(good)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&good.PublicKey)}))
	for _, tc := range []struct {
		name, key, want string
	}{
		{"a 1024-bit key", publicPEM(t, small), "at least 2048 bits"},
		{"an EC key", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})), "must be an RSA key"},
		{"a private key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), "not a public key"},
		{"two keys", publicPEM(t, good) + publicPEM(t, good), "Paste one PEM public key"},
		{"not JSON", `{"keys": [`, "not valid JSON"},
		{"a JWKS without RSA keys", `{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}`, "no RSA signing key"},
		{"nothing", "  ", "Paste the system's public key"},
	} {
		_, err := f.systems.Register(adminCtx, fhir.NewSystem{Name: "A system", PublicKey: tc.key, Practices: "C81001"})
		if p, ok := waymark.ProblemsOf(err); !ok || !strings.Contains(p.Get("public_key"), tc.want) {
			t.Errorf("%s: %v, want a public_key problem saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := f.systems.Register(adminCtx, fhir.NewSystem{Name: "PKCS #1", PublicKey: pkcs1, Practices: "C81001"}); err != nil {
		t.Errorf("an RSA PUBLIC KEY (PKCS #1): %v", err)
	}
	for _, who := range []waymark.Actor{{}, {UserID: "mod", Roles: []waymark.Role{waymark.RoleModerator}},
		{UserID: "system:x", Roles: []waymark.Role{waymark.RoleGPSystem}, Practices: []string{"C81001"}}} {
		ctx := waymark.WithActor(t.Context(), who)
		if _, err := f.systems.Register(ctx, fhir.NewSystem{Name: "A system", PublicKey: publicPEM(t, good), Practices: "C81001"}); err == nil {
			t.Errorf("%+v registered a system", who)
		}
		if _, err := f.systems.List(ctx); err == nil {
			t.Errorf("%+v listed the systems", who)
		}
		if err := f.systems.SetEnabled(ctx, f.sys.ID, false); err == nil {
			t.Errorf("%+v disabled a system", who)
		}
	}
}
