package replay

import (
	"fmt"
	"io/fs"
	"net/url"
	"strconv"

	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// Interaction is one recorded request and its answer, as the engine replays
// it.
type Interaction struct {
	Cassette string // the cassette, relative to the set's root
	Index    int    // its index in the cassette: /interactions/N
	Line     int    // the line of the interaction in the cassette file
	Method   string
	Path     string // path and query, as recorded
	// Webhook is true for a webhook delivery (cassette.IsWebhookDelivery:
	// a POST carrying Stripe-Signature), which Stripe sends to an endpoint
	// and which is not an API request.
	Webhook  bool
	Recorded *vcr.Interaction
}

// Source names the interaction: "docs/list_two_pages.yaml#1".
func (i Interaction) Source() string { return i.Cassette + "#" + strconv.Itoa(i.Index) }

// Name is how specs and reports title the interaction:
// "docs/list_two_pages.yaml#1 GET /v1/invoice_payments?...".
func (i Interaction) Name() string { return i.Source() + " " + i.Method + " " + i.Path }

// WithMaxCassetteSize bounds each cassette file the engine reads, in bytes
// (0: cassette.DefaultMaxSize, 64 MiB): a larger one is an error naming it,
// read no further than the limit.
func WithMaxCassetteSize(n int64) Option { return func(e *Engine) { e.maxCassette = n } }

// WithSkipHandler is told of each *.yaml file the walk of the cassette set
// passes over for not being a regular file (see cassette.Walk), so that a
// command can say so; by default they pass silently.
func WithSkipHandler(fn func(disk.Skipped)) Option { return func(e *Engine) { e.onSkip = fn } }

// loadCassettes reads every cassette (*.yaml) under fsys, in lexical order
// (the order recorder.NewServer plays them in), with package
// recorder/cassette: regular files only, hidden files and folders skipped,
// each no larger than limit.
func loadCassettes(fsys fs.FS, limit int64, skipped func(disk.Skipped)) ([][]Interaction, error) {
	var set [][]Interaction
	files, err := cassette.Walk(fsys, skipped)
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		c, err := cassette.Load(fsys, p, limit)
		if err != nil {
			return nil, err
		}
		interactions, err := replayable(c)
		if err != nil {
			return nil, err
		}
		set = append(set, interactions)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("no cassettes (*.yaml files) found")
	}
	return set, nil
}

// replayable is a loaded cassette's interactions as the engine replays
// them; each must name its method, which the engine sends.
func replayable(c *cassette.Cassette) ([]Interaction, error) {
	out := make([]Interaction, 0, len(c.Interactions))
	for _, i := range c.Interactions {
		if i.Request.Method == "" {
			return nil, fmt.Errorf("cassette %s: line %d: interaction %d: no request method", c.File, i.Line, i.Index)
		}
		u, _ := url.Parse(i.Request.URL) // cassette.Parse refuses a URL that does not parse
		out = append(out, Interaction{
			Cassette: c.File,
			Index:    i.Index,
			Line:     i.Line,
			Method:   i.Request.Method,
			Path:     u.RequestURI(),
			Webhook:  cassette.IsWebhookDelivery(i.Interaction),
			Recorded: i.Interaction,
		})
	}
	return out, nil
}
