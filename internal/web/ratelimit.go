package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimits slows down what anyone can repeat: password guessing (per
// address and per client) and public forms such as self-referral, with
// buckets that refill, so nobody can lock someone out for good. They are
// per instance, in memory.
type rateLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func (l *rateLimits) allow(ip, addr string, now time.Time) bool {
	// 5 tries per address, then one every 3 minutes; 20 per connection
	// address, then one every 30 seconds.
	return l.allowOne("addr:"+addr, 3*time.Minute, 5, now) && l.allowOne("ip:"+ip, 30*time.Second, 20, now)
}

// allowOne takes one token from the bucket key (burst tokens, one more
// every every), reporting whether there was one.
func (l *rateLimits) allowOne(key string, every time.Duration, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*rate.Limiter{}
	}
	if now.Sub(l.swept) > time.Hour { // forget idle buckets
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(b.Burst()) {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(every), burst)
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// clientIP is the connection's address (proxies' headers are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
