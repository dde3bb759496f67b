package validators_test

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

func splitLines() (valid, invalid [][]byte) {
	g := bench.New(7)
	for range 20000 {
		l, ok := g.Line()
		if ok {
			valid = append(valid, l)
		} else {
			invalid = append(invalid, l)
		}
	}
	return
}

func BenchmarkSplit(b *testing.B) {
	valid, invalid := splitLines()
	v := mustValidator()
	slow := mustValidator(validators.WithFastPath(false))
	for _, c := range []struct {
		name  string
		v     *validators.Validator
		lines [][]byte
	}{{"fast/valid", v, valid}, {"fast/invalid", v, invalid}, {"full/valid", slow, valid}, {"full/invalid", slow, invalid}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				c.v.Validate(c.lines[i%len(c.lines)])
			}
		})
	}
}
