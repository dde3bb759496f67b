package validators

import (
	"maps"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// propTable maps an object schema's member names to their subschemas, by
// the hash the scanner computed for each member name (hashName): open
// addressing over a power-of-two table, so that the fast path finds a
// member's subschema without hashing the name again.
type propTable struct {
	slots []propSlot
}

type propSlot struct {
	name string
	hash uint32
	node *fnode // nil: a required member with no subschema of its own
	req  uint8  // 1 + its bit in the object's required mask; 0: not required
	used bool
}

// add enters name; the table must have room (newPropTable sizes it).
func (pt *propTable) add(name string, node *fnode, req uint8) {
	h := hashName(name)
	mask := uint32(len(pt.slots) - 1)
	for i := tableSlot(h, mask); ; i = (i + 1) & mask {
		s := &pt.slots[i]
		if !s.used {
			*s = propSlot{name: name, hash: h, node: node, req: req, used: true}
			return
		}
		if s.name == name {
			if node != nil {
				s.node = node
			}
			if req != 0 {
				s.req = req
			}
			return
		}
	}
}

func newPropTable(n int) propTable {
	size := 4
	for size < 2*n {
		size *= 2
	}
	return propTable{slots: make([]propSlot, size)}
}

// lookup returns the entry of the member whose name is b and whose hash is
// h, or nil.
func (pt *propTable) lookup(b []byte, h uint32) *propSlot {
	if len(pt.slots) == 0 {
		return nil
	}
	mask := uint32(len(pt.slots) - 1)
	for i := tableSlot(h, mask); ; i = (i + 1) & mask {
		s := &pt.slots[i]
		if !s.used {
			return nil
		}
		if s.hash == h && s.name == string(b) {
			return s
		}
	}
}

// hashName mixes a name's length and a few of its bytes: member names are
// short and differ early, late or in length.
func hashName[T string | []byte](b T) uint32 {
	n := len(b)
	h := uint32(n) * 0x9E3779B1
	if n > 0 {
		h ^= uint32(b[0]) * 0x85EBCA77
		h ^= uint32(b[n-1]) * 0xC2B2AE3D
		h ^= uint32(b[n/2]) * 0x27D4EB2F
		if n > 3 {
			h ^= uint32(b[1]) * 0x165667B1
		}
		if n > 8 {
			h ^= uint32(b[n-3]) * 0x9E3779B1
		}
	}
	return h ^ h>>15
}

func sortedNames(m map[string]*jsonschema.Schema) []string {
	return slices.Sorted(maps.Keys(m))
}
