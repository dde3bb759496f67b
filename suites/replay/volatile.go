package replay

// volatileFields are the fields whose values differ by nature between two
// systems answering the same request: each mints its own IDs, creates and
// pays its objects at its own time, and words its own error messages. It is
// the one place where the structural comparison looks away; nothing else in
// the engine does. Only the value is exempt: the field must still be
// present, of the recorded JSON type, and null exactly when the recorded one
// is (a paid_at set where the recording has null is a real difference),
// unless anyNullness says that too varies.
//
// A field matches by its name, anywhere in a body; parent, when set,
// narrows it to fields of an object held under that name (error.message,
// request.idempotency_key).
var volatileFields = []volatileField{
	// IDs and references to other objects by ID.
	{name: "id", why: "IDs are minted by each system and account"},
	{name: "invoice", why: "the ID of the payment's invoice (an expanded invoice is compared field by field)"},
	{name: "charge", why: "the ID of a Charge"},
	{name: "payment_intent", why: "the ID of a PaymentIntent"},
	{name: "payment_record", why: "the ID of a PaymentRecord"},
	{name: "latest_charge", why: "the ID of a Charge"},
	{name: "customer", why: "the ID of a Customer"},
	{name: "subscription", why: "the ID of a Subscription"},
	{name: "payment_method", why: "the ID of a PaymentMethod"},
	{name: "default_payment_method", why: "the ID of a PaymentMethod"},
	{name: "client_secret", why: "a PaymentIntent's client secret embeds its ID"},
	{name: "idempotency_key", parent: "request", anyNullness: true, why: "an event's request: set only when an API request with a key caused it"},

	// Timestamps.
	{name: "created", why: "when each system created its object"},
	{name: "paid_at", why: "when the payment succeeded on that system"},
	{name: "canceled_at", why: "when the payment was canceled on that system"},
	{name: "period_start", why: "an invoice's period, set when it was created"},
	{name: "period_end", why: "an invoice's period, set when it was created"},
	{name: "finalized_at", why: "when an invoice was finalized"},
	{name: "effective_at", why: "when an invoice took effect"},
	{name: "webhooks_delivered_at", why: "when an invoice's webhooks were delivered"},

	// URLs.
	{name: "url", why: "a list's URL names the system's own route (/v1/invoice_payments, /v1/invoices/in_.../payments)"},
	{name: "hosted_invoice_url", why: "an invoice's page on that system"},
	{name: "invoice_pdf", why: "an invoice's PDF on that system"},
	{name: "request_log_url", why: "an error's log page on that system"},

	// Per account or per system.
	{name: "pending_webhooks", why: "how many endpoints the account has, which the event has yet to reach"},
	{name: "message", parent: "error", why: "each system words its errors its own way (the type, code and param are compared)"},
}

// volatileField is one entry of volatileFields.
type volatileField struct {
	name, parent string
	anyNullness  bool
	why          string
}

// volatile returns the volatileFields entry for a field called name in an
// object held under parent ("" at the top level or in an array), if any.
func volatile(parent, name string) (volatileField, bool) {
	for _, f := range volatileFields {
		if f.name == name && (f.parent == "" || f.parent == parent) {
			return f, true
		}
	}
	return volatileField{}, false
}

// VolatileFields lists the fields whose values the structural comparison
// does not compare, each with why: for documentation and reports.
func VolatileFields() []VolatileField {
	out := make([]VolatileField, len(volatileFields))
	for i, f := range volatileFields {
		name := f.name
		if f.parent != "" {
			name = f.parent + "." + f.name
		}
		out[i] = VolatileField{Name: name, AnyNullness: f.anyNullness, Why: f.why}
	}
	return out
}

// VolatileField is a field whose value differs by nature between systems.
type VolatileField struct {
	Name        string // the field's name, or parent.name
	AnyNullness bool   // whether its nullness may differ too
	Why         string
}
