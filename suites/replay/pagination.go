package replay

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/stripe-contract/stripe-contract/validators"
)

// page is one list page of a walk: which interaction, the cursor its
// request carried, and a body.
type page struct {
	interaction Interaction
	cursor      string // the value of starting_after or ending_before; "" on the first page
	backwards   bool   // the cursor is ending_before: the walk goes to newer items
	body        []byte // nil when there is no page to check (the target gave none)
}

// walks groups a cassette's list reads into walks: a list request without a
// cursor starts one, and each following request for the same path and
// filters with starting_after (or ending_before) continues it.
func walks(c []Interaction) [][]page {
	var out [][]page
	var current []page
	var filters url.Values
	var path string
	for _, in := range c {
		rec := in.Recorded
		if in.Webhook || rec.Request.Method != "GET" || rec.Response.Code/100 != 2 ||
			gjson.Get(rec.Response.Body, "object").String() != "list" {
			continue
		}
		u, err := url.Parse(rec.Request.URL)
		if err != nil {
			continue
		}
		q := u.Query()
		p := page{interaction: in}
		switch {
		case q.Has("starting_after"):
			p.cursor = q.Get("starting_after")
		case q.Has("ending_before"):
			p.cursor, p.backwards = q.Get("ending_before"), true
		}
		q.Del("starting_after")
		q.Del("ending_before")
		if p.cursor != "" && current != nil && u.Path == path && q.Encode() == filters.Encode() {
			current = append(current, p)
			continue
		}
		if len(current) > 0 {
			out = append(out, current)
		}
		current, path, filters = []page{p}, u.Path, q
	}
	if len(current) > 0 {
		out = append(out, current)
	}
	return out
}

// checkPagination checks the pagination contract on each walk of a
// cassette, over the recorded pages (rules pagination.recorded.*) and over
// the target's answers to the same requests (pagination.*).
func (e *Engine) checkPagination(c []Interaction, answers []*answer) []Deviation {
	var out []Deviation
	for _, w := range walks(c) {
		recorded := make([]page, len(w))
		target := make([]page, len(w))
		for k, p := range w {
			recorded[k] = p
			recorded[k].body = []byte(p.interaction.Recorded.Response.Body)
			target[k] = p
			target[k].body = nil
			if a := answers[p.interaction.Index]; a != nil && a.status/100 == 2 && a.json {
				target[k].body = a.body
			}
			for _, v := range e.v.Validate(recorded[k].body).Violations {
				if v.Severity == validators.Error {
					out = append(out, deviation(p.interaction, finding{"/response/body" + v.Pointer, RuleRecordedPageInvalid,
						"the recorded page breaks the contract: " + v.Message + " [" + v.Rule + "]", validators.Error}))
				}
			}
		}
		for _, f := range checkWalk(recorded, "recorded", walkRules{RuleRecordedCursor, RuleRecordedHasMore, RuleRecordedRepeated, RuleRecordedOrder}) {
			out = append(out, deviation(f.in, f.finding))
		}
		for _, f := range checkWalk(target, "the target's", walkRules{RulePaginationCursor, RulePaginationHasMore, RulePaginationRepeated, RulePaginationOrder}) {
			out = append(out, deviation(f.in, f.finding))
		}
	}
	return out
}

// walkRules are the rule IDs a walk's findings carry: the target's pages
// break the pagination.* rules, the recorded ones pagination.recorded.*.
type walkRules struct{ cursor, hasMore, repeated, order string }

type walkFinding struct {
	in Interaction
	finding
}

// checkWalk checks one walk's pages, stopping at the first page that is
// missing (the target did not answer it with a list). whose says whose pages
// they are, for the messages, and rules the IDs their findings carry.
func checkWalk(pages []page, whose string, rules walkRules) []walkFinding {
	var out []walkFinding
	add := func(in Interaction, ptr, rule, msg string) {
		out = append(out, walkFinding{in, finding{ptr, rule, msg, validators.Error}})
	}
	seen := map[string]string{} // id → where it was first seen
	var lastCreated int64
	var lastCreatedAt string
	haveCreated := false
	for k, p := range pages {
		if p.body == nil {
			break
		}
		in := p.interaction
		items := gjson.GetBytes(p.body, "data").Array()
		if k > 0 {
			prev := pages[k-1]
			prevIDs := gjson.GetBytes(prev.body, "data.#.id").Array()
			param, want, which := "starting_after", "", "last"
			if p.backwards {
				param, which = "ending_before", "first"
			}
			if len(prevIDs) > 0 {
				want = prevIDs[len(prevIDs)-1].String()
				if p.backwards {
					want = prevIDs[0].String()
				}
			}
			if p.cursor != want {
				add(in, "/request/query/"+param, rules.cursor,
					fmt.Sprintf("is %q, but the %s id of %s previous page (interaction %d) is %q", p.cursor, which, whose, prev.interaction.Index, want))
			}
			hasMore := gjson.GetBytes(prev.body, "has_more")
			switch {
			case hasMore.Type == gjson.False && len(items) > 0:
				add(prev.interaction, "/response/body/has_more", rules.hasMore,
					fmt.Sprintf("is false, but %s next page (interaction %d) holds %d more item(s)", whose, in.Index, len(items)))
			case hasMore.Type == gjson.True && len(items) == 0:
				add(prev.interaction, "/response/body/has_more", rules.hasMore,
					fmt.Sprintf("is true, but %s next page (interaction %d) is empty", whose, in.Index))
			}
		}
		if p.backwards {
			// A walk back to newer items: within-page order only.
			haveCreated = false
		}
		for j, item := range items {
			ptr := "/response/body/data/" + strconv.Itoa(j)
			id := item.Get("id").String()
			where := fmt.Sprintf("interaction %d, item %d", in.Index, j)
			if first, dup := seen[id]; dup && id != "" {
				add(in, ptr+"/id", rules.repeated,
					fmt.Sprintf("%q was already listed (%s) in %s walk", id, first, whose))
			} else {
				seen[id] = where
			}
			created := item.Get("created")
			if created.Type != gjson.Number {
				continue
			}
			if haveCreated && created.Int() > lastCreated {
				add(in, ptr+"/created", rules.order,
					fmt.Sprintf("is %d, later than the item before it in %s walk (%s, created %d): lists run from newest to oldest", created.Int(), whose, lastCreatedAt, lastCreated))
			}
			lastCreated, lastCreatedAt, haveCreated = created.Int(), where, true
		}
	}
	return slices.Clip(out)
}
