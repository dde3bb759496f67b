package replay

import (
	"fmt"
	"io/fs"
	"net/url"
	"strconv"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// Interaction is one recorded request and its answer, as the engine replays
// it.
type Interaction struct {
	Cassette string // the cassette, relative to the set's root
	Index    int    // its index in the cassette: /interactions/N
	Line     int    // the line of the interaction in the cassette file
	Method   string
	Path     string // path and query, as recorded
	// Webhook is true for a webhook delivery: a POST carrying
	// Stripe-Signature, which Stripe sends to an endpoint and which is not
	// an API request.
	Webhook  bool
	Recorded *cassette.Interaction
}

// Source names the interaction: "docs/list_two_pages.yaml#1".
func (i Interaction) Source() string { return i.Cassette + "#" + strconv.Itoa(i.Index) }

// Name is how specs and reports title the interaction:
// "docs/list_two_pages.yaml#1 GET /v1/invoice_payments?...".
func (i Interaction) Name() string { return i.Source() + " " + i.Method + " " + i.Path }

// loadCassettes reads every cassette (*.yaml) under fsys, in lexical order
// (the order recorder.NewServer plays them in); hidden files and folders are
// skipped. The files are decoded into go-vcr's own cassette types.
func loadCassettes(fsys fs.FS) ([][]Interaction, error) {
	var set [][]Interaction
	files, err := recorder.CassetteFiles(fsys)
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		interactions, err := decodeCassette(p, data)
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

// decodeCassette decodes one go-vcr v4 cassette, noting the line where
// each interaction starts.
func decodeCassette(name string, data []byte) ([]Interaction, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("cassette %s: not YAML: %v", name, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	var c cassette.Cassette
	if err := doc.Decode(&c); err != nil {
		return nil, fmt.Errorf("cassette %s: line %d: not a go-vcr cassette: %v", name, max(doc.Line, 1), err)
	}
	if c.Version != cassette.CassetteFormatVersion {
		return nil, fmt.Errorf("cassette %s: line %d: version %d, want %d (go-vcr v4)", name, max(doc.Line, 1), c.Version, cassette.CassetteFormatVersion)
	}
	var items []*yaml.Node
	if doc.Kind == yaml.MappingNode {
		for k := 0; k+1 < len(doc.Content); k += 2 {
			if doc.Content[k].Value == "interactions" && doc.Content[k+1].Kind == yaml.SequenceNode {
				items = doc.Content[k+1].Content
			}
		}
	}
	out := make([]Interaction, 0, len(c.Interactions))
	for n, rec := range c.Interactions {
		line := 0
		if n < len(items) {
			line = items[n].Line
		}
		if rec == nil {
			return nil, fmt.Errorf("cassette %s: line %d: interaction %d is empty", name, line, n)
		}
		u, err := url.Parse(rec.Request.URL)
		if err != nil {
			return nil, fmt.Errorf("cassette %s: line %d: interaction %d: request url: %v", name, line, n, err)
		}
		if rec.Request.Method == "" {
			return nil, fmt.Errorf("cassette %s: line %d: interaction %d: no request method", name, line, n)
		}
		out = append(out, Interaction{
			Cassette: name,
			Index:    n,
			Line:     line,
			Method:   rec.Request.Method,
			Path:     u.RequestURI(),
			Webhook:  rec.Request.Method == "POST" && rec.Request.Headers.Get("Stripe-Signature") != "",
			Recorded: rec,
		})
	}
	return out, nil
}
