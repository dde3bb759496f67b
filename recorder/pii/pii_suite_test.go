package pii_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestPII(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "PII Suite")
}

// anyEmail is the tests' own statement of an email address, its @ written
// or percent-encoded, independent of the package's pattern: a test that
// reused it would share its bugs. It is narrower than the package's (ASCII
// only), so whatever it finds after masking was missed.
var anyEmail = regexp.MustCompile(`(?i)[a-z0-9_](?:@|%40)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z](?:[a-z0-9-]*[a-z0-9])?`)

// leaf is a scalar of a JSON document at its pointer, as written.
type leaf struct {
	Pointer string
	Value   string // a string's decoded text, or a literal's JSON text
	String  bool
}

// document reads a JSON document with encoding/json (not the package's
// parser) into its shape, every object's member names in order and every
// array's length, and its scalars in order. Two documents of the same
// shape have the same shape string, whatever their scalars.
func document(doc string) (shape string, leaves []leaf, err error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var b strings.Builder
	var value func(p string) error
	value = func(p string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case json.Delim:
			b.WriteRune(rune(t))
			for i := 0; dec.More(); i++ {
				child := p + "/" + strconv.Itoa(i)
				if t == '{' {
					name, err := dec.Token()
					if err != nil {
						return err
					}
					b.WriteString(strconv.Quote(name.(string)) + ":")
					child = p + "/" + name.(string)
				}
				if err := value(child); err != nil {
					return err
				}
				b.WriteString(",")
			}
			end, err := dec.Token()
			if err != nil {
				return err
			}
			b.WriteString(end.(json.Delim).String())
		case string:
			b.WriteString(".")
			leaves = append(leaves, leaf{p, t, true})
		default:
			b.WriteString(".")
			leaves = append(leaves, leaf{p, fmt.Sprint(t), false})
		}
		return nil
	}
	if err := value(""); err != nil {
		return "", nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", nil, fmt.Errorf("more than one value")
	}
	return b.String(), leaves, nil
}

// mustDocument is document for specs.
func mustDocument(doc string) (string, []leaf) {
	shape, leaves, err := document(doc)
	Expect(err).NotTo(HaveOccurred(), "not one JSON value: %s", doc)
	return shape, leaves
}
