package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"waymark"
)

// TrackPath is the path of a referral's private link for the person who
// referred themselves: anyone holding it sees that referral and nothing
// else.
func (s *Referrals) TrackPath(id string) string {
	return "/track/" + id + "/" + s.trackToken(id)
}

func (s *Referrals) trackToken(id string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("track-referral:" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkTrack checks a private link's token.
func (s *Referrals) checkTrack(id, token string) error {
	if !hmac.Equal([]byte(token), []byte(s.trackToken(id))) {
		return waymark.Errorf(waymark.ENOTFOUND, "There is no referral at this address")
	}
	return nil
}

// attendanceSig signs a provider's one-click attendance answer.
func (s *Referrals) attendanceSig(id, answer string, exp int64) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("attendance:" + id + ":" + answer + ":" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// AttendanceLink is the path and query of the signed link by which a
// provider answers whether the person attended (answer "attended" or
// "did_not_attend"), without signing in.
func (s *Referrals) AttendanceLink(id, answer string) string {
	exp := s.now().Add(s.cfg.LinkTTL).Unix()
	return "/referrals/" + id + "/attendance?answer=" + answer + "&expires=" + strconv.FormatInt(exp, 10) + "&sig=" + s.attendanceSig(id, answer, exp)
}
