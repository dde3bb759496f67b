package recorder

import (
	"strings"
)

// nearCap bounds the recordings a miss compares the request with: the
// nearest is searched among those of the same method and path, else the
// same method and path template (/v1/invoice_payments/{id}), else the same
// method, else any, the first nearCap of each in file order. A recording
// of another method or resource is always farther (see score), so the
// bound only ever costs the nearest among many of one kind.
const nearCap = 256

// index finds a Server's interactions by method and path, so that a
// request is compared with the few recordings of its resource and not with
// every one. It is built once and never changes: lookups take no lock.
type index struct {
	exact    map[string][]int // "GET /v1/invoice_payments/inpay_1": entries, in order
	masked   map[string][]int // method: entries whose recorded path holds Masked
	template map[string][]int // "GET /v1/invoice_payments/{id}"
	byMethod map[string][]int
	all      []int
}

func newIndex() *index {
	return &index{exact: map[string][]int{}, masked: map[string][]int{}, template: map[string][]int{}, byMethod: map[string][]int{}}
}

// add files entry k, whose recorded request has shape s.
func (ix *index) add(k int, s shape) {
	if strings.Contains(s.path, Masked) {
		ix.masked[s.method] = append(ix.masked[s.method], k)
	} else {
		key := s.method + " " + s.path
		ix.exact[key] = append(ix.exact[key], k)
	}
	t := s.method + " " + pathTemplate(s.path)
	ix.template[t] = append(ix.template[t], k)
	ix.byMethod[s.method] = append(ix.byMethod[s.method], k)
	ix.all = append(ix.all, k)
}

// samePath lists, in order, the entries whose method and path the sent
// request has: the only ones it can match.
func (ix *index) samePath(sent shape, entries []serverEntry) []int {
	exact := ix.exact[sent.method+" "+sent.path]
	masked := ix.masked[sent.method]
	if len(masked) == 0 {
		return exact
	}
	var out []int
	i := 0
	for _, k := range masked {
		if !pathMatch(entries[k].shape.path, sent.path) {
			continue
		}
		for i < len(exact) && exact[i] < k {
			out = append(out, exact[i])
			i++
		}
		out = append(out, k)
	}
	return append(out, exact[i:]...)
}

// near lists the entries a miss looks for the nearest recording among
// (see nearCap).
func (ix *index) near(sent shape, entries []serverEntry) []int {
	for _, level := range [][]int{
		ix.samePath(sent, entries),
		ix.template[sent.method+" "+pathTemplate(sent.path)],
		ix.byMethod[sent.method],
		ix.all,
	} {
		if len(level) > 0 {
			return level[:min(len(level), nearCap)]
		}
	}
	return nil
}

// pathTemplate is a path with its object IDs (and masked segments) as
// {id}: a segment holding a digit, an upper-case letter, an @ or Masked is
// taken for one, since Stripe's resource names are lower-case words and
// underscores (invoice_payments) and its IDs are not (inpay_1Q...).
func pathTemplate(path string) string {
	if !strings.ContainsAny(path, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ@[") {
		return path
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if strings.ContainsAny(seg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ@") || strings.Contains(seg, Masked) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}
