package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/schemas"
)

// MixedInvalidShare is the share of mixed lines that break a documented
// rule (the invoice_payment lines among them break one at InvalidShare).
const MixedInvalidShare = 0.10

// Template names: the resources of the whole-API flow cassettes a mixed
// line is made from, and the expanded forms the flow recorded.
const (
	tplCustomer        = "customer"
	tplDeletedCustomer = "deleted_customer"
	tplCharge          = "charge"
	tplPaymentIntent   = "payment_intent"
	tplIntentExpanded  = "payment_intent+latest_charge" // latest_charge expanded as a full charge
	tplInvoice         = "invoice"
	tplInvoiceExpanded = "invoice+customer" // customer expanded
	tplSubscription    = "subscription"
	tplPayment         = "invoice_payment" // from the invoice_payment generator, not a cassette
)

// component is the schema file's component a template is checked against.
var component = map[string]string{
	tplCustomer: "customer", tplDeletedCustomer: "deleted_customer", tplCharge: "charge",
	tplPaymentIntent: "payment_intent", tplIntentExpanded: "payment_intent", tplInvoice: "invoice",
	tplInvoiceExpanded: "invoice", tplSubscription: "subscription", tplPayment: "invoice_payment",
}

// listURL is where each resource's list and search endpoints are.
var listURL = map[string]string{
	"customer": "/v1/customers", "charge": "/v1/charges", "payment_intent": "/v1/payment_intents",
	"invoice": "/v1/invoices", "subscription": "/v1/subscriptions", "event": "/v1/events",
}

// shape is what the generator reads of a resource's schema file to break
// one of its rules: the fields it requires, the fields of one scalar JSON
// type, the fields with an enum, and whether currency is a listed code.
type shape struct {
	required     []string
	scalars      map[string]string // field -> its one JSON type (integer, boolean, string)
	enums        []string
	currencyEnum bool
	metadata     bool
}

// eventType is one event type of the newest version with the templates of
// the resources it carries.
type eventType struct {
	name      string
	templates []string
}

// Mixed produces mixed lines: resources, deleted resources, expanded
// objects, lists, search results, events of many types and invoice_payment
// lines, about MixedInvalidShare of them breaking one documented rule. It is
// not safe for concurrent use.
type Mixed struct {
	rng        *rand.Rand
	payments   *Generator
	version    string
	templates  map[string][]map[string]any
	shapes     map[string]shape // by component
	events     []eventType
	carried    map[string]bool // "type\x00template" a type carries
	principal  json.Number     // the flow's amount, replaced per line
	currencies []string
}

// NewMixed returns a mixed generator seeded with seed. It reads the flow
// cassettes (package cassettes) for its templates and the newest version's
// index and schema files for event types and the rules it breaks.
func NewMixed(seed uint64) (*Mixed, error) {
	m := &Mixed{
		rng:        rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d)),
		payments:   New(seed ^ 0x5bd1e995),
		version:    schemas.Newest(),
		templates:  map[string][]map[string]any{},
		shapes:     map[string]shape{},
		carried:    map[string]bool{},
		principal:  "2000",
		currencies: currencies,
	}
	if err := m.readTemplates(); err != nil {
		return nil, err
	}
	files, err := schemas.Version(m.version)
	if err != nil {
		return nil, err
	}
	for _, c := range component {
		if _, ok := m.shapes[c]; ok {
			continue
		}
		s, err := readShape(files, schemas.ResourceFile(c))
		if err != nil {
			return nil, err
		}
		m.shapes[c] = s
	}
	if err := m.readEventTypes(files); err != nil {
		return nil, err
	}
	return m, nil
}

// readTemplates takes every response body and webhook delivery of the
// whole-API flow (cassettes named flow_*) that is one of the templates.
func (m *Mixed) readTemplates() error {
	names, err := cassette.Files(cassettes.FS)
	if err != nil {
		return err
	}
	for _, name := range names {
		if !strings.HasPrefix(name[strings.LastIndexByte(name, '/')+1:], "flow_") {
			continue
		}
		c, err := cassette.Load(cassettes.FS, name, cassette.DefaultMaxSize)
		if err != nil {
			return err
		}
		for _, i := range c.Interactions {
			p := cassette.PayloadOf(i.Interaction)
			if !p.IsJSON() {
				continue
			}
			doc, err := decode([]byte(p.Body))
			if err != nil {
				return fmt.Errorf("%s (%s): %w", name, i.Label(), err)
			}
			m.collect(doc)
		}
	}
	for t := range component {
		if t != tplPayment && len(m.templates[t]) == 0 {
			return fmt.Errorf("the flow cassettes hold no %s", t)
		}
	}
	return nil
}

// collect files doc, and the resources a list or event holds, under their
// template names.
func (m *Mixed) collect(doc map[string]any) {
	switch doc["object"] {
	case "list", "search_result":
		for _, item := range asList(doc["data"]) {
			if o, ok := item.(map[string]any); ok {
				m.collect(o)
			}
		}
		return
	case "event":
		if data, ok := doc["data"].(map[string]any); ok {
			if o, ok := data["object"].(map[string]any); ok {
				m.collect(o)
			}
		}
		return
	}
	obj, _ := doc["object"].(string)
	t := obj
	switch {
	case obj == "customer" && doc["deleted"] == true:
		t = tplDeletedCustomer
	case obj == "payment_intent" && isObject(doc["latest_charge"]):
		t = tplIntentExpanded
	case obj == "invoice" && isObject(doc["customer"]):
		t = tplInvoiceExpanded
	}
	if _, ok := component[t]; ok && t != tplPayment {
		m.templates[t] = append(m.templates[t], doc)
	}
}

// readShape reads what breakRule needs of one schema file.
func readShape(files fs.FS, file string) (shape, error) {
	raw, err := fs.ReadFile(files, file)
	if err != nil {
		return shape{}, err
	}
	var head struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return shape{}, fmt.Errorf("%s: %w", file, err)
	}
	s := shape{required: head.Required, scalars: map[string]string{}}
	for name, p := range head.Properties {
		var prop struct {
			Type any   `json:"type"`
			Enum []any `json:"enum"`
		}
		if err := json.Unmarshal(p, &prop); err != nil {
			return shape{}, fmt.Errorf("%s: /properties/%s: %w", file, name, err)
		}
		if t, ok := prop.Type.(string); ok && (t == "integer" || t == "boolean" || t == "string") {
			s.scalars[name] = t
		}
		switch {
		case name == "currency":
			s.currencyEnum = len(prop.Enum) > 0
		case name == "metadata":
			s.metadata = true
		case len(prop.Enum) > 0 && name != "object":
			s.enums = append(s.enums, name)
		}
	}
	slices.Sort(s.enums)
	return s, nil
}

// readEventTypes keeps the newest version's event types whose data.object
// is a resource there is a template for (index.json's event_types).
func (m *Mixed) readEventTypes(files fs.FS) error {
	raw, err := fs.ReadFile(files, schemas.IndexFile)
	if err != nil {
		return err
	}
	var index struct {
		EventTypes map[string][]string `json:"event_types"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return fmt.Errorf("%s: %w", schemas.IndexFile, err)
	}
	byComponent := map[string][]string{}
	for t, c := range component {
		if t != tplDeletedCustomer { // an event carries the resource itself
			byComponent[c] = append(byComponent[c], t)
		}
	}
	for _, ts := range byComponent {
		slices.Sort(ts)
	}
	for _, name := range sortedKeys(index.EventTypes) {
		var tpls []string
		for _, c := range index.EventTypes[name] {
			tpls = append(tpls, byComponent[c]...)
		}
		if len(tpls) == 0 {
			continue
		}
		m.events = append(m.events, eventType{name: name, templates: tpls})
		for _, t := range tpls {
			m.carried[name+"\x00"+t] = true
		}
	}
	if len(m.events) == 0 {
		return fmt.Errorf("%s lists no event type carrying a resource there is a template for", schemas.IndexFile)
	}
	return nil
}

// EventTypes is the number of event types the mixed lines are drawn from.
func (m *Mixed) EventTypes() int { return len(m.events) }

// mix is the share of each kind of line, in hundredths.
var mix = []struct {
	kind   string
	weight int
}{
	{tplPayment, 10}, {tplCustomer, 9}, {tplDeletedCustomer, 3}, {tplCharge, 9},
	{tplPaymentIntent, 7}, {tplIntentExpanded, 4}, {tplInvoice, 6}, {tplInvoiceExpanded, 4},
	{tplSubscription, 6}, {"list", 8}, {"search_result", 4}, {"event", 30},
}

// Line returns the next line (without its newline) and whether it was
// generated to be valid.
func (m *Mixed) Line() ([]byte, bool) {
	r := m.rng.IntN(100)
	kind := mix[len(mix)-1].kind
	for _, k := range mix {
		if r < k.weight {
			kind = k.kind
			break
		}
		r -= k.weight
	}
	if kind == tplPayment {
		return m.payments.Line()
	}
	ln := m.newLine()
	var doc map[string]any
	switch kind {
	case "list", "search_result":
		doc = m.list(ln, kind)
	case "event":
		doc = m.event(ln, m.events[m.rng.IntN(len(m.events))])
	default:
		doc = m.resource(ln, kind)
	}
	valid := true
	if m.rng.Float64() < MixedInvalidShare {
		m.breakRule(ln, kind, doc)
		valid = false
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // decoded JSON and the values added here always marshal
	}
	return b, valid
}

// line holds what one line's resources share, so that they refer to each
// other consistently: a fresh id for each id of the flow, one amount, one
// shift of time, one currency, one mode.
type line struct {
	ids      map[string]string
	amount   json.Number
	shift    int64
	currency string
	livemode bool
	order    string
	// made: the template each resource of the line came from, by the
	// resource map (for breakRule)
	made []made
}

type made struct {
	tpl string
	doc map[string]any
}

func (m *Mixed) newLine() *line {
	return &line{
		ids:      map[string]string{},
		amount:   json.Number(strconv.Itoa(50 + m.rng.IntN(500_000))),
		shift:    int64(m.rng.IntN(40_000_000)),
		currency: m.currencies[m.rng.IntN(len(m.currencies))],
		livemode: m.rng.IntN(10) != 0,
		order:    strconv.Itoa(1000 + m.rng.IntN(1_000_000)),
	}
}

// resource is a fresh copy of one of the template's recordings.
func (m *Mixed) resource(ln *line, tpl string) map[string]any {
	var doc map[string]any
	if tpl == tplPayment {
		for {
			b, valid := m.payments.Line()
			if !valid {
				continue
			}
			d, err := decode(b)
			if err != nil {
				panic(err) // the generator writes JSON
			}
			doc = d
			break
		}
	} else {
		ts := m.templates[tpl]
		doc = m.fresh(ln, "", ts[m.rng.IntN(len(ts))]).(map[string]any)
	}
	ln.made = append(ln.made, made{tpl, doc})
	return doc
}

// idPrefixes are the prefixes of the ids in the flow cassettes.
var idPrefixes = []string{"cus", "ch", "pi", "in", "il", "sub", "si", "pm", "txn", "evt", "re", "price", "prod", "req"}

// fresh copies v, giving the line's values to what varies between
// payloads: ids, the amount, timestamps, currency, livemode, order ids.
func (m *Mixed) fresh(ln *line, key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) { // in order: fresh ids draw from the generator
			out[k] = m.fresh(ln, k, v[k])
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = m.fresh(ln, key, e)
		}
		return out
	case json.Number:
		if v == m.principal {
			return ln.amount
		}
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n >= 1_700_000_000 && n < 1_800_000_000 {
			return json.Number(strconv.FormatInt(n+ln.shift, 10))
		}
		return v
	case string:
		switch key {
		case "currency":
			return ln.currency
		case "order_id":
			return ln.order
		case "unit_amount_decimal":
			if json.Number(v) == m.principal {
				return string(ln.amount)
			}
		}
		return m.freshID(ln, v)
	case bool:
		if key == "livemode" {
			return ln.livemode
		}
	}
	return v
}

// freshID maps an id of the flow to the line's own for it.
func (m *Mixed) freshID(ln *line, s string) string {
	prefix, rest, ok := strings.Cut(s, "_")
	if !ok || len(rest) < 8 || !slices.Contains(idPrefixes, prefix) {
		return s
	}
	if id, ok := ln.ids[s]; ok {
		return id
	}
	id := m.payments.id(prefix + "_")
	if strings.HasPrefix(rest, "tmp_") {
		id = m.payments.id(prefix + "_tmp_")
	}
	ln.ids[s] = id
	return id
}

// list is a list or search result of one to three resources (or events) of
// one kind.
func (m *Mixed) list(ln *line, envelope string) map[string]any {
	of := []string{tplCustomer, tplCharge, tplPaymentIntent, tplInvoice, tplSubscription, "event"}
	if envelope == "search_result" {
		of = of[:len(of)-1] // events are not searchable
	}
	kind := of[m.rng.IntN(len(of))]
	n := 1 + m.rng.IntN(3)
	data := make([]any, n)
	for i := range data {
		item := m.newLine() // each item is its own object
		item.currency = ln.currency
		if kind == "event" {
			data[i] = m.event(item, m.events[m.rng.IntN(len(m.events))])
		} else {
			data[i] = m.resource(item, kind)
		}
		ln.made = append(ln.made, item.made...)
	}
	url := listURL[component[kind]]
	if kind == "event" {
		url = listURL["event"]
	}
	doc := map[string]any{"data": data, "has_more": m.rng.IntN(3) == 0, "object": envelope, "url": url}
	if envelope == "search_result" {
		doc["url"] = url + "/search"
		doc["total_count"] = n + m.rng.IntN(50)
		doc["next_page"] = nil
		if doc["has_more"] == true {
			doc["next_page"] = m.payments.id("page_")
		}
	}
	return doc
}

// event is an event of type t carrying one of the resources t carries.
func (m *Mixed) event(ln *line, t eventType) map[string]any {
	tpl := t.templates[m.rng.IntN(len(t.templates))]
	obj := m.resource(ln, tpl)
	data := map[string]any{"object": obj}
	if strings.HasSuffix(t.name, ".updated") && m.shapes[component[tpl]].metadata {
		data["previous_attributes"] = map[string]any{"metadata": map[string]any{}}
	}
	created, _ := strconv.ParseInt(fmt.Sprint(obj["created"]), 10, 64)
	req := map[string]any{"id": nil, "idempotency_key": nil}
	if m.rng.IntN(2) == 0 {
		req = map[string]any{"id": m.payments.id("req_"), "idempotency_key": m.payments.id("")}
	}
	return map[string]any{
		"api_version": m.version, "created": created + int64(m.rng.IntN(600)), "data": data,
		"id": m.payments.id("evt_"), "livemode": ln.livemode, "object": "event",
		"pending_webhooks": m.rng.IntN(3), "request": req, "type": t.name,
	}
}

// breakRule makes doc break one documented rule: in one of the resources
// the line holds, a currency that is no ISO code, a required field
// removed, a field of the wrong JSON type or an enum value that does not
// exist; or, in an event, a data.object of another resource than its type
// carries.
func (m *Mixed) breakRule(ln *line, kind string, doc map[string]any) {
	if kind == "event" && m.rng.IntN(5) == 0 {
		t, _ := doc["type"].(string)
		var others []string
		for _, tpl := range sortedKeys(component) {
			if tpl != tplDeletedCustomer && !m.carried[t+"\x00"+tpl] {
				others = append(others, tpl)
			}
		}
		data := doc["data"].(map[string]any)
		data["object"] = m.resource(m.newLine(), others[m.rng.IntN(len(others))])
		delete(data, "previous_attributes")
		return
	}
	target := ln.made[m.rng.IntN(len(ln.made))]
	s := m.shapes[component[target.tpl]]
	obj := target.doc
	first := m.rng.IntN(4)
	for k := range 4 { // each way once, from a random one: the first that applies
		if m.breakOne((first+k)%4, s, obj) {
			return
		}
	}
	panic(fmt.Sprintf("bench: no rule of %s to break in %v", target.tpl, obj)) // every template has a required id
}

// breakOne breaks obj's rule of one way (0 currency, 1 required, 2 JSON
// type, 3 enum) and reports whether obj had a field to break it with.
func (m *Mixed) breakOne(way int, s shape, obj map[string]any) bool {
	var present []string
	switch way {
	case 0:
		if s.currencyEnum && obj["currency"] != nil {
			obj["currency"] = "abc"
			return true
		}
	case 1:
		for _, f := range s.required {
			if _, ok := obj[f]; ok && f != "object" && f != "deleted" {
				present = append(present, f)
			}
		}
		if len(present) > 0 {
			delete(obj, present[m.rng.IntN(len(present))])
			return true
		}
	case 2:
		for _, f := range sortedKeys(s.scalars) {
			if _, ok := obj[f]; ok && f != "object" && f != "deleted" {
				present = append(present, f)
			}
		}
		if len(present) > 0 {
			f := present[m.rng.IntN(len(present))]
			if s.scalars[f] == "string" {
				obj[f] = json.Number(strconv.Itoa(m.rng.IntN(1000)))
			} else {
				obj[f] = fmt.Sprint(obj[f]) // 2000 -> "2000", true -> "true"
			}
			return true
		}
	case 3:
		for _, f := range s.enums {
			if v, ok := obj[f]; ok && v != nil {
				present = append(present, f)
			}
		}
		if len(present) > 0 {
			obj[present[m.rng.IntN(len(present))]] = "no_such_value"
			return true
		}
	}
	return false
}

// WriteMixed writes n mixed lines to w and returns the bytes written.
func WriteMixed(w io.Writer, n int, seed uint64) (int64, error) {
	g, err := NewMixed(seed)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var total int64
	for range n {
		line, _ := g.Line()
		bw.Write(line)
		bw.WriteByte('\n')
		total += int64(len(line)) + 1
	}
	return total, bw.Flush()
}

func decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// MixedLines returns the first n lines of NewMixed(seed), as Lines does
// for invoice_payment lines.
func MixedLines(n int, seed uint64) ([][]byte, error) {
	m, err := NewMixed(seed)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, n)
	for i := range out {
		out[i], _ = m.Line()
	}
	return out, nil
}
