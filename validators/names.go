package validators

import (
	"maps"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// names numbers the member names the schemas mention (properties and
// required), so that the fast path looks up a member's subschema by a small
// integer instead of hashing strings at every keyword. Number 0 is every
// name no schema mentions.
type names struct {
	slots []nameSlot // open addressing; len is a power of two
	list  []string   // number -> name; list[0] is ""
}

type nameSlot struct {
	name string
	id   uint16
}

// maxNames bounds the dictionary so that a set of names fits the fast
// path's fixed-size bitsets.
const maxNames = 512

func collectNames(roots []*jsonschema.Schema) *names {
	d := &names{list: []string{""}}
	seen := map[*jsonschema.Schema]bool{}
	index := map[string]bool{}
	add := func(n string) {
		if !index[n] {
			index[n] = true
			d.list = append(d.list, n)
		}
	}
	var walk func(s *jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, n := range sortedNames(s.Properties) {
			add(n)
			walk(s.Properties[n])
		}
		for _, n := range s.Required {
			add(n)
		}
		for _, l := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, {s.Not, s.If, s.Then, s.Else, s.Ref, s.Items2020}} {
			for _, sub := range l {
				walk(sub)
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	size := 1
	for size < 4*len(d.list) {
		size *= 2
	}
	d.slots = make([]nameSlot, size)
	for id, n := range d.list[1:] {
		h := hashName([]byte(n)) & uint32(size-1)
		for d.slots[h].id != 0 {
			h = (h + 1) & uint32(size-1)
		}
		d.slots[h] = nameSlot{name: n, id: uint16(id + 1)}
	}
	return d
}

// id returns the number of name b, or 0.
func (d *names) id(b []byte) uint16 {
	if d == nil {
		return 0
	}
	mask := uint32(len(d.slots) - 1)
	for h := hashName(b) & mask; ; h = (h + 1) & mask {
		slot := &d.slots[h]
		if slot.id == 0 || slot.name == string(b) {
			return slot.id
		}
	}
}

// hashName mixes a name's length and a few of its bytes: member names are
// short and differ early, late or in length.
func hashName(b []byte) uint32 {
	n := len(b)
	h := uint32(n) * 0x9E3779B1
	if n > 0 {
		h ^= uint32(b[0]) * 0x85EBCA77
		h ^= uint32(b[n-1]) * 0xC2B2AE3D
		h ^= uint32(b[n/2]) * 0x27D4EB2F
		if n > 3 {
			h ^= uint32(b[1]) * 0x165667B1
		}
	}
	return h ^ h>>15
}

func sortedNames(m map[string]*jsonschema.Schema) []string {
	return slices.Sorted(maps.Keys(m))
}
