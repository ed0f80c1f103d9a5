package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

const (
	argonKeyLen = 32
	saltLen     = 16
)

// PasswordCost is the work argon2id does for each password hash.
type PasswordCost struct {
	Time      uint32 // passes
	MemoryKiB uint32
	Threads   uint8
}

// DefaultPasswordCost is what live accounts use: 64 MiB, 2 passes, 2
// threads (OWASP's recommended minimum is 19 MiB, 2 passes; we use more
// memory).
func DefaultPasswordCost() PasswordCost {
	return PasswordCost{Time: 2, MemoryKiB: 64 * 1024, Threads: 2}
}

// TestPasswordCost is for tests only: the least argon2id allows, so a test
// that signs in many times does not spend seconds hashing. Hashes it makes
// still check with CheckPassword, which reads the cost from the hash.
func TestPasswordCost() PasswordCost { return PasswordCost{Time: 1, MemoryKiB: 8, Threads: 1} }

// HashPassword returns an argon2id hash of password with the default cost,
// in the PHC string format ($argon2id$v=19$m=65536,t=2,p=2$salt$hash).
func HashPassword(password string) (string, error) { return DefaultPasswordCost().Hash(password) }

// Hash returns an argon2id hash of password with this cost, in the PHC
// string format.
func (c PasswordCost) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, c.Time, c.MemoryKiB, c.Threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, c.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("not an argon2id hash")

// CheckPassword reports whether password matches a hash made by
// HashPassword, in constant time. The parameters come from the hash, so hashes
// made with older parameters still check.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || mem == 0 || t == 0 || p == 0 || mem > 1<<20 || t > 16 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when an account does not exist, so a login
// takes as long whether or not the email address is registered. It has the
// default cost; a Service with another cost makes its own.
const dummyHash = "$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$u2vJmQrRkq6Y1m7D6c7m8bqZl4n8Yk6bHcQ4b1d1m5A"
