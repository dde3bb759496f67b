package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// SignatureHeader is the header Stripe signs webhook deliveries with.
const SignatureHeader = "Stripe-Signature"

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

// Load reads every cassette (*.yaml) under fsys, in lexical order (hidden
// files and folders skipped), and returns the webhook deliveries they hold:
// interactions whose request is a POST carrying Stripe-Signature. A file that
// is not a go-vcr cassette is an error naming it; a set without deliveries
// is ErrNoDeliveries.
func Load(fsys fs.FS) ([]Delivery, error) {
	files, err := recorder.CassetteFiles(fsys)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		ds, err := deliveries(f, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, ds...)
	}
	if len(out) == 0 {
		return nil, ErrNoDeliveries
	}
	return out, nil
}

// deliveries reads one cassette file. The recorder's reader checks that it
// is a cassette and knows the lines of the bodies; go-vcr's types give the
// headers.
func deliveries(name string, data []byte) ([]Delivery, error) {
	lines := map[int]int{}
	err := recorder.ReadCassette(name, bytes.NewReader(data), len(data)+1, func(doc pipeline.Document) error {
		var n int
		if _, err := fmt.Sscanf(doc.Prefix, "/interactions/%d/request/body", &n); err == nil {
			lines[n] = doc.Line
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var c cassette.Cassette
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", recorder.ErrNotCassette, err)
	}
	var out []Delivery
	for n, i := range c.Interactions {
		if i == nil || i.Request.Method != http.MethodPost || i.Request.Headers.Get(SignatureHeader) == "" {
			continue
		}
		out = append(out, Delivery{
			Cassette:    name,
			Interaction: n,
			Line:        lines[n],
			URL:         i.Request.URL,
			Header:      i.Request.Headers.Clone(),
			Body:        []byte(i.Request.Body),
		})
	}
	return out, nil
}
