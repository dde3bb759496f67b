// Package explain reads the error tree of a failed jsonschema/v5 validation
// as the keywords that failed: which keyword of which subschema, on the
// value at which RFC 6901 pointer, under which if/then/else. It is the one
// reading of that tree in this module: package validators turns the
// failures into the contract's violations, package validators/request into
// the request contract's, each naming the rule the schema file gives the
// keyword as a Note says (rules.go: the keyword's x-rules entry, else the
// enclosing x-rule; for a missing member, the condition's rule or the
// member's required rule).
//
//	explain.Walker{}.Walk(ve, nil, func(f explain.Failure) {
//		fmt.Println(f.Instance, f.Keyword) // "/status enum"
//	})
//
// jsonschema/v5 reports a failure at the keyword's location with the value's
// location percent-encoded; a node without a message only groups its causes;
// an if/then/else shows up as a then or else node over its causes. Walk
// undoes all three.
package explain

import (
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Failure is one failing keyword.
type Failure struct {
	// Keyword is the keyword that failed: "enum", "required", "anyOf".
	Keyword string
	// Schema is the absolute location of the subschema that holds Keyword,
	// its fragment an RFC 6901 pointer (jsonschema/v5 percent-encodes it;
	// Walk decodes it): "https://.../invoice_payment.schema.json#/properties/status".
	Schema string
	// Instance is the RFC 6901 pointer of the value that failed Keyword (for
	// unevaluatedProperties, the member's), in the document Walker.At is in.
	Instance string
	// Conditions are the if/then/else the failure happened under, innermost
	// last.
	Conditions []Condition
	// Error is the node of the tree that reported the failure.
	Error *jsonschema.ValidationError
}

// Location is the RFC 6901 pointer of the subschema that holds the
// keyword, within its file: "/properties/status" (Schema's fragment).
func (f Failure) Location() string {
	_, frag, _ := strings.Cut(f.Schema, "#")
	return frag
}

// Condition is an if/then/else a failure happened under: the value at
// Instance was tested by the if of the subschema at Schema.
type Condition struct {
	Schema   string
	Instance string
}

// Follow says which causes of a failure explain it; none reports the
// failure where it stands.
type Follow func(f Failure) []*jsonschema.ValidationError

// Causes is the Follow that reports a failure through its causes, except
// for the keywords that fail as a whole: an anyOf, oneOf or not (which
// branch did the author mean?).
func Causes(f Failure) []*jsonschema.ValidationError {
	switch f.Keyword {
	case "anyOf", "oneOf", "not":
		return nil
	}
	return f.Error.Causes
}

// Walker reads error trees.
type Walker struct {
	// At is the pointer of the validated value in the document the
	// failures are reported in; "" when the value is the document.
	At string
	// Follow says which causes explain a failure; nil is Causes.
	Follow Follow
}

// Walk calls visit for every failing keyword of ve, which happened under
// the conditions conds.
func (w Walker) Walk(ve *jsonschema.ValidationError, conds []Condition, visit func(Failure)) {
	if w.Follow == nil {
		w.Follow = Causes
	}
	w.walk(ve, conds, visit)
}

func (w Walker) walk(ve *jsonschema.ValidationError, conds []Condition, visit func(Failure)) {
	loc := ve.AbsoluteKeywordLocation
	frag := loc[strings.IndexByte(loc, '#')+1:]
	if frag == "" || ve.Message == "" {
		// The root of the tree, or a node that only groups several failures.
		w.causes(ve.Causes, conds, visit)
		return
	}
	cut := strings.LastIndexByte(loc, '/')
	hash := strings.IndexByte(loc, '#')
	rel := Pointer(ve.InstanceLocation)
	f := Failure{
		Keyword: loc[cut+1:], Schema: loc[:hash+1] + Pointer(loc[hash+1:cut]),
		Instance: w.At + rel, Conditions: conds, Error: ve,
	}
	switch {
	case f.Keyword == "then" || f.Keyword == "else":
		w.causes(ve.Causes, append(conds[:len(conds):len(conds)], Condition{Schema: f.Schema, Instance: f.Instance}), visit)
		return
	case pointer.IsIndex(f.Keyword):
		// A member of allOf, anyOf or oneOf: its causes say what failed.
		w.causes(ve.Causes, conds, visit)
		return
	case f.Keyword == "unevaluatedProperties":
		// jsonschema/v5 appends no segment for a member named "" (its
		// location is the object's); the keyword path says how deep the
		// object stands, so a location that deep is the object's.
		if strings.Count(rel, "/") == descents(ve.KeywordLocation) {
			f.Instance += "/"
		}
	}
	if len(ve.Causes) > 0 {
		if next := w.Follow(f); len(next) > 0 {
			w.causes(next, conds, visit)
			return
		}
	}
	visit(f)
}

func (w Walker) causes(causes []*jsonschema.ValidationError, conds []Condition, visit func(Failure)) {
	for _, cause := range causes {
		w.walk(cause, conds, visit)
	}
}

// Pointer converts a jsonschema/v5 instance location, whose segments are
// also percent-encoded, to an RFC 6901 pointer.
func Pointer(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return strings.Join(segs, "/")
}

// descents counts the steps into the instance a dynamic keyword path took
// (properties/NAME and items), not counting its last keyword.
func descents(keywordLocation string) int {
	segs := strings.Split(strings.TrimPrefix(keywordLocation, "/"), "/")
	n := 0
	for i := 0; i < len(segs)-1; i++ {
		switch segs[i] {
		case "properties":
			n++
			i++
		case "items":
			n++
		}
	}
	return n
}
