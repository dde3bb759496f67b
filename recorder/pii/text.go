package pii

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Masked replaces personal data. A replay server matches a recorded Masked
// against any value of the same parameter, so it is always exactly this
// string, and it holds nothing MaskText would mask again.
const Masked = "[MASKED]"

// emailPattern is an email address, its @ written as is or percent-encoded
// (%40, as in a URL's path or query). The local part is the dot-atom most
// addresses use (letters, digits and . _ % + - '), starting with a letter, a
// digit, _ or %, so that a quote or + before it stays
// (email:'jane@example.com' in a search query) and an escape before it is
// taken whole rather than cut (/%27jane%40example.com); the domain is two
// or more labels, the last starting with a letter, so that "v1.2@3.4" is
// not an address. Letters and digits are Unicode's: jané@exämple.com is one
// too.
var emailPattern = lazyPattern(`[\pL\pN_%][\pL\pN._%+'\-]*(?:@|%40)(?:[\pL\pN](?:[\pL\pN\-]*[\pL\pN])?\.)+\pL(?:[\pL\pN\-]*[\pL\pN])?`)

// MaskText replaces every email address and phone number in free text (a
// description, a metadata value, a path segment, a search query) by Masked
// and keeps every other byte.
//
// A phone number is one of:
//   - E.164, + and 8 to 15 digits, written together or in groups
//     separated by one space, dot or dash, with parentheses around a group
//     allowed: +15555550123, +1 (555) 555-0123, +44 20 7946 0958, +49 (0)30 1234567;
//   - the same after the international prefix 00: 0044 20 7946 0958;
//   - a North American number in groups of 3, 3 and 4 digits, the area
//     code and exchange starting with 2-9, the last group separated:
//     (555) 555-0123, 555-555-0123, 555.555.0123, 1-555-555-0123;
//   - a national number with a trunk 0 in two or more groups of at least 2
//     digits, 10 or 11 digits in all: 020 7946 0958, 06 12 34 56 78,
//     030 1234567.
//
// A number must stand alone: not inside a word or an ID (in_1Q5555550123),
// not followed by a letter or digit, and not a longer dotted or dashed run.
// So a digit run without + or separators is never a phone number: Unix
// timestamps (1760003700), amounts (2000, "1234.5678"), dates (2026-08-26,
// 01.02.2026) and Stripe IDs are kept. Under a personal key a value is
// masked whatever it looks like (MaskJSON, MaskForm); MaskText is for text
// whose key does not say.
func MaskText(s string) string {
	if strings.Contains(s, "@") || strings.Contains(s, "%40") {
		s = emailPattern().ReplaceAllLiteralString(s, Masked)
	}
	return maskPhones(s)
}

// maskPhones replaces the phone numbers of s by Masked.
func maskPhones(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	var out strings.Builder
	last := 0 // s[:last] is written to out
	for i := 0; i < len(s); {
		c := s[i]
		if (c == '+' || c == '(' || isDigit(c)) && standsAlone(s, i, last) {
			if n := phoneAt(s[i:]); n > 0 {
				out.WriteString(s[last:i])
				out.WriteString(Masked)
				i += n
				last = i
				continue
			}
		}
		i++
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// standsAlone reports whether a number may start at s[i]: at the start,
// just after a replacement (which ends in ']'), or after a byte that is
// neither part of a word nor of a number, and not after a space that
// follows a digit (the IBAN DE89 3704 0044 0532 0130 00 holds no phone
// number). last is where the previous replacement ended, so that masking
// twice finds what masking once found.
func standsAlone(s string, i, last int) bool {
	if i == 0 || i == last && last > 0 {
		return true
	}
	r, size := utf8.DecodeLastRuneInString(s[:i])
	if isWordRune(r) || strings.ContainsRune("+.-", r) {
		return false
	}
	if before := i - size; r == ' ' && before > 0 && !(before == last && last > 0) {
		return !isDigit(s[before-1])
	}
	return true
}

// isWordRune reports whether r is part of a word or an ID.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// group is one run of digits of a phone number candidate.
type group struct {
	digits string
	paren  bool // written in parentheses
	sep    byte // separator before it: 0, ' ', '.' or '-'
}

// maxDigits is the most digits a phone number has: E.164's 15 after the
// international prefix 00.
const maxDigits = 17

// phoneAt returns the length of the phone number at the start of s, or 0.
// It reads digit groups as far as they go (up to maxDigits digits) and
// takes the longest run of them that is a phone number and ends alone, so
// that "+15555550123 1760003700" masks the number and keeps the timestamp.
func phoneAt(s string) int {
	plus := s[0] == '+'
	i := 0
	if plus {
		i = 1
	}
	var groups []group
	var ends []int
	digits := 0
	for {
		var g group
		if len(groups) > 0 && i < len(s) && (s[i] == ' ' || s[i] == '.' || s[i] == '-') {
			g.sep = s[i]
			i++
		}
		if i < len(s) && s[i] == '(' {
			g.paren = true
			i++
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i || (g.paren && (j >= len(s) || s[j] != ')')) {
			break
		}
		if digits += j - i; digits > maxDigits {
			break
		}
		g.digits = s[i:j]
		i = j
		if g.paren {
			i++ // ')'
		}
		groups = append(groups, g)
		ends = append(ends, i)
	}
	for k := len(groups); k > 0; k-- {
		if endsAlone(s, ends[k-1]) && isPhone(plus, groups[:k]) {
			return ends[k-1]
		}
	}
	return 0
}

// endsAlone reports whether a number ending at s[i] is not followed by a
// letter, a digit or a further dotted, dashed, slashed or coloned part (a
// decimal, a version, a date, a time). A comma may follow: a CSV row
// (jane,+15555550123,2000) holds a phone number.
func endsAlone(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if isWordRune(r) {
		return false
	}
	if (r == '.' || r == '-' || r == '/' || r == ':') && i+1 < len(s) && isDigit(s[i+1]) {
		return false
	}
	return true
}

// isPhone reports whether the digit groups of a candidate make a phone
// number in one of the forms MaskText lists.
func isPhone(plus bool, groups []group) bool {
	digits := 0
	for _, g := range groups {
		digits += len(g.digits)
	}
	first := groups[0].digits
	switch {
	case plus:
		return !groups[0].paren && first[0] != '0' && digits >= 8 && digits <= 15
	case len(groups) < 2:
		return false
	case strings.HasPrefix(first, "00") && !groups[0].paren:
		// 00 is the international prefix: what follows is E.164.
		country := first[2:]
		if country == "" {
			country = groups[1].digits
		}
		return country[0] != '0' && digits-2 >= 8 && digits-2 <= 15
	case isNANP(groups):
		return true
	case first[0] == '0':
		return isTrunk(groups, digits)
	}
	return false
}

// isNANP reports whether groups are a North American number: [1] NXX NXX
// XXXX, only the area code in parentheses.
func isNANP(groups []group) bool {
	if len(groups) == 4 && groups[0].digits == "1" && !groups[0].paren {
		groups = groups[1:]
	}
	if len(groups) != 3 {
		return false
	}
	area, exchange, line := groups[0], groups[1], groups[2]
	return len(area.digits) == 3 && area.digits[0] >= '2' &&
		len(exchange.digits) == 3 && exchange.digits[0] >= '2' && !exchange.paren &&
		len(line.digits) == 4 && !line.paren
}

// isTrunk reports whether groups are a national number dialled with a trunk
// 0: two or more groups of at least 2 digits, 10 or 11 in all, one kind of
// separator, not a date followed by a number (01.02.2026 12).
func isTrunk(groups []group, digits int) bool {
	if digits < 10 || digits > 11 {
		return false
	}
	var sep byte
	for i, g := range groups {
		if len(g.digits) < 2 || i > 0 && g.paren {
			return false
		}
		if i > 0 && g.sep != 0 {
			if sep != 0 && g.sep != sep {
				return false
			}
			sep = g.sep
		}
	}
	if len(groups) >= 3 && len(groups[0].digits) == 2 && len(groups[1].digits) == 2 && len(groups[2].digits) == 4 {
		return false // dd.mm.yyyy ...
	}
	return true
}

// lazyPattern compiles expr on first use: the command line links this
// package into every run, and compiling its patterns (the email pattern's
// Unicode classes most) at start-up was a millisecond of each validate.
func lazyPattern(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
