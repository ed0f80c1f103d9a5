package web

import (
	"net/url"
	"strings"
)

// nextOrEmpty is a safe "next" page to carry through registration, or ""
// when there is none.
func nextOrEmpty(next string) string {
	if next == "" || safeNext(next) != next {
		return ""
	}
	return next
}

// withNext adds a "next" page to a local path's query when there is one.
func withNext(path, next string) string {
	if next == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "next=" + url.QueryEscape(next)
}

func safeNext(next string) string {
	if len(next) > 1 && len(next) < 500 && next[0] == '/' && next[1] != '/' && next[1] != '\\' {
		return next
	}
	return "/account"
}
