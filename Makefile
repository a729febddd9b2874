# Every module in the repository: the root and the nested test-only modules.
MODULES := $(shell find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test fmt vet staticcheck unit fuzz

test: fmt vet staticcheck unit fuzz

fmt:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && go vet ./...) || exit 1; done

staticcheck:
	@for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && go run $(STATICCHECK) ./...) || exit 1; done

# Allocation tests run a second time without -race, which allocates itself.
# Test artifacts (the browser test's screenshots) are kept in artifacts/.
unit:
	@mkdir -p artifacts
	@for m in $(MODULES); do echo "== go test $$m"; (cd $$m && go test -count=1 -run 'Alloc' ./... && go test -race -count=1 -artifacts -outputdir=$(CURDIR)/artifacts ./...) || exit 1; done

# The hostile-input generators run briefly here, each for FUZZTIME; for a
# longer run: make fuzz FUZZTIME=10m. Their seeds also run in `unit`.
FUZZTIME ?= 4s
FUZZ := ./logrecord:FuzzValue ./logrecord:FuzzRedactorText ./logrecord:FuzzRedactURL \
	./bridge:FuzzHandleInOperation ./operation:FuzzOperation ./store:FuzzQueryInputs
fuzz:
	@for f in $(FUZZ); do pkg=$${f%%:*}; name=$${f##*:}; echo "== fuzz $$name in $$pkg for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done
