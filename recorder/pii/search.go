package pii

import (
	"strings"
)

// searchClause is a clause of Stripe's search query language
// (https://docs.stripe.com/search#search-query-language): an optional - to
// negate it, a field (email, billing_details.address.postal_code,
// metadata['key'] or metadata["key"]), an operator (: for an exact match,
// ~ for a substring, or a comparison) and a value, quoted with ' or " (a
// backslash escapes a quote inside), or bare (a number, null).
var searchClause = lazyPattern(`(?:[A-Za-z0-9_]+|\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\]|\.)+(?::|~|>=|<=|>|<)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'"()]+)`)

// searchField splits a clause into field, operator and value.
var searchField = lazyPattern(`^((?:[A-Za-z0-9_]+|\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\]|\.)+)(:|~|>=|<=|>|<)(.*)$`)

// MaskSearchQuery masks the personal data of a Search API query (the query
// parameter of GET /v1/customers/search and the other search endpoints).
// The value of each clause whose field is personal, by IsPersonalKey on
// each of its parts (email:'jane@example.com', name~'Jane',
// phone:'+15555550123', billing_details.address.postal_code:'94103',
// metadata['email']:'...'), becomes '[MASKED]', quoted as it was; null stays.
// Then emails and phone numbers anywhere else in the query are replaced as
// MaskText does (metadata['contact']:'jane@example.com'). Fields,
// operators, AND and OR are kept, so the masked query still reads as a
// query.
func MaskSearchQuery(q string) string {
	q = searchClause().ReplaceAllStringFunc(q, func(clause string) string {
		m := searchField().FindStringSubmatch(clause)
		if m == nil || !searchFieldScope(m[1]).personal {
			return clause
		}
		field, op, value := m[1], m[2], m[3]
		quote := "'"
		if value[0] == '\'' || value[0] == '"' {
			quote = value[:1]
			value = value[1 : len(value)-1]
		} else if value == "null" {
			return clause
		}
		if value == "" || value == Masked {
			return clause
		}
		return field + op + quote + Masked + quote
	})
	return MaskText(q)
}

// searchFieldPart is a part of a search field: a name, or a quoted
// metadata key in brackets.
var searchFieldPart = lazyPattern(`[A-Za-z0-9_]+|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]`)

// searchFieldScope is the scope of a search field's value, reading
// billing_details.address.postal_code and metadata['email'] part by part.
func searchFieldScope(field string) scope {
	var s scope
	for _, m := range searchFieldPart().FindAllStringSubmatch(field, -1) {
		part := m[0]
		if strings.HasPrefix(part, "[") {
			part = unquoteSearch(m[1] + m[2])
		}
		s = s.child(part)
	}
	return s
}

// unquoteSearch removes the backslash escapes of a quoted search string.
func unquoteSearch(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
