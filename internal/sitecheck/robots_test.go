package sitecheck

import (
	"testing"
)

func TestRobotsAllowed(t *testing.T) {
	const ua = DefaultUserAgent
	tests := []struct {
		name   string
		robots string
		path   string
		want   bool
	}{
		{"empty file allows everything", "", "/services", true},
		{"star group disallows everything", "User-agent: *\nDisallow: /\n", "/services", false},
		{"empty disallow allows everything", "User-agent: *\nDisallow:\n", "/services", true},
		{"disallow is a prefix match", "User-agent: *\nDisallow: /private\n", "/private/x", false},
		{"other paths stay allowed", "User-agent: *\nDisallow: /private\n", "/public", true},
		{"longest match wins: allow", "User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/b/c", true},
		{"longest match wins: disallow", "User-agent: *\nAllow: /a\nDisallow: /a/b\n", "/a/b/c", false},
		{"tie goes to allow", "User-agent: *\nDisallow: /a\nAllow: /a\n", "/a", true},
		{"our own group beats star", "User-agent: *\nDisallow: /\n\nUser-agent: WaymarkLinkChecker\nAllow: /\n", "/x", true},
		{"our group matched case-insensitively", "User-agent: waymarklinkchecker\nDisallow: /\n", "/x", false},
		{"other robots' groups are ignored", "User-agent: Googlebot\nDisallow: /\n", "/x", true},
		{"several agents share a group", "User-agent: Googlebot\nUser-agent: WaymarkLinkChecker\nDisallow: /x\n", "/x", false},
		{"groups for us are merged", "User-agent: WaymarkLinkChecker\nDisallow: /a\n\nUser-agent: WaymarkLinkChecker\nDisallow: /b\n", "/b", false},
		{"rules before any user-agent are ignored", "Disallow: /\nUser-agent: *\nAllow: /\n", "/x", true},
		{"comments are ignored", "# hello\nUser-agent: * # all\nDisallow: /x # no\n", "/x", false},
		{"wildcard in the middle", "User-agent: *\nDisallow: /*.pdf\n", "/files/leaflet.pdf", false},
		{"end anchor matches the end", "User-agent: *\nDisallow: /*.pdf$\n", "/leaflet.pdf", false},
		{"end anchor does not match a longer path", "User-agent: *\nDisallow: /*.pdf$\n", "/leaflet.pdf?x=1", true},
		{"query strings are matched", "User-agent: *\nDisallow: /search?\n", "/search?q=walk", false},
		{"CRLF line endings", "User-agent: *\r\nDisallow: /x\r\n", "/x", false},
		{"robots.txt itself is always allowed", "User-agent: *\nDisallow: /\n", "/robots.txt", true},
		{"sitemap lines do not end a group", "User-agent: *\nSitemap: https://e.org/s.xml\nDisallow: /x\n", "/x", false},
		{"lines without a colon are ignored", "User-agent *\nDisallow /\n", "/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseRobots([]byte(tt.robots)).Allowed(ua, tt.path)
			if got != tt.want {
				t.Errorf("Allowed(%q) with\n%s\ngot %v, want %v", tt.path, tt.robots, got, tt.want)
			}
		})
	}
}

func TestRobotsMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/", true},
		{"/a", "/abc", true},
		{"/abc", "/a", false},
		{"/*", "/", true},
		{"/a*c", "/abbbc", true},
		{"/a*c$", "/abbbcd", false},
		{"/a*c*d$", "/acxcyd", true},
		{"/$", "/", true},
		{"/$", "/a", false},
		{"*", "/anything", true},
		{"/**a", "/bbba", true},
	}
	for _, tt := range tests {
		if got := robotsMatch(tt.pattern, tt.path); got != tt.want {
			t.Errorf("robotsMatch(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func FuzzParseRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /private\nAllow: /private/ok$\n"), "/private/ok")
	f.Add([]byte("User-agent: WaymarkLinkChecker\nDisallow: /*.pdf$\n"), "/a.pdf")
	f.Add([]byte("user-agent:*\r\ndisallow:*\r\n"), "/")
	f.Add([]byte("#\n:\nUser-agent:\nAllow:\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		r := ParseRobots(data)
		a := r.Allowed(DefaultUserAgent, path)
		if b := r.Allowed(DefaultUserAgent, path); a != b {
			t.Fatalf("Allowed is not deterministic: %v then %v", a, b)
		}
		if !r.Allowed(DefaultUserAgent, "/robots.txt") {
			t.Fatal("/robots.txt must always be allowed")
		}
	})
}
