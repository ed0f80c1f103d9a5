package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientAddrKey struct{}

// withClientAddr puts the client's address in the request's context: the
// connection's, or behind a trusted proxy the one the proxy names in
// Config.TrustedProxyHeader.
func (s *Server) withClientAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.TrustedProxyHeader != "" {
			r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, s.clientAddr(r)))
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the client's address, to count what one client does: the one
// withClientAddr found, else the connection's. An IPv6 client is counted by
// its /64 network, which one household or server usually has to itself.
func clientIP(r *http.Request) string {
	a, ok := r.Context().Value(clientAddrKey{}).(string)
	if !ok {
		a = remoteHost(r)
	}
	if ip, err := netip.ParseAddr(a); err == nil && ip.Unmap().Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return a
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr reads the proxy header only when the connection comes from a
// trusted proxy. The header is a list of addresses each proxy appended to
// (X-Forwarded-For), or one address (X-Real-IP): read from the right, the
// first address that is not a trusted proxy is the client, as only the
// addresses trusted proxies appended can be believed.
func (s *Server) clientAddr(r *http.Request) string {
	remote := remoteHost(r)
	ip, err := netip.ParseAddr(remote)
	if err != nil || !s.trustedProxy(ip) {
		return remote
	}
	var hops []string
	for _, v := range r.Header.Values(s.cfg.TrustedProxyHeader) {
		hops = append(hops, strings.Split(v, ",")...)
	}
	nearest := ip
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		if !s.trustedProxy(a) {
			return a.String()
		}
		nearest = a
	}
	return nearest.String()
}

// parseHop reads one address of a proxy header, with or without a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address a request to the site came from, as the rate
// limits count clients: behind a trusted proxy the one it names, an IPv6
// client by its /64. Handlers served through the site (the FHIR API) use it.
func ClientAddr(r *http.Request) string { return clientIP(r) }
