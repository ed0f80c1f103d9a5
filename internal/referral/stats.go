package referral

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Stats returns a service's referral statistics; any figure resting on
// fewer than the minimum count of referrals is left out.
func (s *Referrals) Stats(ctx context.Context, serviceID string) (*Stats, error) {
	facts, err := s.store.Facts(ctx, serviceID)
	if err != nil {
		return nil, fmt.Errorf("referral facts of %s: %w", serviceID, err)
	}
	return Summarise(facts, s.cfg.MinStatsCount), nil
}

// Summarise computes statistics from facts, hiding figures based on fewer
// than min referrals.
func Summarise(facts []Fact, min int) *Stats {
	st := &Stats{Received: len(facts), Min: min, Enough: len(facts) >= min}
	var accepted, answered, attended, known, metYes, rated, scoreSum int
	var waits []time.Duration
	for _, f := range facts {
		switch f.Status {
		case StatusAccepted, StatusAttended, StatusDidNotAttend, StatusClosed:
			if f.RespondedAt != nil {
				accepted++
				answered++
			}
		case StatusDeclined, StatusAutoDeclined:
			answered++
		}
		if f.RespondedAt != nil {
			waits = append(waits, f.RespondedAt.Sub(f.CreatedAt))
		}
		switch f.Attendance {
		case StatusAttended:
			attended++
			known++
		case StatusDidNotAttend:
			known++
		}
		if f.Score > 0 {
			rated++
			scoreSum += f.Score
			if f.MetNeeds != nil && *f.MetNeeds {
				metYes++
			}
		}
	}
	if !st.Enough {
		return st
	}
	ratio := func(n, d int) *float64 {
		if d < min {
			return nil
		}
		v := float64(n) / float64(d)
		return &v
	}
	st.AcceptanceRate = ratio(accepted, answered)
	st.AttendanceRate = ratio(attended, known)
	st.MetNeedsRate = ratio(metYes, rated)
	if rated >= min {
		v := float64(scoreSum) / float64(rated)
		st.AverageScore = &v
	}
	if len(waits) >= min {
		slices.Sort(waits)
		m := waits[len(waits)/2]
		if len(waits)%2 == 0 {
			m = (waits[len(waits)/2-1] + waits[len(waits)/2]) / 2
		}
		st.MedianResponse = &m
	}
	return st
}
