package main

import (
	"net/url"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// The whole-API flow: a customer signs up, pays 20.00 USD through a
// PaymentIntent (confirmed, its charge succeeds), is invoiced for a
// subscription, and is deleted; the events of that flow are read back.
// Every object is written from the API reference (components.schemas.<name>
// of the pinned spec): each field the spec marks required, with its
// documented type and enum values, and the fields stripe-mock's own fixture
// fills with placeholders ("type": "type", a canceled_at on a PaymentIntent
// that was never canceled) set to what the flow has. stripe-mock replaces
// only top-level fields of a fixture, so each nested object that matters is
// written whole.
//
// stripe-mock answers every call on a resource with its one fixture (ids
// from the path or, for a create, a random one: see request.createdAs), so
// the cassettes show what it returns, not a stateful API: the PaymentIntent
// is already succeeded when created and confirmed, the invoice already paid
// when created and finalized, and a list holds the one fixture. It also
// fills fields the fixtures leave out from its own, among them sublists:
// the charge's refunds list carries stripe-mock's placeholder refund of
// another charge (ch_1PgafuB7WZ01zgkWXYmPNZs8), though the charge is not
// refunded.
//
// Its cassettes are named flow_*, and pass the same verdict check as the
// invoice payment cassettes: every payload keeps the contract.
const (
	flowCustomerID     = "cus_QFlowCustomer001"
	flowIntentID       = "pi_3QFlowPayment00001"
	flowChargeID       = "ch_3QFlowPayment00001"
	flowInvoiceID      = "in_1QFlowInvoice000001"
	flowSubscriptionID = "sub_1QFlowSubscription1"
	flowPriceID        = "price_1QFlowMonthly0001"
	flowProductID      = "prod_QFlowProduct0001"
	flowPaymentMethod  = "pm_1QFlowCardVisa00001"
)

// Times of the flow, after the invoice payment ones: the customer signs
// up, pays a minute later, and the subscription starts the same day.
const (
	flowSignup   = canceled + 3600
	flowPaid     = flowSignup + 60
	flowPeriod   = 30 * 86400
	flowInvoiced = flowSignup + 120
)

// The flow holds no personal data (no email, name, phone or address: the
// recorder's PII masking must leave every bundled cassette unchanged, which
// recorder/pii tests), so its customer is known by description and metadata.

// noAddress is an address nobody gave.
func noAddress() object {
	return object{"city": nil, "country": nil, "line1": nil, "line2": nil, "postal_code": nil, "state": nil}
}

// flowCustomer is the customer object (components.schemas.customer: id,
// object, created, livemode required) of the flow's customer.
func flowCustomer() object {
	return object{
		"id": flowCustomerID, "object": "customer", "created": flowSignup, "livemode": false,
		"address": nil, "balance": 0, "currency": "usd", "default_source": nil, "delinquent": false,
		"description": "Flow customer", "discount": nil, "email": nil, "invoice_prefix": "QFLOW01",
		"invoice_settings": object{"custom_fields": nil, "default_payment_method": flowPaymentMethod, "footer": nil,
			"rendering_options": nil},
		"metadata": object{"signup": "web"}, "name": nil, "next_invoice_sequence": 2,
		"phone": nil, "preferred_locales": []any{"en"}, "shipping": nil, "tax_exempt": "none", "test_clock": nil,
	}
}

// flowDeletedCustomer is what DELETE /v1/customers/{id} returns
// (components.schemas.deleted_customer: deleted is always true).
func flowDeletedCustomer() object {
	return object{"id": flowCustomerID, "object": "customer", "deleted": true}
}

// flowCharge is the succeeded charge of the flow's PaymentIntent
// (components.schemas.charge, fifteen required fields).
func flowCharge() object {
	return object{
		"id": flowChargeID, "object": "charge", "amount": 2000, "amount_captured": 2000, "amount_refunded": 0,
		"balance_transaction":             "txn_3QFlowPayment00001",
		"billing_details":                 object{"address": noAddress(), "email": nil, "name": nil, "phone": nil, "tax_id": nil},
		"calculated_statement_descriptor": "STRIPE-CONTRACT", "captured": true, "created": flowPaid,
		"currency": "usd", "customer": flowCustomerID, "description": "Flow order 1001", "disputed": false,
		"failure_balance_transaction": nil, "failure_code": nil, "failure_message": nil, "fraud_details": object{},
		"livemode": false, "metadata": object{"order_id": "1001"}, "on_behalf_of": nil,
		// charge_outcome: type "authorized", network_status "approved_by_network", as the reference lists them.
		"outcome": object{"advice_code": nil, "network_advice_code": nil, "network_decline_code": nil,
			"network_status": "approved_by_network", "reason": nil, "risk_level": "normal",
			"seller_message": "Payment complete.", "type": "authorized"},
		"paid": true, "payment_intent": flowIntentID, "payment_method": flowPaymentMethod,
		"payment_method_details": object{"type": "card", "card": object{
			"amount_authorized": 2000, "authorization_code": nil, "brand": "visa",
			"checks":  object{"address_line1_check": "pass", "address_postal_code_check": "pass", "cvc_check": "pass"},
			"country": "US", "exp_month": 8, "exp_year": 2030, "fingerprint": "QFlowCardPrint01", "funding": "credit",
			"last4": "4242", "mandate": nil, "network": "visa", "network_transaction_id": nil, "regulated_status": "unregulated",
			"three_d_secure": nil, "wallet": nil,
		}},
		"receipt_email": nil, "receipt_number": nil, "receipt_url": "https://pay.stripe.com/receipts/payment/example-only", "refunded": false,
		"refunds": object{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/charges/" + flowChargeID + "/refunds"},
		"review":  nil, "shipping": nil, "source_transfer": nil, "statement_descriptor": nil,
		"statement_descriptor_suffix": nil, "status": "succeeded", "transfer_data": nil, "transfer_group": nil,
	}
}

// flowIntent is the flow's PaymentIntent once it has succeeded
// (components.schemas.payment_intent).
func flowIntent() object {
	return object{
		"id": flowIntentID, "object": "payment_intent", "amount": 2000, "amount_capturable": 0, "amount_received": 2000,
		"automatic_payment_methods": nil, "canceled_at": nil, "cancellation_reason": nil, "capture_method": "automatic",
		"client_secret": clientSecretOf(flowIntentID), "confirmation_method": "automatic", "created": flowSignup + 30,
		"currency": "usd", "customer": flowCustomerID, "description": "Flow order 1001", "last_payment_error": nil,
		"latest_charge": flowChargeID, "livemode": false, "metadata": object{"order_id": "1001"}, "next_action": nil,
		"on_behalf_of": nil, "payment_method": flowPaymentMethod, "payment_method_configuration_details": nil,
		"payment_method_types": []any{"card"}, "processing": nil, "receipt_email": nil, "review": nil,
		"setup_future_usage": nil, "shipping": nil, "statement_descriptor": nil,
		"statement_descriptor_suffix": nil, "status": "succeeded", "transfer_data": nil, "transfer_group": nil,
	}
}

// flowInvoice is the subscription's first invoice, paid
// (components.schemas.invoice's required fields).
func flowInvoice() object {
	return object{
		"id": flowInvoiceID, "object": "invoice", "account_country": "US", "account_name": nil,
		"amount_due": 2000, "amount_overpaid": 0, "amount_paid": 2000, "amount_paid_off_stripe": 0, "amount_remaining": 0,
		"amount_shipping": 0, "attempt_count": 1, "attempted": true, "auto_advance": false,
		"automatic_tax":  object{"disabled_reason": nil, "enabled": false, "liability": nil, "provider": nil, "status": nil},
		"billing_reason": "subscription_create", "collection_method": "charge_automatically", "created": flowInvoiced,
		"currency": "usd", "customer": flowCustomerID, "customer_email": nil, "customer_name": nil,
		"customer_address": nil, "customer_shipping": nil,
		"default_tax_rates": []any{}, "description": nil, "discounts": []any{}, "due_date": nil,
		"effective_at": flowInvoiced + 60, "ending_balance": 0, "from_invoice": nil,
		"hosted_invoice_url": nil, "invoice_pdf": nil, "issuer": object{"type": "self"}, "last_finalization_error": nil,
		"lines":    object{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/invoices/" + flowInvoiceID + "/lines"},
		"livemode": false, "metadata": object{}, "next_payment_attempt": nil, "number": "QFLOW01-0001",
		// invoice_parent: a subscription's invoice names it in subscription_details.
		"parent":           object{"quote_details": nil, "subscription_details": object{"metadata": object{}, "subscription": flowSubscriptionID}, "type": "subscription_details"},
		"payment_settings": object{"default_mandate": nil, "payment_method_options": nil, "payment_method_types": nil},
		"period_end":       flowInvoiced, "period_start": flowInvoiced, "post_payment_credit_notes_amount": 0,
		"pre_payment_credit_notes_amount": 0, "shipping_cost": nil, "shipping_details": nil, "starting_balance": 0, "status": "paid",
		"status_transitions": object{"finalized_at": flowInvoiced + 60, "marked_uncollectible_at": nil, "paid_at": flowInvoiced + 120, "voided_at": nil},
		"subtotal":           2000, "subtotal_excluding_tax": 2000, "total": 2000, "total_excluding_tax": 2000,
	}
}

// flowSubscription is the customer's monthly subscription
// (components.schemas.subscription, eighteen required fields; its item's
// price written whole, since stripe-mock's own carries a plan whose
// currency is the placeholder "currency").
func flowSubscription() object {
	start := flowInvoiced
	return object{
		"id": flowSubscriptionID, "object": "subscription", "application": nil, "application_fee_percent": nil,
		"automatic_tax":        object{"disabled_reason": nil, "enabled": false, "liability": nil},
		"billing_cycle_anchor": start, "billing_cycle_anchor_config": nil, "billing_mode": object{"type": "classic"},
		"billing_schedules": []any{}, "billing_thresholds": nil, "cancel_at": nil, "cancel_at_period_end": false, "canceled_at": nil,
		"cancellation_details": object{"comment": nil, "feedback": nil, "reason": nil},
		"collection_method":    "charge_automatically", "created": start, "currency": "usd", "customer": flowCustomerID,
		"days_until_due": nil, "default_payment_method": flowPaymentMethod, "default_source": nil, "default_tax_rates": []any{},
		"description": nil, "discounts": []any{}, "ended_at": nil,
		"invoice_settings": object{"account_tax_ids": nil, "issuer": object{"type": "self"}},
		"items": object{"object": "list", "has_more": false, "url": "/v1/subscription_items?subscription=" + flowSubscriptionID,
			"data": []any{object{
				"id": "si_QFlowItem0000001", "object": "subscription_item", "created": start,
				"current_period_start": start, "current_period_end": start + flowPeriod, "discounts": []any{},
				"metadata": object{}, "quantity": 1, "subscription": flowSubscriptionID, "tax_rates": []any{},
				"price": object{
					"id": flowPriceID, "object": "price", "active": true, "billing_scheme": "per_unit", "created": created,
					"currency": "usd", "livemode": false, "lookup_key": nil, "metadata": object{}, "nickname": nil,
					"product": flowProductID, "recurring": object{"interval": "month", "interval_count": 1, "meter": nil, "usage_type": "licensed"},
					"tax_behavior": "unspecified", "tiers_mode": nil, "transform_quantity": nil, "type": "recurring",
					"unit_amount": 2000, "unit_amount_decimal": "2000",
				},
			}}},
		"latest_invoice": flowInvoiceID, "livemode": false, "metadata": object{}, "next_pending_invoice_item_invoice": nil,
		"on_behalf_of": nil, "pause_collection": nil,
		"payment_settings":              object{"payment_method_options": nil, "payment_method_types": nil, "save_default_payment_method": "off"},
		"pending_invoice_item_interval": nil, "pending_setup_intent": nil,
		"pending_update": nil, "schedule": nil, "start_date": start, "status": "active", "test_clock": nil,
		"transfer_data": nil, "trial_end": nil, "trial_settings": nil, "trial_start": nil,
	}
}

// flowEvent is an event of the flow (components.schemas.event): data.object
// is the resource its type carries.
func flowEvent(id, typ string, at int, obj object) object {
	return object{
		"id": id, "object": "event", "api_version": apiVersion, "created": at,
		"data": object{"object": obj}, "livemode": false, "pending_webhooks": 1,
		"request": object{"id": nil, "idempotency_key": nil}, "type": typ,
	}
}

// The flow's events, one per type.
var (
	customerCreated = func() object {
		return flowEvent("evt_1QFlowCustomerCreated", "customer.created", flowSignup, flowCustomer())
	}
	chargeSucceeded = func() object {
		return flowEvent("evt_3QFlowChargeSucceeded", "charge.succeeded", flowPaid, flowCharge())
	}
	intentSucceeded = func() object {
		return flowEvent("evt_3QFlowIntentSucceeded", "payment_intent.succeeded", flowPaid+1, flowIntent())
	}
	invoicePaid = func() object {
		return flowEvent("evt_1QFlowInvoicePaid0001", "invoice.paid", flowInvoiced+120, flowInvoice())
	}
)

// flowResources are the flow's objects, by stripe-mock resource name, with
// event laid over stripe-mock's event fixture.
func flowResources(event object) map[string]object {
	return map[string]object{
		"customer": flowCustomer(), "deleted_customer": flowDeletedCustomer(), "charge": flowCharge(),
		"payment_intent": flowIntent(), "invoice": flowInvoice(), "subscription": flowSubscription(), "event": event,
	}
}

// post is a POST of a form, as Stripe's libraries send it.
func post(target string, form url.Values) request {
	return request{method: "POST", target: target, form: form}
}

// create is a POST that creates the object whose id is id.
func create(target string, form url.Values, id string) request {
	r := post(target, form)
	r.createdAs = id
	return r
}

func flowSets() []fixtureSet {
	customer := "/v1/customers/" + flowCustomerID
	intent := "/v1/payment_intents/" + flowIntentID
	invoice := "/v1/invoices/" + flowInvoiceID
	sets := []fixtureSet{{
		name: "whole-API flow", defined: "flow.go",
		resources: flowResources(customerCreated()),
		scenarios: []scenario{
			{"stripe-mock/flow_customer_create.yaml", "a customer created with form parameters (POST /v1/customers)",
				[]request{create("/v1/customers", url.Values{"description": {"Flow customer"}, "metadata[signup]": {"web"}, "preferred_locales[0]": {"en"}}, flowCustomerID)}},
			{"stripe-mock/flow_customer_retrieve.yaml", "the customer, retrieved",
				[]request{get(customer)}},
			{"stripe-mock/flow_customer_update.yaml", "the customer updated (POST /v1/customers/{id})",
				[]request{post(customer, url.Values{"description": {"Flow customer, monthly plan"}})}},
			{"stripe-mock/flow_customer_list.yaml", "customers listed with limit=3",
				[]request{get("/v1/customers?limit=3")}},
			{"stripe-mock/flow_customer_search.yaml", "customers searched by metadata (a search_result)",
				[]request{get("/v1/customers/search?query=" + url.QueryEscape("metadata['signup']:'web'"))}},
			{"stripe-mock/flow_payment_intent_create.yaml", "a PaymentIntent created for the customer (amount, currency, customer)",
				[]request{create("/v1/payment_intents", url.Values{"amount": {"2000"}, "currency": {"usd"}, "customer": {flowCustomerID}, "description": {"Flow order 1001"}, "metadata[order_id]": {"1001"}}, flowIntentID)}},
			{"stripe-mock/flow_payment_intent_confirm.yaml", "the PaymentIntent confirmed with a card",
				[]request{post(intent+"/confirm", url.Values{"payment_method": {flowPaymentMethod}})}},
			{"stripe-mock/flow_payment_intent_expand_latest_charge.yaml", "the PaymentIntent retrieved with expand[]=latest_charge (an expanded charge)",
				[]request{get(intent + "?expand[]=latest_charge")}},
			{"stripe-mock/flow_charge_retrieve.yaml", "the PaymentIntent's charge, retrieved",
				[]request{get("/v1/charges/" + flowChargeID)}},
			{"stripe-mock/flow_charge_list.yaml", "the customer's charges, listed",
				[]request{get("/v1/charges?customer=" + flowCustomerID + "&limit=3")}},
			{"stripe-mock/flow_invoice_create.yaml", "an invoice created for the customer (POST /v1/invoices)",
				[]request{create("/v1/invoices", url.Values{"customer": {flowCustomerID}, "collection_method": {"charge_automatically"}, "subscription": {flowSubscriptionID}}, flowInvoiceID)}},
			{"stripe-mock/flow_invoice_finalize.yaml", "the invoice finalized",
				[]request{post(invoice+"/finalize", url.Values{"auto_advance": {"false"}})}},
			{"stripe-mock/flow_invoice_expand_customer.yaml", "the invoice retrieved with expand[]=customer",
				[]request{get(invoice + "?expand[]=customer")}},
			{"stripe-mock/flow_subscription_retrieve.yaml", "the customer's subscription, retrieved",
				[]request{get("/v1/subscriptions/" + flowSubscriptionID)}},
			{"stripe-mock/flow_customer_delete.yaml", "the customer deleted (a deleted customer, deleted: true)",
				[]request{{method: "DELETE", target: customer}}},
			{"stripe-mock/flow_event_list.yaml", "events listed with limit=3",
				[]request{get("/v1/events?limit=3")}},
			{"stripe-mock/flow_event_customer_created.yaml", "the customer.created event (data.object a customer), retrieved",
				[]request{get("/v1/events/evt_1QFlowCustomerCreated")}},
		},
	}}
	// stripe-mock has one event fixture: each further event type is a run of
	// its own, with that event laid over it.
	for _, e := range []struct {
		event object
		shows string
	}{
		{chargeSucceeded(), "the charge.succeeded event (data.object a charge), retrieved"},
		{intentSucceeded(), "the payment_intent.succeeded event (data.object a PaymentIntent), retrieved"},
		{invoicePaid(), "the invoice.paid event (data.object an invoice), retrieved"},
	} {
		typ := e.event["type"].(string)
		sets = append(sets, fixtureSet{
			name: "whole-API flow, " + typ, defined: "flow.go",
			resources: flowResources(e.event),
			scenarios: []scenario{{"stripe-mock/flow_event_" + underscore(typ) + ".yaml", e.shows,
				[]request{get("/v1/events/" + e.event["id"].(string))}}},
		})
	}
	return sets
}

// flowReference names the parts of the API reference the flow's
// deliveries were written from.
const flowReference = "customer, charge, event objects, webhook signatures"

// flowDeliveries are webhook deliveries of the flow's events.
func flowDeliveries() []docCassette {
	return []docCassette{
		{"docs/flow_webhook_customer_created.yaml", "the customer.created event as a webhook delivery, with its Stripe-Signature",
			[]*cassette.Interaction{webhookDelivery(customerCreated())}, flowReference},
		{"docs/flow_webhook_charge_succeeded.yaml", "the charge.succeeded event as a webhook delivery, with its Stripe-Signature",
			[]*cassette.Interaction{webhookDelivery(chargeSucceeded())}, flowReference},
	}
}

// underscore spells an event type as a file name: charge.succeeded is
// charge_succeeded.
func underscore(typ string) string {
	b := []byte(typ)
	for i, c := range b {
		if c == '.' {
			b[i] = '_'
		}
	}
	return string(b)
}
