package sitecheck

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrBlockedAddress is returned (wrapped) when a host resolves to an address
// the checker must not connect to: loopback, private, link-local, CGNAT,
// unspecified, multicast and their IPv4-mapped IPv6 forms.
var ErrBlockedAddress = errors.New("address not allowed")

// blockedPrefixes are refused in addition to what netip.Addr's predicates
// (loopback, private, link-local, unspecified, multicast) cover.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("::ffff:0:0:0/96"), // SIIT IPv4-translated
	netip.MustParsePrefix("::/96"),           // deprecated IPv4-compatible
	netip.MustParsePrefix("2002::/16"),       // 6to4, which embeds any IPv4 address
}

// nat64 is the well-known NAT64 prefix; its last 32 bits are an IPv4 address,
// which is checked like any other.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// guard decides which addresses the fetcher may dial.
type guard struct {
	allowLoopback bool
	allow         map[netip.AddrPort]bool // exact addresses allowed despite the rules
}

// check returns nil when the fetcher may connect to addr, else an error
// wrapping ErrBlockedAddress.
func (g guard) check(addr netip.AddrPort) error {
	if g.allow[addr] {
		return nil
	}
	ip := addr.Addr().Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	if ip.Zone() != "" {
		return fmt.Errorf("%w: %s has a zone", ErrBlockedAddress, addr)
	}
	if ip.IsLoopback() {
		if g.allowLoopback {
			return nil
		}
		return fmt.Errorf("%w: %s is loopback", ErrBlockedAddress, ip)
	}
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return fmt.Errorf("%w: %s is not a public address", ErrBlockedAddress, ip)
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is in %s", ErrBlockedAddress, ip, p)
		}
	}
	return nil
}

// control is a net.Dialer Control function: it runs after name resolution,
// just before each connection, with the address actually being dialled, so
// redirects and DNS rebinding cannot reach a blocked address.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	addr, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q: %v", ErrBlockedAddress, address, err)
	}
	return g.check(addr)
}
