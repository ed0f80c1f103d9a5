package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"waymark/internal/directory"
	"waymark/internal/postcode"
	"waymark/internal/seed"
	"waymark/internal/sqlstore"
	"waymark/internal/web"

	"github.com/prometheus/client_golang/prometheus"
)

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, sqlstore.WithSQLiteSettings(cfg.DatabaseURL, cfg.SQLiteCacheMB, cfg.SQLiteMmapMB))
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// loadPostcodes returns the postcode table: an imported one when the
// configured file exists, otherwise the one built into the binary.
func loadPostcodes(cfg Config) (*postcode.Table, error) {
	if cfg.PostcodesFile != "" {
		if _, err := os.Stat(cfg.PostcodesFile); err == nil {
			t, err := postcode.Open(cfg.PostcodesFile)
			if err != nil {
				return nil, fmt.Errorf("load imported postcodes: %w", err)
			}
			return t, nil
		}
	}
	t, err := postcode.Embedded()
	if err != nil {
		return nil, fmt.Errorf("load built-in postcodes: %w", err)
	}
	return t, nil
}

// app is the wired-up domain, shared by serve and seed.
type app struct {
	db        *sqlstore.DB
	store     *sqlstore.DirectoryStore
	postcodes *postcode.Table
	directory *directory.Directory
}

func (m *Main) openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*app, error) {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	table, err := loadPostcodes(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	store := sqlstore.NewDirectoryStore(db)
	tax, terms := seed.Categories()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		db.Close()
		return nil, fmt.Errorf("ensure categories: %w", err)
	}
	tax, terms = directory.DeliveryTaxonomy()
	if err := store.CreateTaxonomy(ctx, &tax, terms); err != nil {
		db.Close()
		return nil, fmt.Errorf("ensure delivery methods: %w", err)
	}
	return &app{db: db, store: store, postcodes: table, directory: directory.NewDirectory(store, table, time.Now, logger)}, nil
}

func (m *Main) serve(ctx context.Context, cfg Config, logger *slog.Logger, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments")
	}
	if err := cfg.checkServe(); err != nil {
		return err
	}
	a, err := m.openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.db.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	scheme, addr := listenAddress(cfg, ln)
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = scheme + "://" + addr
	}
	s, err := wire(ctx, a, cfg, publicURL, logger)
	if err != nil {
		return err
	}
	wc := webConfig(cfg)
	wc.PublicURL = publicURL
	srv, err := web.NewServer(wc, s.webDeps(a, cfg, logger))
	if err != nil {
		return err
	}
	hs := newHTTPServer(srv.Handler(), logger)
	if cfg.MetricsAddr != "" {
		maddr, stop, err := serveMetrics(cfg, s.registry, logger)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(m.Stdout, "Metrics are served at http://%s/metrics.\n", maddr)
	} else if !cfg.Dev && cfg.MetricsToken == "" {
		logger.Warn("metrics are not served: set METRICS_ADDR or METRICS_TOKEN to read them")
	}
	fmt.Fprintf(m.Stdout, "Waymark is running at %s://%s/ (database: %s). Press Ctrl+C to stop.\n", scheme, addr, a.db.Dialect())
	logger.Info("server started", "addr", ln.Addr().String(), "database", string(a.db.Dialect()))
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}
	s.startJobs(ctx, a, cfg, logger)
	return run(ctx, hs, ln, cfg, logger)
}

// serveMetrics serves /metrics alone on METRICS_ADDR (with METRICS_TOKEN
// when set) until stop is called.
func serveMetrics(cfg Config, reg *prometheus.Registry, logger *slog.Logger) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return "", nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", web.MetricsHandler(reg, cfg.MetricsToken))
	hs := newHTTPServer(mux, logger)
	go hs.Serve(ln)
	logger.Info("metrics served", "addr", ln.Addr().String())
	return ln.Addr().String(), func() { hs.Close() }, nil
}

// listenAddress is the scheme and host:port the server is reached at
// locally, with 127.0.0.1 written as localhost.
func listenAddress(cfg Config, ln net.Listener) (scheme, addr string) {
	scheme = "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	addr = ln.Addr().String()
	if strings.HasPrefix(addr, "127.0.0.1:") {
		addr = "localhost:" + strings.TrimPrefix(addr, "127.0.0.1:")
	}
	return scheme, addr
}

// newHTTPServer returns the HTTP server with its timeouts.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// run serves on ln until ctx is done, then shuts down gracefully.
func run(ctx context.Context, hs *http.Server, ln net.Listener, cfg Config, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
