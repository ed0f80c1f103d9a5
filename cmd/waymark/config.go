package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/referral"
	"waymark/internal/web"
)

// Config is the program's configuration, from the environment.
type Config struct {
	DatabaseURL string
	// SQLiteCacheMB and SQLiteMmapMB size SQLite's page cache (per
	// connection) and memory map in MiB (SQLITE_CACHE_MB, SQLITE_MMAP_MB;
	// 0 keeps sqlstore's defaults, and SQLITE_MMAP_MB=-1 turns the map
	// off). PostgreSQL ignores them.
	SQLiteCacheMB, SQLiteMmapMB int
	Addr                        string
	PostcodesFile               string
	TileURL                     string
	PublicURL                   string // scheme://host the site is reached at, for absolute links
	SMTPURL                     string // smtp://user:password@host:port; "" keeps email in the dev outbox
	EmailFrom                   string
	// Notify is how Waymark reaches GOV.UK Notify (NOTIFY_* settings):
	// texts, and email when SMTP_URL is not set.
	Notify   NotifyConfig
	Dev      bool // WAYMARK_ENV is not "production"
	TLSCert  string
	TLSKey   string
	LogLevel slog.Level
	// Rules are the automatic referral rules' numbers (REFERRAL_* settings).
	Rules referral.Rules
	// StatsMinCount is the fewest referrals a statistic is shown for.
	StatsMinCount int
	// FirstContactDays is case management's first-contact target for the
	// waiting list, in working days.
	FirstContactDays int
	// RulesEvery is how often the referral rules run.
	RulesEvery time.Duration
	// CheckEvery is how often each entry's website is checked (CHECK_EVERY:
	// days, like 7 or 7d, or a duration such as 36h; 7 days by default).
	CheckEvery time.Duration
	// ManualCheckMonths is how often entries without a website come up for a
	// moderator's check (MANUAL_CHECK_MONTHS, 3 by default).
	ManualCheckMonths int
	// CaseworkRetentionYears is how many years after discharge a client
	// record is anonymised (CASEWORK_RETENTION_YEARS, 8 by default).
	CaseworkRetentionYears int
	// CheckerAllowLoopback lets the website checker fetch loopback addresses
	// (CHECKER_ALLOW_LOOPBACK); for tests and local trials only.
	CheckerAllowLoopback bool
	// Operator is who runs the site (OPERATOR_NAME, SUPPORT_EMAIL,
	// SUPPORT_PHONE, OPERATOR_ADDRESS with commas between lines), for the
	// contact, privacy and accessibility pages and the footer.
	Operator web.Operator
	// TrustedProxyHeader and TrustedProxies say where the client's address
	// is when the site is behind a proxy (TRUSTED_PROXY_HEADER,
	// TRUSTED_PROXIES); by default it is the connection's.
	TrustedProxyHeader string
	TrustedProxies     []netip.Prefix
	// HashConcurrency is how many password hashes (64 MiB each) run at once
	// (PASSWORD_HASH_CONCURRENCY, the number of CPUs by default); HashWait
	// how long one waits for its turn before the request gets a 503
	// (PASSWORD_HASH_WAIT, 5s).
	HashConcurrency int
	HashWait        time.Duration
	// HTTPS says the site is served over HTTPS, by this server (TLS_CERT)
	// or by a proxy in front of it (HTTPS=true, or a PUBLIC_URL starting
	// https://): session cookies are Secure and pages send HSTS.
	HTTPS bool
	// MetricsAddr is a separate address serving only /metrics
	// (METRICS_ADDR); MetricsToken is a bearer token /metrics asks for on
	// the site's own address (METRICS_TOKEN). In production with neither,
	// /metrics is not served.
	MetricsAddr  string
	MetricsToken string
}

// LoadConfig reads the configuration from getenv, with defaults for local use.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		Addr:        getenv("ADDR"),
		TileURL:     getenv("TILE_URL"),
		PublicURL:   getenv("PUBLIC_URL"),
		SMTPURL:     getenv("SMTP_URL"),
		EmailFrom:   getenv("EMAIL_FROM"),
		Dev:         getenv("WAYMARK_ENV") != "production",
		TLSCert:     getenv("TLS_CERT"),
		TLSKey:      getenv("TLS_KEY"),
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "waymark.db"
	}
	for _, v := range []struct {
		name     string
		min, max int
		to       *int
	}{{"SQLITE_CACHE_MB", 1, 65536, &c.SQLiteCacheMB}, {"SQLITE_MMAP_MB", -1, 1 << 20, &c.SQLiteMmapMB}} {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < v.min || n > v.max {
				return c, fmt.Errorf("%s: want a whole number of MiB from %d to %d, got %q", v.name, v.min, v.max, s)
			}
			*v.to = n
		}
	}
	if c.EmailFrom == "" {
		c.EmailFrom = "Waymark <no-reply@waymark.example>"
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	c.PostcodesFile = getenv("POSTCODES_FILE")
	if c.PostcodesFile == "" && !strings.Contains(c.DatabaseURL, "://") {
		c.PostcodesFile = filepath.Join(filepath.Dir(c.DatabaseURL), "waymark-postcodes.bin")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return c, fmt.Errorf("set both TLS_CERT and TLS_KEY, or neither")
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL: %w", err)
		}
	}
	if err := loadRules(&c, getenv); err != nil {
		return c, err
	}
	if err := loadChecks(&c, getenv); err != nil {
		return c, err
	}
	if err := loadOperator(&c, getenv); err != nil {
		return c, err
	}
	if err := loadNotify(&c, getenv); err != nil {
		return c, err
	}
	c.CaseworkRetentionYears = casework.DefaultRetentionYears
	if v := strings.TrimSpace(getenv("CASEWORK_RETENTION_YEARS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return c, fmt.Errorf("CASEWORK_RETENTION_YEARS: want a whole number of years from 1 to 100, got %q", v)
		}
		c.CaseworkRetentionYears = n
	}
	if err := loadProxies(&c, getenv); err != nil {
		return c, err
	}
	if err := loadHashing(&c, getenv); err != nil {
		return c, err
	}
	if err := loadSite(&c, getenv); err != nil {
		return c, err
	}
	return c, nil
}

// loadSite reads where the site is reached and how: PUBLIC_URL, HTTPS and
// the metrics settings.
func loadSite(c *Config, getenv func(string) string) error {
	if c.PublicURL = strings.TrimSuffix(strings.TrimSpace(c.PublicURL), "/"); c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("PUBLIC_URL: want the site's address like https://waymark.example.org, got %q", c.PublicURL)
		}
		c.HTTPS = u.Scheme == "https"
	}
	c.HTTPS = c.HTTPS || c.TLSCert != ""
	switch v := strings.ToLower(strings.TrimSpace(getenv("HTTPS"))); v {
	case "":
	case "1", "true", "yes", "on":
		c.HTTPS = true
	case "0", "false", "no", "off":
		if c.HTTPS {
			return fmt.Errorf("HTTPS=%s, but PUBLIC_URL or TLS_CERT says the site is served over HTTPS", v)
		}
	default:
		return fmt.Errorf("HTTPS: want true or false, got %q", v)
	}
	c.MetricsAddr = strings.TrimSpace(getenv("METRICS_ADDR"))
	c.MetricsToken = strings.TrimSpace(getenv("METRICS_TOKEN"))
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return fmt.Errorf("METRICS_TOKEN: want at least 16 characters")
	}
	return nil
}

// checkServe refuses settings the server must not run with: in production
// every email link needs PUBLIC_URL (links are never built from a
// request's Host header), and mail needs SMTP_URL (without it nothing would
// be delivered).
func (c Config) checkServe() error {
	if c.Dev {
		return nil
	}
	if c.PublicURL == "" {
		return fmt.Errorf("set PUBLIC_URL to the site's address (like https://waymark.example.org): in production every link in email is built from it")
	}
	if c.SMTPURL == "" && c.Notify.EmailTemplate == "" {
		return fmt.Errorf("set SMTP_URL (smtp://user:password@host:port), or NOTIFY_API_KEY with NOTIFY_EMAIL_TEMPLATE_ID: in production Waymark does not start without a way to send email")
	}
	return nil
}

// NotifyConfig is the GOV.UK Notify connection.
type NotifyConfig struct {
	APIKey        string // NOTIFY_API_KEY: "" sends nothing through Notify
	BaseURL       string // NOTIFY_BASE_URL: Notify's API by default
	EmailTemplate string // NOTIFY_EMAIL_TEMPLATE_ID: the pass-through email template
	SMSTemplate   string // NOTIFY_SMS_TEMPLATE_ID: the pass-through text template
	// CallbackToken is the bearer token Notify sends with delivery
	// receipts and received texts (NOTIFY_CALLBACK_TOKEN); "" turns the
	// callbacks off.
	CallbackToken string
}

// loadNotify reads the NOTIFY_* settings: a key needs at least one
// template, and a template needs a key.
func loadNotify(c *Config, getenv func(string) string) error {
	n := NotifyConfig{
		APIKey:        strings.TrimSpace(getenv("NOTIFY_API_KEY")),
		BaseURL:       strings.TrimSpace(getenv("NOTIFY_BASE_URL")),
		EmailTemplate: strings.TrimSpace(getenv("NOTIFY_EMAIL_TEMPLATE_ID")),
		SMSTemplate:   strings.TrimSpace(getenv("NOTIFY_SMS_TEMPLATE_ID")),
		CallbackToken: strings.TrimSpace(getenv("NOTIFY_CALLBACK_TOKEN")),
	}
	c.Notify = n
	switch {
	case n.APIKey == "" && (n.EmailTemplate != "" || n.SMSTemplate != ""):
		return fmt.Errorf("NOTIFY_API_KEY: set the key the templates belong to")
	case n.APIKey == "":
		return nil
	case n.EmailTemplate == "" && n.SMSTemplate == "":
		return fmt.Errorf("NOTIFY_API_KEY is set: set NOTIFY_SMS_TEMPLATE_ID and/or NOTIFY_EMAIL_TEMPLATE_ID (docs/notify.md)")
	case n.CallbackToken != "" && len(n.CallbackToken) < 16:
		return fmt.Errorf("NOTIFY_CALLBACK_TOKEN: want at least 16 characters")
	}
	if _, _, err := notify.ParseKey(n.APIKey); err != nil {
		return err
	}
	return nil
}

// loadOperator reads who runs the site; the web server has defaults for the
// name and support address.
func loadOperator(c *Config, getenv func(string) string) error {
	c.Operator = web.Operator{
		Name:  strings.TrimSpace(getenv("OPERATOR_NAME")),
		Email: strings.TrimSpace(getenv("SUPPORT_EMAIL")),
		Phone: strings.TrimSpace(getenv("SUPPORT_PHONE")),
	}
	if c.Operator.Email != "" {
		a, err := mail.ParseAddress(c.Operator.Email)
		if err != nil || a.Address != c.Operator.Email {
			return fmt.Errorf("SUPPORT_EMAIL: want an email address like support@example.org, got %q", c.Operator.Email)
		}
	}
	var lines []string
	for _, l := range strings.Split(getenv("OPERATOR_ADDRESS"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	c.Operator.Address = strings.Join(lines, "\n")
	return nil
}

// loadChecks reads the freshness checks' settings.
func loadChecks(c *Config, getenv func(string) string) error {
	c.CheckEvery, c.ManualCheckMonths = 7*24*time.Hour, 3
	if v := strings.TrimSpace(getenv("CHECK_EVERY")); v != "" {
		days, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		d := time.Duration(days) * 24 * time.Hour
		if err != nil {
			d, err = time.ParseDuration(v)
		}
		if err != nil || d < time.Minute {
			return fmt.Errorf("CHECK_EVERY: want days, like 7, or a duration such as 36h; got %q", v)
		}
		c.CheckEvery = d
	}
	if v := strings.TrimSpace(getenv("MANUAL_CHECK_MONTHS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 120 {
			return fmt.Errorf("MANUAL_CHECK_MONTHS: want a whole number of months from 1 to 120, got %q", v)
		}
		c.ManualCheckMonths = n
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("CHECKER_ALLOW_LOOPBACK"))); v {
	case "", "0", "false", "no", "off":
	case "1", "true", "yes", "on":
		c.CheckerAllowLoopback = true
	default:
		return fmt.Errorf("CHECKER_ALLOW_LOOPBACK: want true or false, got %q", v)
	}
	return nil
}

// loadRules reads the referral rules' numbers, each defaulting to the
// reference page's.
func loadRules(c *Config, getenv func(string) string) error {
	c.Rules = referral.DefaultRules
	c.Rules.RemindAfter = slices.Clone(referral.DefaultRules.RemindAfter)
	c.StatsMinCount, c.RulesEvery, c.FirstContactDays = 5, 10*time.Minute, 10
	number := func(name string, into *int, min int) error {
		v := getenv(name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min {
			return fmt.Errorf("%s: want a whole number of at least %d, got %q", name, min, v)
		}
		*into = n
		return nil
	}
	day := 24 * time.Hour
	daysOf := func(name string, into *time.Duration) error {
		n := int(*into / day)
		if err := number(name, &n, 1); err != nil {
			return err
		}
		*into = time.Duration(n) * day
		return nil
	}
	if v := getenv("REFERRAL_REMIND_DAYS"); v != "" {
		c.Rules.RemindAfter = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return fmt.Errorf("REFERRAL_REMIND_DAYS: want days separated by commas, like 3,7,14; got %q", v)
			}
			c.Rules.RemindAfter = append(c.Rules.RemindAfter, time.Duration(n)*day)
		}
	}
	for _, err := range []error{
		daysOf("REFERRAL_AUTO_DECLINE_DAYS", &c.Rules.AutoDeclineAfter),
		daysOf("REFERRAL_ATTENDANCE_DAYS", &c.Rules.AskAttendanceAfter),
		number("REFERRAL_PAUSE_AFTER_DECLINES", &c.Rules.PauseAfterDeclines, 0),
		number("REFERRAL_SUSPEND_AFTER_UNANSWERED", &c.Rules.SuspendAfterSilence, 0),
		number("REFERRAL_STATS_MIN_COUNT", &c.StatsMinCount, 1),
		number("CASEWORK_FIRST_CONTACT_DAYS", &c.FirstContactDays, 1),
	} {
		if err != nil {
			return err
		}
	}
	if v := getenv("REFERRAL_RULES_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return fmt.Errorf("REFERRAL_RULES_EVERY: want a duration such as 10m, got %q", v)
		}
		c.RulesEvery = d
	}
	return nil
}

// loadProxies reads which proxies to believe about the client's address.
func loadProxies(c *Config, getenv func(string) string) error {
	c.TrustedProxyHeader = http.CanonicalHeaderKey(strings.TrimSpace(getenv("TRUSTED_PROXY_HEADER")))
	for _, f := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("TRUSTED_PROXIES: want addresses or networks separated by commas, like 10.0.0.0/8,::1; got %q", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	if (c.TrustedProxyHeader == "") != (len(c.TrustedProxies) == 0) {
		return fmt.Errorf("set both TRUSTED_PROXY_HEADER and TRUSTED_PROXIES, or neither")
	}
	return nil
}

// loadHashing reads the bound on password hashes at once.
func loadHashing(c *Config, getenv func(string) string) error {
	c.HashConcurrency, c.HashWait = runtime.NumCPU(), 5*time.Second
	if v := strings.TrimSpace(getenv("PASSWORD_HASH_CONCURRENCY")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("PASSWORD_HASH_CONCURRENCY: want a whole number from 1 to 1024, got %q", v)
		}
		c.HashConcurrency = n
	}
	if v := strings.TrimSpace(getenv("PASSWORD_HASH_WAIT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			return fmt.Errorf("PASSWORD_HASH_WAIT: want a duration from 0s to 1m, such as 5s; got %q", v)
		}
		c.HashWait = d
	}
	return nil
}
