package webhook

import (
	"errors"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// SignatureHeader is the header Stripe signs webhook deliveries with.
const SignatureHeader = cassette.SignatureHeader

// ErrNoDeliveries is returned by Load when no cassette holds a delivery.
var ErrNoDeliveries = errors.New("no webhook deliveries (a POST carrying Stripe-Signature) in the cassettes")

// Delivery is one recorded webhook delivery: the POST Stripe sent to an
// endpoint.
type Delivery struct {
	Cassette    string      // the cassette's file, relative to the set's root
	Interaction int         // its index in the cassette: /interactions/N
	Line        int         // the line of the request body in the cassette file
	URL         string      // the recorded endpoint URL (replays ignore it)
	Header      http.Header // the recorded request headers
	Body        []byte      // the payload, byte for byte as recorded
}

// Pointer is where the payload stands in its cassette:
// /interactions/N/request/body.
func (d Delivery) Pointer() string {
	return "/interactions/" + strconv.Itoa(d.Interaction) + "/request/body"
}

// String names the delivery for people: "docs/webhook.yaml interaction 0".
func (d Delivery) String() string {
	return d.Cassette + " interaction " + strconv.Itoa(d.Interaction)
}

// LoadOption configures Load.
type LoadOption func(*loadConfig)

type loadConfig struct {
	maxCassette int64
	onSkip      func(disk.Skipped)
}

// WithMaxCassetteSize bounds each cassette file Load reads, in bytes (0:
// cassette.DefaultMaxSize, 64 MiB): a larger one is an error naming it,
// read no further than the limit.
func WithMaxCassetteSize(n int64) LoadOption { return func(c *loadConfig) { c.maxCassette = n } }

// WithSkipHandler is told of each *.yaml file Load's walk passes over for
// not being a regular file (see cassette.Walk), so that a command can say
// so; by default they pass silently.
func WithSkipHandler(fn func(disk.Skipped)) LoadOption { return func(c *loadConfig) { c.onSkip = fn } }

// Load reads every cassette (*.yaml) under fsys, in lexical order (regular
// files only, hidden files and folders skipped: cassette.Walk), and returns
// the webhook deliveries they hold (cassette.IsWebhookDelivery: a POST
// carrying Stripe-Signature). A file that is not a go-vcr cassette, or is
// over the size limit, is an error naming it; a set without deliveries is
// ErrNoDeliveries.
func Load(fsys fs.FS, opts ...LoadOption) ([]Delivery, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	files, err := cassette.Walk(fsys, cfg.onSkip)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, f := range files {
		c, err := cassette.Load(fsys, f, cfg.maxCassette)
		if err != nil {
			return nil, err
		}
		for _, i := range c.Interactions {
			if !cassette.IsWebhookDelivery(i.Interaction) {
				continue
			}
			out = append(out, Delivery{
				Cassette:    f,
				Interaction: i.Index,
				Line:        i.RequestBodyLine,
				URL:         i.Request.URL,
				Header:      i.Request.Headers.Clone(),
				Body:        []byte(i.Request.Body),
			})
		}
	}
	if len(out) == 0 {
		return nil, ErrNoDeliveries
	}
	return out, nil
}
