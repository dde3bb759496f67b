package recorder

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// ErrNotCassette is returned for a YAML file that is not a go-vcr v4 cassette.
var ErrNotCassette = errors.New("not a go-vcr cassette")

// payload is the Stripe JSON an interaction carries: the response body, or
// for a webhook delivery (a request signed with Stripe-Signature, which
// Stripe sends to an endpoint) the request body, since there the response
// is the endpoint's own reply and not Stripe's.
func payload(i *cassette.Interaction) (body, pointer string, ok bool) {
	if i.Request.Headers.Get("Stripe-Signature") != "" {
		if IsJSON(i.Request.Body, i.Request.Headers.Get("Content-Type")) {
			return i.Request.Body, "/request/body", true
		}
		return "", "", false
	}
	if IsJSON(i.Response.Body, i.Response.Headers.Get("Content-Type")) {
		return i.Response.Body, "/response/body", true
	}
	return "", "", false
}

// IsJSON reports whether a body is meant as JSON: its media type says so,
// or it has none and starts like a JSON object or array. A body that says
// it is JSON is validated even if it is not (that is a finding).
func IsJSON(body, contentType string) bool {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return false
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	return mt == "" && (trimmed[0] == '{' || trimmed[0] == '[')
}

// interactionLabel names an interaction for people: "interaction 3: GET /v1/invoice_payments/inpay_1".
func interactionLabel(n int, method, rawURL string) string {
	return "interaction " + strconv.Itoa(n) + ": " + method + " " + recordedDisplayURL(rawURL)
}

// ReadCassette is a pipeline.Reader for go-vcr cassettes (register it with
// pipeline.WithReader(".yaml", recorder.ReadCassette)). It emits the Stripe
// JSON of every interaction (see payload) with its pointer prefixed by the
// interaction's place in the file, /interactions/N/response/body, its
// label naming the request, and the line of the body in the file.
// Interactions without a JSON body are skipped. A file that is not YAML,
// or not a version 2 cassette, is an error naming the line.
func ReadCassette(source string, r io.Reader, maxSize int, emit func(pipeline.Document) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c, lines, err := parseCassette(data)
	if err != nil {
		return err
	}
	for n, i := range c.Interactions {
		body, pointer, ok := payload(i)
		if !ok {
			continue
		}
		doc := pipeline.Document{
			Source: source,
			Line:   lines[n][pointer],
			Size:   int64(len(body)),
			Prefix: "/interactions/" + strconv.Itoa(n) + pointer,
			Label:  interactionLabel(n, i.Request.Method, i.Request.URL),
		}
		if len(body) <= maxSize {
			doc.Data = []byte(body)
		}
		if err := emit(doc); err != nil {
			return err
		}
	}
	return nil
}

// parseCassette decodes a cassette file and, for each interaction, the
// line of its request and response bodies.
func parseCassette(data []byte) (*cassette.Cassette, []map[string]int, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotCassette, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode || mappingValue(doc, "interactions") == nil {
		return nil, nil, fmt.Errorf("%w: line %d: no interactions list (a go-vcr cassette has version: 2 and interactions:)", ErrNotCassette, max(doc.Line, 1))
	}
	c := &cassette.Cassette{}
	if err := doc.Decode(c); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotCassette, err)
	}
	if c.Version != cassette.CassetteFormatVersion {
		line := doc.Line
		if v := mappingValue(doc, "version"); v != nil {
			line = v.Line
		}
		return nil, nil, fmt.Errorf("%w: line %d: version %d, want %d (go-vcr v4)", ErrNotCassette, line, c.Version, cassette.CassetteFormatVersion)
	}
	lines := make([]map[string]int, len(c.Interactions))
	seq := mappingValue(doc, "interactions")
	for n := range c.Interactions {
		lines[n] = map[string]int{}
		if seq.Kind != yaml.SequenceNode || n >= len(seq.Content) {
			continue
		}
		item := seq.Content[n]
		for _, part := range []string{"request", "response"} {
			if body := mappingValue(mappingValue(item, part), "body"); body != nil {
				lines[n]["/"+part+"/body"] = body.Line
			}
		}
	}
	for n, i := range c.Interactions {
		if i == nil {
			return nil, nil, fmt.Errorf("%w: interaction %d is empty", ErrNotCassette, n)
		}
		if _, err := url.Parse(i.Request.URL); err != nil {
			return nil, nil, fmt.Errorf("interaction %d: request url: %w", n, err)
		}
	}
	return c, lines, nil
}

// mappingValue is the value of key in a YAML mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
