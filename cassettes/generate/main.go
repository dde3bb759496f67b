// Command generate writes the bundled cassettes of package cassettes,
// reproducibly: it runs the real stripe-mock (go tool stripe-mock) with
// fixtures written from the API reference, records the scenarios of
// scenarios.go through the project's recording proxy, and writes from the
// API reference the few that stripe-mock cannot produce. Each cassette says
// in its header comments where it came from.
//
//	go generate ./cassettes
//
// Every payload is validated as it is produced: generation fails if a
// bundled cassette would break the contract, or if the one meant to break
// it does not.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/suites/stripemock"
	"github.com/stripe-contract/stripe-contract/validators"
)

func main() {
	var o options
	flag.StringVar(&o.out, "out", ".", "folder to write stripe-mock/*.yaml, docs/*.yaml and README.md into")
	flag.StringVar(&o.violations, "violations", "../recorder/testdata/violations", "folder to write the cassette that breaks the contract on purpose into")
	flag.StringVar(&o.stripeMock, "stripe-mock", "", "stripe-mock binary (default: the one go tool -n stripe-mock builds from go.mod's tool block)")
	flag.Parse()
	if err := generate(o); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

type options struct {
	out, violations, stripeMock string
}

// canonicalAddr stands for stripe-mock's address in the cassettes: its
// default port, in place of the one the system picked for the run.
const canonicalAddr = "127.0.0.1:12111"

// fixedDate replaces the Date header of recorded responses.
var fixedDate = time.Unix(eventAt, 0).UTC().Format(http.TimeFormat)

// mockAddress is the memory address stripe-mock prints in validation errors.
var mockAddress = regexp.MustCompile(`validator 0x[0-9a-f]+`)

// row is a line of the README's table.
type row struct{ file, shows, source string }

func generate(o options) error {
	v, err := validators.New()
	if err != nil {
		return err
	}
	if v.APIVersion() != apiVersion {
		return fmt.Errorf("the validators' API version is %s, the scenarios' %s: update apiVersion in scenarios.go", v.APIVersion(), apiVersion)
	}
	version, err := stripeMockVersion()
	if err != nil {
		return err
	}
	bin := o.stripeMock
	if bin == "" {
		if bin, err = stripemock.Binary(); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "cassettes-generate")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var rows []row
	for _, set := range append(stripeMockSets, flowSets()...) {
		r, err := recordSet(set, o.out, bin, tmp, version, true)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	for _, d := range append(docCassettes(), flowDeliveries()...) {
		for n, i := range d.interactions {
			if err := checkPayload(v, d.file, n, i, true); err != nil {
				return err
			}
		}
		if err := recorder.WriteCassette(filepath.Join(o.out, d.file), d.interactions, recorder.WithProvenance(docsProvenance(d, cassette.IsWebhookDelivery(d.interactions[0])))); err != nil {
			return err
		}
		source := "written from the API reference"
		rows = append(rows, row{d.file, d.shows, source})
	}
	violations, err := recordSet(builtinSet, o.violations, bin, tmp, version, false)
	if err != nil {
		return err
	}
	return writeReadme(filepath.Join(o.out, "README.md"), rows, violations, version)
}

// recordSet runs stripe-mock with the set's fixtures and records each of
// its scenarios through the recording proxy into dir.
func recordSet(set fixtureSet, dir, bin, tmp, version string, wantValid bool) ([]row, error) {
	var fixtures string
	if set.resources != nil {
		var err error
		if fixtures, err = writeFixtures(tmp, set.resources); err != nil {
			return nil, err
		}
	}
	opts := []stripemock.Option{stripemock.WithBinary(bin), stripemock.WithLog(os.Stderr)}
	if fixtures != "" {
		opts = append(opts, stripemock.WithFixtures(fixtures))
	}
	m, err := stripemock.Start(context.Background(), opts...)
	if err != nil {
		return nil, err
	}
	defer m.Stop()
	source := "recorded from stripe-mock " + version + ", fixtures from the API reference"
	if set.resources == nil {
		source = "recorded from stripe-mock " + version + ", its own placeholder fixtures: breaks the contract on purpose"
	}
	var rows []row
	for _, s := range set.scenarios {
		if err := record(m, set, s, filepath.Join(dir, s.file), version, wantValid); err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		rows = append(rows, row{s.file, s.shows, source})
	}
	return rows, nil
}

func record(m *stripemock.Server, set fixtureSet, s scenario, file, version string, wantValid bool) error {
	var problems []string
	rec, err := recorder.New(file,
		recorder.WithProvenance(stripeMockProvenance(set, s, version)),
		recorder.WithCredentialSalt(credentialSalt(s.file)),
		recorder.WithBeforeSave(normalize(m.Addr(), s)),
		recorder.WithCaptureHandler(func(c recorder.Capture) {
			if c.Result.Valid() != wantValid {
				problems = append(problems, fmt.Sprintf("interaction %d (%s %s): valid %v, want %v: %v", c.Interaction, c.Method, c.URL, c.Result.Valid(), wantValid, c.Result.Violations))
			}
		}),
	)
	if err != nil {
		return err
	}
	proxy, err := recorder.NewProxy(m.URL(), rec)
	if err != nil {
		return err
	}
	front := httptest.NewServer(proxy)
	client := &http.Client{Timeout: time.Minute}
	for _, r := range s.requests {
		var body io.Reader
		if r.form != nil {
			body = strings.NewReader(r.form.Encode())
		}
		req, err := http.NewRequest(r.method, front.URL+r.target, body)
		if err != nil {
			front.Close()
			return err
		}
		if r.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		key := replay.PlaceholderKey
		if r.badKey {
			key = replay.RefusedKey
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Stripe-Version", apiVersion)
		req.Header.Set("User-Agent", "stripe-contract cassettes/generate")
		resp, err := client.Do(req)
		if err != nil {
			front.Close()
			return err
		}
		resp.Body.Close()
	}
	front.Close()
	if err := rec.Stop(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// credentialSalt is the salt of a cassette's credential fingerprints:
// fixed per file, so that regeneration is reproducible (the keys are the
// replay suite's placeholders, no secret; see recorder.WithCredentialSalt).
func credentialSalt(file string) []byte {
	sum := sha256.Sum256([]byte("stripe-contract cassettes/generate " + filepath.ToSlash(file)))
	return sum[:16]
}

// normalize makes a stripe-mock recording of s reproducible (the header of
// each cassette says what was changed).
func normalize(addr string, s scenario) func(*vcr.Interaction) error {
	return func(i *vcr.Interaction) error {
		i.Request.URL = strings.ReplaceAll(i.Request.URL, addr, canonicalAddr)
		i.Request.Host = strings.ReplaceAll(i.Request.Host, addr, canonicalAddr)
		i.Response.Duration = 0
		if i.Response.Headers.Get("Date") != "" {
			i.Response.Headers.Set("Date", fixedDate)
		}
		body := mockAddress.ReplaceAllString(i.Response.Body, "validator 0xc000000000")
		for _, r := range s.requests {
			if r.createdAs == "" || r.method != i.Request.Method || !strings.HasSuffix(strings.SplitN(i.Request.URL, "?", 2)[0], canonicalAddr+r.target) {
				continue
			}
			var created struct{ ID string }
			if err := json.Unmarshal([]byte(body), &created); err != nil {
				return fmt.Errorf("%s %s: the created object: %w", r.method, r.target, err)
			}
			prefix := r.createdAs[:strings.LastIndex(r.createdAs, "_")]
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `_[0-9A-Za-z]{15}$`).MatchString(created.ID) {
				return fmt.Errorf("%s %s: stripe-mock answered id %q, not one it generates (%s_ and 15 letters or digits)", r.method, r.target, created.ID, prefix)
			}
			// everywhere stripe-mock put it: the id, and URLs such as an invoice's lines.url
			body = strings.ReplaceAll(body, created.ID, r.createdAs)
		}
		if body != i.Response.Body {
			if i.Response.ContentLength == int64(len(i.Response.Body)) {
				i.Response.ContentLength = int64(len(body))
			}
			if i.Response.Headers.Get("Content-Length") != "" {
				i.Response.Headers.Set("Content-Length", strconv.Itoa(len(body)))
			}
			i.Response.Body = body
		}
		return nil
	}
}

// checkPayload validates a written interaction's Stripe JSON (for a
// webhook delivery the request Stripe sent), as the recorder does for
// recorded ones.
func checkPayload(v *validators.Validator, file string, n int, i *vcr.Interaction, wantValid bool) error {
	body := cassette.PayloadOf(i).Body
	if res := v.Validate([]byte(body)); res.Valid() != wantValid {
		return fmt.Errorf("%s: interaction %d: valid %v, want %v: %v", file, n, res.Valid(), wantValid, res.Violations)
	}
	return nil
}

// stripeMockVersion is the stripe-mock module version this program was
// built with: the one go.mod pins.
func stripeMockVersion() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build information to read stripe-mock's version from")
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/stripe/stripe-mock" {
			if d.Replace != nil {
				d = d.Replace
			}
			return d.Version, nil
		}
	}
	return "", fmt.Errorf("stripe-mock is not among this program's dependencies")
}

func writeReadme(file string, rows, violations []row, version string) error {
	var b strings.Builder
	b.WriteString(`# Bundled cassettes

go-vcr v4 cassettes of the invoice payment API, and of a whole-API flow (the ` + "`flow_*`" + ` files: a customer
created, updated, listed, searched and deleted, a PaymentIntent confirmed, its charge, an invoice, a
subscription, events of several types and their webhook deliveries): any go-vcr v4 recorder replays them,
` + "`stripe-contract serve --cassettes cassettes/`" + ` answers from them, and ` + "`stripe-contract validate cassettes/`" + `
checks every Stripe payload in them at the API version each interaction was recorded with.
`)
	b.WriteString(`None was recorded from the live Stripe API and no Stripe account was used: each cassette says in the
comments at its top where it came from, and its folder says it too.

- ` + "`stripe-mock/`" + `: recorded through this project's recording proxy from the real stripe-mock ` + version + `
  (` + "`go tool stripe-mock`" + `, pinned in go.mod), started with fixtures written from the API reference.
- ` + "`docs/`" + `: written from the API reference, for what stripe-mock cannot produce (a second page,
  a missing object, a webhook delivery).

Generated by ` + "`go generate ./cassettes`" + ` (cassettes/generate); do not edit by hand: a test fails when
they drift from what the generator writes.

| Cassette | Shows | Source |
|---|---|---|
`)
	for _, r := range rows {
		fmt.Fprintf(&b, "| [%s](%s) | %s | %s |\n", r.file, r.file, r.shows, r.source)
	}
	rel := filepath.ToSlash(filepath.Join("..", "recorder", "testdata", "violations"))
	b.WriteString(`
The cassette that breaks the contract on purpose lives outside this folder, so that
` + "`stripe-contract validate cassettes/`" + ` passes; validate it to see violations reported:

| Cassette | Shows | Source |
|---|---|---|
`)
	for _, r := range violations {
		p := rel + "/" + r.file
		fmt.Fprintf(&b, "| [%s](%s) | %s | %s |\n", p, p, r.shows, r.source)
	}
	return disk.WriteFile(file, []byte(b.String()))
}
