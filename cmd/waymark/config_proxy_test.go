package main

import (
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestTrustedProxySettingsGoTogetherAndDefaultToNone(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{}))
	if err != nil || c.TrustedProxyHeader != "" || c.TrustedProxies != nil {
		t.Errorf("defaults: %q %v %v", c.TrustedProxyHeader, c.TrustedProxies, err)
	}
	c, err = LoadConfig(env(map[string]string{"TRUSTED_PROXY_HEADER": "x-forwarded-for", "TRUSTED_PROXIES": "10.0.0.0/8, ::1,192.168.1.9/24"}))
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("192.168.1.0/24")}
	if err != nil || c.TrustedProxyHeader != "X-Forwarded-For" || len(c.TrustedProxies) != 3 || c.TrustedProxies[0] != want[0] || c.TrustedProxies[1] != want[1] || c.TrustedProxies[2] != want[2] {
		t.Errorf("settings: %q %v %v", c.TrustedProxyHeader, c.TrustedProxies, err)
	}
	for _, e := range []map[string]string{
		{"TRUSTED_PROXY_HEADER": "X-Forwarded-For"},
		{"TRUSTED_PROXIES": "10.0.0.0/8"},
		{"TRUSTED_PROXY_HEADER": "X-Real-IP", "TRUSTED_PROXIES": "10.0.0.0/33"},
		{"TRUSTED_PROXY_HEADER": "X-Real-IP", "TRUSTED_PROXIES": "proxy.internal"},
	} {
		if _, err := LoadConfig(env(e)); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
			t.Errorf("%v: %v", e, err)
		}
	}
}

func TestPasswordHashSettings(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{}))
	if err != nil || c.HashConcurrency != runtime.NumCPU() || c.HashWait != 5*time.Second {
		t.Errorf("defaults: %d %v %v", c.HashConcurrency, c.HashWait, err)
	}
	c, err = LoadConfig(env(map[string]string{"PASSWORD_HASH_CONCURRENCY": "3", "PASSWORD_HASH_WAIT": "2s"}))
	if err != nil || c.HashConcurrency != 3 || c.HashWait != 2*time.Second {
		t.Errorf("settings: %d %v %v", c.HashConcurrency, c.HashWait, err)
	}
	for k, v := range map[string]string{"PASSWORD_HASH_CONCURRENCY": "0", "PASSWORD_HASH_WAIT": "forever"} {
		if _, err := LoadConfig(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
