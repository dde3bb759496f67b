package validators_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/stripe-contract/stripe-contract/validators"
)

func TestValidators(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Validators Suite")
}

// validator is shared: a Validator is immutable and safe for concurrent use.
var validator = mustValidator()

func mustValidator(opts ...validators.Option) *validators.Validator {
	v, err := validators.New(opts...)
	if err != nil {
		panic(err)
	}
	return v
}

// example reads a bundled example payload as a generic JSON value.
func example(name string) map[string]any {
	raw, err := os.ReadFile(filepath.Join("..", "schemas", "examples", name))
	if err != nil {
		panic(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	return doc
}

func encode(doc any) []byte {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// clone deep-copies a generic JSON value.
func clone(doc map[string]any) map[string]any {
	var out map[string]any
	if err := json.Unmarshal(encode(doc), &out); err != nil {
		panic(err)
	}
	return out
}

func segments(pointer string) []string {
	segs := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs
}

// parentOf walks to the container holding the pointer's last segment,
// creating objects on the way.
func parentOf(doc map[string]any, pointer string) (any, string) {
	segs := segments(pointer)
	var cur any = doc
	for _, s := range segs[:len(segs)-1] {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[s]
			if !ok || next == nil {
				next = map[string]any{}
				c[s] = next
			}
			cur = next
		case []any:
			i, _ := strconv.Atoi(s)
			cur = c[i]
		}
	}
	return cur, segs[len(segs)-1]
}

// set returns a copy of doc with the value at pointer replaced.
func set(doc map[string]any, pointer string, value any) map[string]any {
	out := clone(doc)
	parent, last := parentOf(out, pointer)
	switch p := parent.(type) {
	case map[string]any:
		p[last] = value
	case []any:
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(p) {
			p[i] = value
		}
	}
	return out
}

// without returns a copy of doc without the member (or array element) at pointer.
func without(doc map[string]any, pointer string) map[string]any {
	out := clone(doc)
	parent, last := parentOf(out, pointer)
	switch p := parent.(type) {
	case map[string]any:
		delete(p, last)
	case []any:
		i, _ := strconv.Atoi(last)
		grand, at := parentOf(out, pointer[:strings.LastIndexByte(pointer, '/')])
		shorter := append(p[:i:i], p[i+1:]...)
		switch g := grand.(type) {
		case map[string]any:
			g[at] = shorter
		case []any:
			j, _ := strconv.Atoi(at)
			g[j] = shorter
		}
	}
	return out
}

// with applies several changes in turn.
func with(doc map[string]any, changes ...func(map[string]any) map[string]any) map[string]any {
	for _, c := range changes {
		doc = c(doc)
	}
	return doc
}

func setTo(pointer string, value any) func(map[string]any) map[string]any {
	return func(d map[string]any) map[string]any { return set(d, pointer, value) }
}

func remove(pointer string) func(map[string]any) map[string]any {
	return func(d map[string]any) map[string]any { return without(d, pointer) }
}

// The specs judge Results with the matchers users import, from
// validators/contractmatch: HaveViolation(rule, pointer) and
// KeepTheContract(). Those below say what those do not.

// HaveViolationOf matches a Result holding any violation of rule.
func HaveViolationOf(rule string) types.GomegaMatcher {
	return HaveField("Violations", ContainElement(HaveField("Rule", rule)))
}

// BeClean matches a Result with no violation at all.
func BeClean() types.GomegaMatcher {
	return HaveField("Violations", BeEmpty())
}
