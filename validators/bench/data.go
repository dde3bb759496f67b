// Package bench generates realistic payloads for benchmarks: NDJSON lines
// as a production API or webhook log holds them, deterministic for a seed,
// so runs compare.
//
// New's lines are invoice_payments with mixed statuses and payment types,
// about 5% carrying an expanded invoice and about 10% breaking a documented
// rule. NewMixed's are of many kinds, made from the whole-API flow
// cassettes: customers (and deleted ones), charges, PaymentIntents (some
// with latest_charge expanded), invoices (some with customer expanded),
// subscriptions, lists and search results of them, events of every type of
// the newest version carrying one of those, and invoice_payment lines;
// about 10% break one documented rule.
package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Shares of the generated lines.
const (
	ExpandedShare = 0.05 // lines whose invoice is an expanded object
	InvalidShare  = 0.10 // lines that break a documented rule
)

// Generator produces lines. It is not safe for concurrent use.
type Generator struct {
	rng *rand.Rand
	n   int
}

// New returns a generator seeded with seed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *Generator) id(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range 24 {
		b.WriteByte(idChars[g.rng.IntN(len(idChars))])
	}
	return b.String()
}

// payment is one invoice_payment as the API renders it; field order as
// Stripe writes it (alphabetical).
type payment struct {
	AmountPaid        any               `json:"amount_paid"`
	AmountRequested   any               `json:"amount_requested"`
	Created           int64             `json:"created"`
	Currency          string            `json:"currency"`
	ID                string            `json:"id,omitempty"`
	Invoice           any               `json:"invoice"`
	IsDefault         bool              `json:"is_default"`
	Livemode          bool              `json:"livemode"`
	Object            string            `json:"object"`
	Payment           map[string]string `json:"payment"`
	Status            string            `json:"status"`
	StatusTransitions map[string]any    `json:"status_transitions"`
}

var currencies = []string{"usd", "usd", "usd", "eur", "gbp", "jpy", "cad", "aud"}

// Line returns the next line (without its newline) and whether it was
// generated to be valid.
func (g *Generator) Line() ([]byte, bool) {
	g.n++
	r := g.rng.Float64()
	status := "paid"
	switch {
	case r < 0.25:
		status = "open"
	case r < 0.40:
		status = "canceled"
	}
	requested := int64(100 + g.rng.IntN(500_000))
	created := int64(1_700_000_000 + g.rng.IntN(60_000_000))
	p := payment{
		AmountRequested: requested, Created: created, Currency: currencies[g.rng.IntN(len(currencies))],
		ID: g.id("inpay_"), IsDefault: g.rng.IntN(4) != 0, Livemode: g.rng.IntN(10) != 0,
		Object: "invoice_payment", Status: status,
		StatusTransitions: map[string]any{"canceled_at": nil, "paid_at": nil},
	}
	invoiceID := g.id("in_")
	p.Invoice = invoiceID
	switch t := g.rng.Float64(); {
	case t < 0.7:
		p.Payment = map[string]string{"payment_intent": g.id("pi_"), "type": "payment_intent"}
	case t < 0.9:
		p.Payment = map[string]string{"charge": g.id("ch_"), "type": "charge"}
	default:
		p.Payment = map[string]string{"payment_record": g.id("pr_"), "type": "payment_record"}
	}
	switch status {
	case "paid":
		p.AmountPaid = requested
		if g.rng.IntN(10) == 0 {
			p.AmountPaid = requested / 2 // partially paid
		}
		p.StatusTransitions["paid_at"] = created + int64(g.rng.IntN(86_400))
	case "canceled":
		p.StatusTransitions["canceled_at"] = created + int64(g.rng.IntN(86_400))
	}
	if g.rng.Float64() < ExpandedShare {
		p.Invoice = g.invoice(invoiceID, p)
	}
	valid := true
	if g.rng.Float64() < InvalidShare {
		g.breakRule(&p)
		valid = false
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // the values above always marshal
	}
	return b, valid
}

// invoice is an expanded invoice of realistic size.
func (g *Generator) invoice(id string, p payment) map[string]any {
	lines := []any{}
	for i := range 1 + g.rng.IntN(3) {
		lines = append(lines, map[string]any{
			"id": g.id("il_"), "object": "line_item", "amount": p.AmountRequested, "currency": p.Currency,
			"description": fmt.Sprintf("1 × Subscription plan %d (at $%d.00 / month)", i+1, 10+g.rng.IntN(90)),
			"period":      map[string]any{"end": p.Created + 2_592_000, "start": p.Created}, "quantity": 1,
			"discountable": true, "discounts": []any{}, "livemode": p.Livemode, "metadata": map[string]any{}, "subtotal": p.AmountRequested,
		})
	}
	paid := p.AmountPaid
	if paid == nil {
		paid = 0 // an invoice's amount_paid is an integer, 0 until paid
	}
	return map[string]any{
		"id": id, "object": "invoice", "account_country": "US", "account_name": "Example Corp",
		"amount_due": p.AmountRequested, "amount_paid": paid, "amount_remaining": 0,
		"attempt_count": 1, "attempted": true, "auto_advance": false, "billing_reason": "subscription_cycle",
		"collection_method": "charge_automatically", "created": p.Created, "currency": p.Currency,
		"customer": g.id("cus_"), "customer_email": "jenny.rosen@example.com", "livemode": p.Livemode,
		"lines":  map[string]any{"object": "list", "data": lines, "has_more": false, "url": "/v1/invoices/" + id + "/lines"},
		"number": fmt.Sprintf("EXMPL-%04d", g.rng.IntN(10_000)), "period_end": p.Created, "period_start": p.Created - 2_592_000,
		"status": "paid", "subtotal": p.AmountRequested, "total": p.AmountRequested,
		"amount_overpaid": 0, "amount_paid_off_stripe": 0, "amount_shipping": 0,
		"automatic_tax":    map[string]any{"disabled_reason": nil, "enabled": false, "liability": nil, "provider": nil, "status": nil},
		"customer_address": map[string]any{"city": "San Francisco", "country": "US", "line1": "510 Townsend St", "line2": nil, "postal_code": "94103", "state": "CA"},
		"customer_name":    "Jenny Rosen", "customer_phone": nil, "customer_tax_exempt": "none", "customer_tax_ids": []any{},
		"default_payment_method": nil, "default_source": nil, "default_tax_rates": []any{}, "description": nil, "discounts": []any{},
		"due_date": nil, "effective_at": p.Created, "ending_balance": 0, "footer": nil, "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1Example/test_" + id,
		"invoice_pdf": "https://pay.stripe.com/invoice/acct_1Example/test_" + id + "/pdf", "issuer": map[string]any{"type": "self"},
		"metadata": map[string]any{"order_id": fmt.Sprint(g.rng.IntN(1_000_000))}, "on_behalf_of": nil,
		"payment_settings":                 map[string]any{"default_mandate": nil, "payment_method_options": nil, "payment_method_types": nil},
		"post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0, "receipt_number": nil, "starting_balance": 0,
		"statement_descriptor": nil, "status_transitions": map[string]any{"finalized_at": p.Created, "marked_uncollectible_at": nil, "paid_at": p.Created + 60, "voided_at": nil},
		"subtotal_excluding_tax": p.AmountRequested, "total_discount_amounts": []any{}, "total_excluding_tax": p.AmountRequested, "total_taxes": []any{},
		"webhooks_delivered_at": p.Created,
	}
}

// breakRule makes the payment break one documented rule.
func (g *Generator) breakRule(p *payment) {
	switch g.rng.IntN(7) {
	case 0:
		if p.Status == "paid" {
			p.AmountPaid = nil
		} else {
			p.AmountPaid = p.AmountRequested
		}
	case 1:
		p.Currency = strings.ToUpper(p.Currency)
	case 2:
		p.ID = ""
	case 3:
		p.Status = "succeeded"
	case 4:
		p.Payment["type"] = map[string]string{"payment_intent": "charge", "charge": "payment_record", "payment_record": "payment_intent"}[p.Payment["type"]]
	case 5:
		p.AmountRequested = fmt.Sprint(p.AmountRequested)
	case 6:
		if p.Status == "paid" {
			p.StatusTransitions["paid_at"] = nil
		} else {
			p.StatusTransitions["paid_at"] = p.Created
		}
	}
}

// Write writes n lines to w and returns the bytes written.
func Write(w io.Writer, n int, seed uint64) (int64, error) {
	g := New(seed)
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

// Lines returns n lines.
func Lines(n int, seed uint64) [][]byte {
	g := New(seed)
	out := make([][]byte, n)
	for i := range out {
		out[i], _ = g.Line()
	}
	return out
}
