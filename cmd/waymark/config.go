package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
)

// Config is the program's configuration, from the environment.
type Config struct {
	DatabaseURL   string
	Addr          string
	PostcodesFile string
	TileURL       string
	PublicURL     string // scheme://host the site is reached at, for absolute links
	SMTPURL       string // smtp://user:password@host:port; "" keeps email in the dev outbox
	EmailFrom     string
	Dev           bool // WAYMARK_ENV is not "production"
	TLSCert       string
	TLSKey        string
	LogLevel      slog.Level
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
	return c, nil
}
