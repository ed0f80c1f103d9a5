package web

import (
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes registers every route. Each is public: these pages need no login.
func (s *Server) routes() {
	s.handle("GET /{$}", s.handleSearch)
	s.handle("GET /services/{id}", s.handleService)
	s.handle("GET /help/offline", s.handleOfflineHelp)
	s.handle("GET /healthz", s.handleHealthz)
	s.handle("GET /readyz", s.handleReadyz)
	s.mux.Handle("GET /metrics", s.observe("GET /metrics", promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{})))
	s.handle("GET /static/{path...}", s.handleStatic)
	for pattern, h := range s.deps.API {
		s.handle(pattern, h)
	}
	s.handle("/", s.notFound)
}
