package sitecheck

import (
	"bytes"
	"strings"
)

// maxRobotsBytes bounds how much of a robots.txt file is read and parsed;
// RFC 9309 asks crawlers to parse at least 500 KiB.
const maxRobotsBytes = 512 << 10

// Robots is a parsed robots.txt file: groups of Allow and Disallow rules, each
// group for one or more user agents.
type Robots struct {
	groups []robotsGroup
}

type robotsGroup struct {
	agents []string // lower case product tokens, or "*"
	rules  []robotsRule
}

type robotsRule struct {
	allow   bool
	pattern string // starts with "/" or "*"; may contain "*" and end with "$"
}

// ParseRobots reads a robots.txt file. It never fails: lines it does not
// understand are ignored, as robots.txt parsers must. Only the first
// maxRobotsBytes are read.
func ParseRobots(data []byte) *Robots {
	if len(data) > maxRobotsBytes {
		data = data[:maxRobotsBytes]
	}
	r := &Robots{}
	var cur *robotsGroup
	inAgents := false // the previous meaningful line was a User-agent line
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := strings.Cut(string(line), ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		value = strings.TrimSpace(value)
		switch key {
		case "user-agent", "useragent", "user agent":
			if !inAgents {
				r.groups = append(r.groups, robotsGroup{})
				cur = &r.groups[len(r.groups)-1]
			}
			cur.agents = append(cur.agents, strings.ToLower(value))
			inAgents = true
		case "allow", "disallow":
			inAgents = false
			if cur == nil || value == "" {
				continue // rules before any User-agent line, or "Disallow:" meaning nothing
			}
			if value[0] != '/' && value[0] != '*' {
				value = "/" + value
			}
			cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: value})
		default:
			// Sitemap, Crawl-delay and others do not end a group of User-agent lines.
		}
	}
	return r
}

// Allowed reports whether the robot whose User-Agent header is userAgent may
// fetch path (the URL's path and query, starting with "/"). Rules come from
// every group naming the robot's product token (case-insensitively), or, when
// none does, every "*" group. The longest matching pattern wins; on a tie
// Allow wins; no match means allowed. /robots.txt itself is always allowed.
func (r *Robots) Allowed(userAgent, path string) bool {
	if path == "" {
		path = "/"
	}
	if path == "/robots.txt" || r == nil {
		return true
	}
	token := productToken(userAgent)
	var rules []robotsRule
	for _, g := range r.groups {
		for _, a := range g.agents {
			if a == token {
				rules = append(rules, g.rules...)
				break
			}
		}
	}
	if rules == nil {
		for _, g := range r.groups {
			for _, a := range g.agents {
				if a == "*" {
					rules = append(rules, g.rules...)
					break
				}
			}
		}
	}
	best, allowed := -1, true
	for _, rule := range rules {
		if !robotsMatch(rule.pattern, path) {
			continue
		}
		n := len(rule.pattern)
		if n > best || (n == best && rule.allow) {
			best, allowed = n, rule.allow
		}
	}
	return allowed
}

// productToken returns the lower-cased name at the start of a User-Agent
// header: "WaymarkLinkChecker/1.0 (+https://...)" gives "waymarklinkchecker".
func productToken(userAgent string) string {
	end := strings.IndexAny(userAgent, "/ ")
	if end < 0 {
		end = len(userAgent)
	}
	return strings.ToLower(userAgent[:end])
}

// robotsMatch reports whether path matches pattern from its start, where "*"
// in pattern matches any run of characters and a final "$" anchors the end.
// It runs in O(len(pattern)*len(path)) time at worst.
func robotsMatch(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	// Greedy wildcard matching with backtracking to the most recent "*".
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == path[s]:
			p++
			s++
		case p == len(pattern) && !anchored:
			return true // a prefix of path matched the whole pattern
		case star >= 0:
			mark++
			p, s = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
