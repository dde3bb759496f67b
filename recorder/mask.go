package recorder

import (
	"slices"
	"strings"
)

// A cassette recorded with WithMaskPII holds Masked where personal data
// was: a whole value (customer_email=[MASKED], a JSON member, a path
// segment) or part of one (a Search API clause, email:'[MASKED]'; an
// email in a description). The matcher reads a recorded Masked as "any
// value": each one stands for any run of characters, except that one
// between quotes (the Search API's '[MASKED]' or "[MASKED]") stands for a
// quoted string's content, so it cannot swallow the quote that ends it and
// the clauses after. Everything around a Masked is compared as written.

// maskMatch reports whether sent is a value that rec, which may hold
// Masked, could have been recorded from.
func maskMatch(rec, sent string) bool {
	if !strings.Contains(rec, Masked) {
		return rec == sent
	}
	parts := strings.Split(rec, Masked)
	if !strings.HasPrefix(sent, parts[0]) {
		return false
	}
	pos := len(parts[0])
	last := len(parts) - 1
	for i := 1; i <= last; i++ {
		lit := parts[i]
		quote := quotedWildcard(parts[i-1], lit)
		var at int
		if i == last {
			at = len(sent) - len(lit)
			if at < pos || sent[at:] != lit {
				return false
			}
		} else if at = indexLiteral(sent, lit, pos, quote); at < 0 {
			return false
		}
		if quote != 0 && hasUnescaped(sent[pos:at], quote) {
			return false
		}
		pos = at + len(lit)
	}
	return true
}

// quotedWildcard is the quote around a Masked that stands between
// before and after ("email:'" and "' AND ..."), or 0.
func quotedWildcard(before, after string) byte {
	if before == "" || after == "" {
		return 0
	}
	q := before[len(before)-1]
	if (q == '\'' || q == '"') && after[0] == q {
		return q
	}
	return 0
}

// indexLiteral finds lit in s from pos; after a quoted wildcard, a quote
// escaped with a backslash is part of the value, not its end.
func indexLiteral(s, lit string, pos int, quote byte) int {
	for pos <= len(s) {
		k := strings.Index(s[pos:], lit)
		if k < 0 {
			return -1
		}
		at := pos + k
		if quote == 0 || !escaped(s, at) {
			return at
		}
		pos = at + 1
	}
	return -1
}

// escaped reports whether s[at] follows an odd run of backslashes.
func escaped(s string, at int) bool {
	n := 0
	for i := at - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func hasUnescaped(s string, quote byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == quote && !escaped(s, i) {
			return true
		}
	}
	return false
}

// pathMatch compares paths segment by segment, a masked segment matching
// any segment (never more than one).
func pathMatch(rec, sent string) bool {
	if rec == sent {
		return true
	}
	if !strings.Contains(rec, Masked) {
		return false
	}
	rs, ss := strings.Split(rec, "/"), strings.Split(sent, "/")
	if len(rs) != len(ss) {
		return false
	}
	for i := range rs {
		if !maskMatch(rs[i], ss[i]) {
			return false
		}
	}
	return true
}

// matchMasked pairs what a multiset comparison left over: each recorded
// pair holding Masked takes a sent pair of the same key that it matches,
// the most specific pattern (the longest literal text) first. It returns
// the pairs still unmatched.
func matchMasked(missing, extra []string) ([]string, []string) {
	var patterns []int
	for i, p := range missing {
		if strings.Contains(p, Masked) {
			patterns = append(patterns, i)
		}
	}
	if len(patterns) == 0 || len(extra) == 0 {
		return missing, extra
	}
	slices.SortStableFunc(patterns, func(a, b int) int {
		return (len(missing[b]) - strings.Count(missing[b], Masked)*len(Masked)) - (len(missing[a]) - strings.Count(missing[a], Masked)*len(Masked))
	})
	usedRec := make([]bool, len(missing))
	usedSent := make([]bool, len(extra))
	for _, i := range patterns {
		key, value, _ := strings.Cut(missing[i], "=")
		for j, s := range extra {
			if usedSent[j] {
				continue
			}
			if sk, sv, _ := strings.Cut(s, "="); sk == key && maskMatch(value, sv) {
				usedRec[i], usedSent[j] = true, true
				break
			}
		}
	}
	var m, e []string
	for i, p := range missing {
		if !usedRec[i] {
			m = append(m, p)
		}
	}
	for j, s := range extra {
		if !usedSent[j] {
			e = append(e, s)
		}
	}
	return m, e
}

// allMasked reports whether every pair holds Masked (and there is one).
func allMasked(pairs []string) bool {
	if len(pairs) == 0 {
		return false
	}
	for _, p := range pairs {
		if !strings.Contains(p, Masked) {
			return false
		}
	}
	return true
}

// jsonMatch compares a recorded JSON value with a sent one, a recorded
// Masked matching any value (pii masks numbers and whole objects under a
// personal key as the string "[MASKED]") and a string holding Masked
// matching as maskMatch says. With lenient, a recorded member whose value
// is exactly Masked may also be absent from the sent value: the reading
// that tells a miss whose only difference is masked parameters not sent.
func jsonMatch(rec, sent any, lenient bool) bool {
	switch r := rec.(type) {
	case string:
		if r == Masked {
			return true
		}
		s, ok := sent.(string)
		return ok && maskMatch(r, s)
	case map[string]any:
		s, ok := sent.(map[string]any)
		if !ok {
			return false
		}
		for k, rv := range r {
			sv, present := s[k]
			if !present {
				if lenient && rv == Masked {
					continue
				}
				return false
			}
			if !jsonMatch(rv, sv, lenient) {
				return false
			}
		}
		for k := range s {
			if _, ok := r[k]; !ok {
				return false
			}
		}
		return true
	case []any:
		s, ok := sent.([]any)
		if !ok || len(s) != len(r) {
			return false
		}
		for i := range r {
			if !jsonMatch(r[i], s[i], lenient) {
				return false
			}
		}
		return true
	default: // json.Number, bool, nil: as written
		return rec == sent
	}
}
