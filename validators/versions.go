package validators

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// RuleVersionNotEmbedded is the notice for a document that names an API
// version whose contract is not embedded (an event's api_version, or the
// Stripe-Version header of the request it answers): it is judged at the
// newest embedded version instead, and the notice names that one.
const RuleVersionNotEmbedded = "api_version.not-embedded"

// apiVersion is one API version's contract, compiled on first use, so
// that a run that meets one version pays for one.
type apiVersion struct {
	name     string
	files    fs.FS
	embedded bool // files are the embedded ones: the contract is shared (shared)
	once     sync.Once
	c        *contract
	fast     *fastPath // nil: every document takes the full path
	err      error
}

// load compiles the version's contract once (for an embedded version, once
// per process: every Validator shares it), and its fast path.
func (a *apiVersion) load(v *Validator) (*contract, error) {
	a.once.Do(func() {
		var c *contract
		var err error
		if a.embedded {
			c, err = sharedContract(a.name, a.files)
		} else {
			c, err = loadContract(a.files)
		}
		if err == nil && c.apiVersion != a.name {
			err = fmt.Errorf("the schema files of API version %s say they are for %s", a.name, c.apiVersion)
		}
		if err != nil {
			a.err = fmt.Errorf("validators: API version %s: %w", a.name, err)
			return
		}
		a.c = c
		if !v.noFast {
			a.fast = sharedFastPath(c, v.maxDepth)
		}
	})
	return a.c, a.err
}

// The contracts of the embedded versions, and their fast paths by depth
// limit, compiled once per process: a contract holds nothing of the
// Validator that asked for it (WithRules' rules stay in the Validator), and
// compiling a large resource (a PaymentIntent) costs more than validating
// thousands of its documents.
var (
	sharedContracts sync.Map // version -> *shared
	sharedFastPaths sync.Map // fastKey -> *fastPath
)

type shared struct {
	once sync.Once
	c    *contract
	err  error
}

type fastKey struct {
	c        *contract
	maxDepth int
}

func sharedContract(version string, files fs.FS) (*contract, error) {
	e, _ := sharedContracts.LoadOrStore(version, &shared{})
	sh := e.(*shared)
	sh.once.Do(func() {
		sh.c, sh.err = loadContract(files)
		if sh.err == nil {
			sh.c.trusted = true // the embedded files: checked by the tests
		}
	})
	return sh.c, sh.err
}

func sharedFastPath(c *contract, maxDepth int) *fastPath {
	if fp, ok := sharedFastPaths.Load(fastKey{c, maxDepth}); ok {
		return fp.(*fastPath)
	}
	fp, _ := sharedFastPaths.LoadOrStore(fastKey{c, maxDepth}, newFastPath(c, maxDepth))
	return fp.(*fastPath)
}

// setExtra checks the rules WithRules adds: each has an ID, none is given
// twice, and none is a rule of the contract.
func (v *Validator) setExtra() error {
	v.extraByID = map[string]Rule{}
	for _, r := range v.extra {
		if r.ID == "" {
			return fmt.Errorf("a rule added has no ID (%s)", r.Summary)
		}
		if _, dup := v.extraByID[r.ID]; dup {
			return fmt.Errorf("rule %s is already defined", r.ID)
		}
		if _, dup := v.contractRule(r.ID); dup {
			return fmt.Errorf("rule %s is already defined", r.ID)
		}
		v.extraByID[r.ID] = r
	}
	return nil
}

// setVersions makes the versions documents can be judged at: the one
// whose files WithSchemas gave, or every embedded version; and the default,
// the version WithAPIVersion names or else the newest.
func (v *Validator) setVersions() error {
	if v.files != nil {
		f, err := readIndexVersion(v.files)
		if err != nil {
			return err
		}
		if v.pinned != "" && v.pinned != f.APIVersion {
			return fmt.Errorf("the schema files given are for API version %s, not %s", f.APIVersion, v.pinned)
		}
		v.versions = map[string]*apiVersion{f.APIVersion: {name: f.APIVersion, files: v.files}}
		v.names = []string{f.APIVersion}
		v.dflt = f.APIVersion
		v.def, v.newest = v.versions[v.dflt], v.versions[v.dflt]
		return nil
	}
	v.names = schemas.Versions()
	v.versions = map[string]*apiVersion{}
	for _, name := range v.names {
		files, err := schemas.Version(name)
		if err != nil {
			return err
		}
		v.versions[name] = &apiVersion{name: name, files: files, embedded: true}
	}
	v.dflt = v.names[len(v.names)-1]
	if v.pinned != "" {
		if _, ok := v.versions[v.pinned]; !ok {
			return &schemas.UnknownVersionError{Version: v.pinned}
		}
		v.dflt = v.pinned
	}
	v.def, v.newest = v.versions[v.dflt], v.versions[v.names[len(v.names)-1]]
	return nil
}

// APIVersions lists the API versions this Validator judges documents at,
// oldest first: every embedded one, or the one WithSchemas gave.
func (v *Validator) APIVersions() []string { return slices.Clone(v.names) }

// VersionFor is the API version a document that names none itself is
// judged at, when the request it answers asked for requested (a
// Stripe-Version header; "" for none): the version WithAPIVersion names,
// else requested when it is embedded, else the newest.
func (v *Validator) VersionFor(requested string) string {
	a, _ := v.choose("", requested)
	return a.name
}

// choose picks the version a document is judged at, in this order: the
// one WithAPIVersion names; the document's own (an event's api_version)
// when it is embedded; the one its request asked for (requested) when it
// is embedded; else the newest. A version named but not embedded gets a
// notice naming the one used.
func (v *Validator) choose(own, requested string) (*apiVersion, *Violation) {
	if v.pinned != "" {
		return v.def, nil
	}
	if own == "" && requested == "" { // names no version (a resource, or an event without one) and answers no request
		return v.newest, nil
	}
	var chosen *apiVersion
	if a := v.versions[own]; a != nil {
		chosen = a
	} else if a := v.versions[requested]; a != nil {
		chosen = a
	} else {
		chosen = v.newest
	}
	var notice *Violation
	switch {
	case own != "" && v.versions[own] == nil:
		notice = v.notEmbedded("/api_version", fmt.Sprintf("names API version %q", own), chosen.name)
	case own == "" && requested != "" && v.versions[requested] == nil:
		notice = v.notEmbedded("", fmt.Sprintf("answers a request for API version %q (its Stripe-Version header)", requested), chosen.name)
	}
	return chosen, notice
}

func (v *Validator) notEmbedded(pointer, found, used string) *Violation {
	r := versionRule
	return &Violation{Rule: r.ID, Pointer: pointer, Severity: r.Severity, Doc: r.Doc,
		Message: fmt.Sprintf("%s, whose contract is not embedded (embedded: %s), so it was judged at %s; %s", found, strings.Join(v.names, ", "), used, r.Summary)}
}

var versionRule = Rule{ID: RuleVersionNotEmbedded, Severity: Notice, Check: "go", Aspect: "not-embedded",
	Summary: "a document is judged at the API version it names, when that version's contract is embedded",
	Doc:     "The Stripe API version used to render `data` when the event was created. The contents of `data` never change, so this value remains static regardless of the API version currently in use.",
	Source:  "#/components/schemas/event/properties/api_version/description"}

// readIndexVersion reads the API version of the schema files in fsys from
// their index.
func readIndexVersion(fsys fs.FS) (struct{ APIVersion string }, error) {
	var out struct{ APIVersion string }
	raw, err := fs.ReadFile(fsys, schemas.IndexFile)
	if err != nil {
		return out, fmt.Errorf("read the contract's index: %w", err)
	}
	var ix struct {
		Version string `json:"x-stripe-api-version"`
	}
	if err := json.Unmarshal(raw, &ix); err != nil || ix.Version == "" {
		return out, fmt.Errorf("%s names no API version (x-stripe-api-version)", schemas.IndexFile)
	}
	out.APIVersion = ix.Version
	return out, nil
}
