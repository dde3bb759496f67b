package generator

import (
	"fmt"
	"slices"
	"strings"
)

// Resource is an API resource of a spec: a component whose object property
// is a one-value enum, the value every document of that resource carries in
// its "object" member.
type Resource struct {
	// Component is its name under components.schemas: "customer",
	// "deleted_customer", "financial_connections.account".
	Component string
	// Object is the value of its object member: "customer" for both the
	// customer and the deleted_customer components.
	Object string
	// Deleted says it is the form a DELETE answers with and a *.deleted
	// event may carry: its deleted property is the one-value enum true.
	Deleted bool
}

// Resources lists every resource of the spec (an OpenAPI 3.0 document in
// JSON), sorted by component name.
func Resources(specJSON []byte) ([]Resource, error) {
	s, err := parseSpec(specJSON)
	if err != nil {
		return nil, err
	}
	return s.resources(), nil
}

// resources lists the spec's resources, sorted by component name.
func (s *spec) resources() []Resource {
	var out []Resource
	for name, comp := range s.components {
		if r, ok := resourceOf(name, comp); ok {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.Component, b.Component) })
	return out
}

// resourceOf says whether the component named name is a resource, and which.
func resourceOf(name string, comp map[string]any) (Resource, bool) {
	props := properties(comp)
	object, ok := oneValue(props["object"])
	if !ok {
		return Resource{}, false
	}
	objectName, ok := object.(string)
	if !ok {
		return Resource{}, false
	}
	deleted, _ := oneValue(props["deleted"])
	return Resource{Component: name, Object: objectName, Deleted: deleted == true}, true
}

// oneValue returns the only value of a schema's enum, if it has exactly one.
func oneValue(schema map[string]any) (any, bool) {
	enum, _ := schema["enum"].([]any)
	if len(enum) != 1 {
		return nil, false
	}
	return enum[0], true
}

// String names the resource by its component, and its object value when it
// differs: "deleted_customer (object customer)".
func (r Resource) String() string {
	if r.Component == r.Object {
		return r.Component
	}
	return fmt.Sprintf("%s (object %s)", r.Component, r.Object)
}
