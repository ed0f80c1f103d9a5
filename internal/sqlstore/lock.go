package sqlstore

import (
	"github.com/pressly/goose/v3/lock"
)

// migrationLockID is the PostgreSQL advisory lock id held while migrating.
const migrationLockID = 7_302_450_117

func mustPostgresLocker() lock.SessionLocker {
	l, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID))
	if err != nil {
		panic(err) // only fails on invalid options, which are constant here
	}
	return l
}
