package pii

import (
	"iter"
	"strings"
	"unicode"
)

// class is what a field name says about its value.
type class int

const (
	neutral  class = iota // says nothing: keep the value unless a parent is personal
	personal              // names personal data: mask the value and everything under it
	about                 // describes personal data without holding it: keep even under a personal parent
	settings              // holds settings named after personal fields: its children are not personal
	taxIDs                // holds tax IDs: the value of each is personal
)

// personalTokens are the words that make a field personal wherever they
// stand in its name: email, receipt_email, customer_email_address,
// phone_number, customer_phone_number, verified_phone, first_name,
// last_name_kana, full_name_aliases, billing_address, address_line1,
// ip_address, postal_code, from_postal_code, ssn_last_4; and, for the
// metadata keys users choose, e-mail, telephone, firstname, street, zipcode,
// birthday. Not mobile (Stripe's mobile_payment_element is a setting) nor
// zip (Zip is a payment method).
var personalTokens = map[string]bool{
	"email": true, "emails": true, "mail": true,
	"phone": true, "phones": true, "telephone": true, "tel": true, "fax": true,
	"name": true, "names": true, "surname": true, "firstname": true, "lastname": true, "fullname": true,
	"address": true, "addresses": true, "street": true,
	"postal": true, "postcode": true, "zipcode": true,
	"dob": true, "birthdate": true, "birthday": true, "ssn": true,
	"line1": true, "line2": true,
}

// personalNames are the personal fields whose names hold none of
// personalTokens. Stripe's address is {city, country, line1, line2,
// postal_code, state}: line1, line2 and postal_code are personal wherever
// they stand (they are never anything but part of an address), while city,
// state, town and country are personal only inside an address, where the
// parent masks them: alone they name a merchant's city, a tax jurisdiction,
// a card's issuing country, none of which points at a person.
var personalNames = map[string]bool{
	// Stripe's shipping is {address, carrier, name, phone, tracking_number};
	// billing_details is {address, email, name, phone, tax_id}.
	"shipping": true, "shipping_details": true, "customer_shipping": true,
	"billing_details": true,
	// A person's or sole trader's identifiers (billing_details.tax_id,
	// Account.individual, Person).
	"tax_id": true, "id_number": true, "id_number_secondary": true, "personal_id_number": true,
	"nationality": true, "place_of_birth": true, "unparsed_place_of_birth": true,
	"billing_zip": true, "zip_code": true, "ip": true,
}

// taxIDNames hold tax IDs, each {type, value} (Customer.tax_ids is a list
// of tax_id objects, {data: [{id, created, type, value, ...}]}): only their
// values are personal, and only value is masked.
var taxIDNames = map[string]bool{"tax_ids": true, "customer_tax_ids": true, "tax_id_data": true}

// thingNames are the fields of the spec whose names hold a personal word
// but which name a thing, not a person: a bank, a product, a billing
// meter's event, an Apple Pay domain, a tax rate or shipping rate's display
// name, a payment option; and the financial addresses of bank transfers,
// which are account numbers to pay into.
var thingNames = map[string]bool{
	"financial_addresses": true,
	"bank_name":           true, "branch_name": true, "institution_name": true,
	"product_name": true, "event_name": true, "domain_name": true,
	"dedicated_file_name": true, "token_requestor_name": true,
	"application_preferred_name": true, "display_name": true,
	"display_name_kana": true, "display_name_kanji": true,
	"pay_later_name": true, "pay_now_name": true, "pay_over_time_name": true,
}

// aboutTokens end the names of fields that describe personal data without
// holding it, and are kept even inside a personal field: email_sent_at and
// shipping.eta (timestamps), amount_details.shipping.amount (an amount),
// address_line1_check (a check result), verification_report.email.error
// (why a check failed), billing_address_collection and
// phone_number_collection (settings), email_type, address_source,
// address_validation, ssn_last_4_provided, company_tax_id_verification.
var aboutTokens = map[string]bool{
	"at": true, "eta": true, "amount": true, "error": true,
	"check": true, "collection": true, "type": true, "types": true,
	"source": true, "validation": true, "provided": true, "verification": true,
	"status": true, "enabled": true,
}

// settingsNames hold settings or descriptions whose names are personal
// fields with values that are not: Checkout's customer_update {address,
// name, shipping: "auto" or "never"}, Identity's options.matching {dob,
// name: "none" or "similar"}, Checkout's custom_text {shipping_address:
// {message}}, and a forwarded request's headers [{name, value}].
var settingsNames = map[string]bool{"customer_update": true, "matching": true, "custom_text": true, "headers": true}

// classify says what the field name k says about its value.
func classify(k string) class {
	last, anyPersonal := "", false
	for w := range words(k) {
		last = w
		anyPersonal = anyPersonal || personalTokens[w]
	}
	k = strings.ToLower(k)
	switch {
	case last == "":
		return neutral
	case settingsNames[k]:
		return settings
	case personalNames[k]:
		return personal
	case taxIDNames[k]:
		return taxIDs
	case aboutTokens[last]:
		return about
	case thingNames[k]:
		return neutral
	case anyPersonal:
		return personal
	}
	return neutral
}

// words yields the lower-case words of a field name: Stripe's are
// separated by underscores (customer_phone_number); metadata keys, which
// users choose, may also be customerEmail, Customer Name or e-mail.
func words(k string) iter.Seq[string] {
	return func(yield func(string) bool) {
		start := 0
		prevLower := false
		for i, r := range k {
			switch {
			case r == '_' || r == '-' || r == '.' || r == ' ':
				if i > start && !yield(strings.ToLower(k[start:i])) {
					return
				}
				start = i + 1
				prevLower = false
				continue
			case unicode.IsUpper(r) && prevLower:
				if !yield(strings.ToLower(k[start:i])) {
					return
				}
				start = i
			}
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
		if start < len(k) {
			yield(strings.ToLower(k[start:]))
		}
	}
}

// IsPersonalKey reports whether the value of a field named name is personal
// data, which --mask-pii masks whatever it holds.
//
// A name is personal when one of its words (split at underscores, dashes,
// dots, spaces and camelCase) is email, phone, name, surname, address,
// postal, postcode, dob, ssn, line1 or line2, or a plural or a metadata
// spelling of one (mail, telephone, firstname, street, zipcode,
// birthday), so that every prefixed and suffixed form counts:
// customer_email, receipt_email, email_address, phone_number,
// customer_phone_number, first_name_kana, full_name_aliases,
// billing_address, ip_address, address_line1, postal_code, ssn_last_4,
// customerEmail. A few personal fields hold none of these words and are
// listed: shipping, shipping_details, customer_shipping, billing_details,
// tax_id, id_number, personal_id_number, nationality, place_of_birth,
// billing_zip, zip_code, ip. Tax ID lists (tax_ids, customer_tax_ids,
// tax_id_data) are not personal as a whole: only the value of each tax ID
// in them is masked, and its type, ID and timestamps are kept.
//
// It is not personal when its last word says it describes the data rather
// than holds it (email_sent_at, shipping.eta, address_line1_check,
// billing_address_collection, email_type, ssn_last_4_provided: the words
// at, eta, amount, error, check, collection, type, types, source,
// validation, provided, verification, status, enabled), or when it names a
// thing rather than a person (bank_name, product_name, event_name,
// display_name, financial_addresses, ...). Such a field is kept even inside
// a personal one, and so are the fields of settings named after personal
// ones (customer_update[address]=auto, options.matching.dob).
//
// country, city, state and town are not personal by themselves (they also
// name a merchant's city or a tax jurisdiction); inside an address they are
// masked with it. The name field of products and prices is masked with the
// rest: a field called name cannot say whose it is.
func IsPersonalKey(name string) bool { return classify(name) == personal }

// scope follows the fields from the root of a document to a value: whether
// it is personal, and whether its parent holds settings.
type scope struct {
	personal bool
	settings bool
	taxIDs   bool // in a list of tax IDs: value is personal
}

// child is the scope of the field named k inside s.
func (s scope) child(k string) scope {
	if s.taxIDs {
		switch k {
		case "value":
			return scope{personal: true}
		case "data":
			return s
		}
	}
	switch classify(k) {
	case personal:
		return scope{personal: !s.settings}
	case about:
		return scope{}
	case settings:
		return scope{settings: true}
	case taxIDs:
		return scope{taxIDs: true, personal: s.personal}
	}
	return scope{personal: s.personal}
}

// formKeyScope is the scope of a form key's value, reading each bracket
// segment as a field: shipping[address][line1], metadata[email],
// customer_details[tax_ids][0][value]. Empty and numeric segments ([] and
// [0]) are array positions and keep the scope.
func formKeyScope(key string) scope {
	var s scope
	for seg := range strings.FieldsFuncSeq(key, func(r rune) bool { return r == '[' || r == ']' }) {
		if isIndex(seg) {
			continue
		}
		s = s.child(seg)
	}
	return s
}

// isIndex reports whether seg is an array position.
func isIndex(seg string) bool {
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}
