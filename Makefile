# Waymark — the two commands a newcomer needs are `make run` and `make test`.

GO      ?= go
BIN     ?= waymark
# make test runs every database test against SQLite and against this PostgreSQL.
WAYMARK_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export WAYMARK_TEST_POSTGRES

.PHONY: run build assets test test-short vet bench fuzz fuzz-short postcodes fhirschema clean

# Map tiles for `make run` (pages work without them; set TILE_URL= to turn maps off).
TILE_URL ?= https://tile.openstreetmap.org/{z}/{x}/{y}.png

## run: build, create waymark.db with the Derbyshire demo data, start the server
run: build
	./$(BIN) seed --if-empty
	TILE_URL='$(TILE_URL)' ./$(BIN) serve

## build: the single binary, with the front-end assets embedded
build: assets
	$(GO) build -o $(BIN) ./cmd/waymark

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## assets: install the npm front-end packages and copy them into the embedded static folder
assets: node_modules/.package-lock.json
	sh internal/web/static/vendor.sh

## test: every test, on SQLite and PostgreSQL, with browser journeys in Chromium;
## prints each package, the output of failing tests and the ten slowest tests; the short
## fuzz of every parser (fuzz-short) runs beside the tests, on the core they leave idle
test: assets
	sh scripts/ensure-postgres.sh
	sh scripts/ensure-chromium.sh
	@unformatted="$$(gofmt -l cmd internal tools *.go)"; if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result"; exit 1; }
	$(GO) vet ./...
	@echo "short fuzz of every parser, beside the tests (output in .fuzz-short.log)"
	@FUZZTIME=10000x GO=$(GO) sh scripts/fuzz.sh >.fuzz-short.log 2>&1 & fuzz=$$!; \
	$(GO) test -count=1 -timeout 30m -json ./... 2>&1 | $(GO) run ./tools/testsummary -slowest 10; tests=$$?; \
	if wait $$fuzz; then cat .fuzz-short.log; else cat .fuzz-short.log; echo "a fuzz test failed"; exit 1; fi; \
	exit $$tests

## bench: the search, case management and API benchmarks on SQLite and PostgreSQL, then bench-http (figures in docs/benchmarks.md)
bench: assets
	sh scripts/ensure-postgres.sh
	$(GO) test -run '^$$' -bench . -skip 'SearchHTTP|InsightsDashboards' -benchtime 2000x -timeout 60m ./internal/sqlstore/
	$(GO) test -run '^$$' -bench InsightsDashboards -benchtime 20x -timeout 90m ./internal/sqlstore/
	$(GO) test -run '^$$' -bench API -benchtime 1000x -timeout 30m ./internal/oruk/
	$(GO) test -run '^$$' -bench ProcessMessage -benchtime 1000x -timeout 30m ./internal/fhir/
	$(MAKE) bench-http

## bench-http: public search through the real server, one database after another (BENCH_HTTP); builds
## the synthetic directories the first time and keeps them (minutes: docs/benchmarks.md); prints
## p50/p95/p99 per class, the ratio to the bare SQL and requests/s with 8 connections
BENCH_HTTP ?= sqlite:100000,postgres:100000,sqlite:1000000
bench-http: assets
	sh scripts/ensure-postgres.sh
	BENCH_HTTP='$(BENCH_HTTP)' $(GO) test -run '^$$' -bench SearchHTTP -benchtime 1x -timeout 180m ./internal/sqlstore/

## fuzz: run every fuzz test in the repository for a while (FUZZTIME=30s by default)
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) sh scripts/fuzz.sh

## fuzz-short: every fuzz test for 10000 inputs (part of make test)
fuzz-short:
	FUZZTIME=10000x GO=$(GO) sh scripts/fuzz.sh

## postcodes: rebuild the committed postcode table from ../shared/data/postcodes
postcodes:
	$(GO) run ./tools/postcodegen -in ../shared/data/postcodes/uk-postcode-centroids.csv.gz -out internal/postcode/data/postcodes.bin

## fhirschema: rebuild the embedded FHIR R4 JSON Schema from ../shared/standards/fhir
fhirschema:
	$(GO) run ./tools/fhirschemagen -in ../shared/standards/fhir/r4/fhir.schema.json -out internal/fhir/fhir.schema.json.gz

clean:
	rm -rf $(BIN) node_modules internal/web/static/vendor
