package validators

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/explain"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// annotation is what the schema files say about one subschema: which rule
// each of its keywords states, and where it stands.
type annotation struct {
	explain.Note          // x-rules, and the x-rule here or on the nearest enclosing subschema of the file
	undocumented string   // x-undocumented: the rule for fields it does not list
	required     []string // its required keyword
	conditions   []string // for an "if" subschema: the properties it tests
	path         []string // property names from the file's root to here
	keywords     []string // the constraint keywords it has
	covered      bool     // inside $defs or an anyOf/oneOf branch: failures are reported where it is referenced
}

// constraintKeywords are the keywords that fail on their own; failures of
// applicators (allOf, if/then/else, properties, items) are their members'.
var constraintKeywords = []string{"type", "enum", "const", "maxLength", "minLength", "pattern", "required", "anyOf", "oneOf", "not", "$ref", "minimum", "maximum", "format"}

// contract is one API version's schema files, compiled as documents need
// them: a resource's file is read, indexed and compiled the first time a
// document holds that resource (a reference to another resource's file is
// followed only when a document reaches it, lazyRef), so that a document
// costs nothing for the resources it does not touch.
type contract struct {
	apiVersion string
	files      fs.FS
	base       string // the files' $id prefix: https://.../2026-08-26.dahlia/
	trusted    bool   // the embedded files: compiled without the meta-schema check (trustedDraft)
	index      contractIndex

	mu        sync.Mutex               // guards compilers and loaded
	compilers map[string]*fileCompiler // file -> the lock of its compiles
	loaded    map[string]error         // file -> its load's outcome

	// What jsonschema/v5 compiled (compile), by file, within v5Budget.
	v5       sync.Map     // file -> *v5File
	v5Nodes  atomic.Int64 // the subschemas v5 holds
	v5Clock  atomic.Int64 // one more at each compile: when a file was last used (v5File.used)
	v5Budget int          // v5Budget, or a test's
	evictMu  sync.Mutex   // serializes evictions

	enumMu sync.Mutex       // guards enums
	enums  map[string][]any // an enum's key (enumKey) -> the values its schemas share

	// What the files say of their subschemas and rules, filled as files
	// are read; a trusted contract's catalogues and annotations, as files
	// are explained (loadCatalogue, loadNotes).
	metaMu     sync.RWMutex                      // guards the maps below
	notes      map[string]map[string]*annotation // file's $id -> location of a subschema in it (a JSON pointer) -> its annotation
	unindexed  map[string]string                 // file's $id -> file, read but its annotations not indexed yet
	hasPartial map[string]bool                   // file -> it has a partial form (partialDef), once read
	rules      map[string]*Rule                  // each an entry of its file's catalogue (SchemaFile.Rules), or of jsonRules
	deferred   map[string][]int                  // file -> where its catalogue is in it, not read yet
	catErrs    map[string]error                  // file -> why its deferred catalogue or annotations could not be read
	deferLocks map[string]*sync.Mutex            // file -> the lock that serializes the reads of its deferred catalogue and annotations
}

// contractIndex is what schemas.IndexFile says of a version.
type contractIndex struct {
	ID        string `json:"$id"`
	Version   string `json:"x-stripe-api-version"`
	Resources []struct {
		Component string `json:"component"`
		Object    string `json:"object"`
		Deleted   bool   `json:"deleted"`
		File      string `json:"file"`
	} `json:"resources"`
	Envelopes  map[string]string   `json:"envelopes"`
	EventTypes map[string][]string `json:"event_types"`

	byObject map[string][2]string // object value -> component, and its deleted form's
	fileOf   map[Kind]string
}

// loadContract reads the version's index from files; the schema files
// themselves are read as documents need them.
func loadContract(files fs.FS) (*contract, error) {
	raw, err := fs.ReadFile(files, schemas.IndexFile)
	if err != nil {
		return nil, fmt.Errorf("read the contract's index: %w", err)
	}
	c := &contract{files: files, notes: map[string]map[string]*annotation{}, rules: map[string]*Rule{}, loaded: map[string]error{},
		enums: map[string][]any{}, v5Budget: v5Budget, deferred: map[string][]int{}, catErrs: map[string]error{},
		unindexed: map[string]string{}, hasPartial: map[string]bool{}}
	if err := json.Unmarshal(raw, &c.index); err != nil {
		return nil, fmt.Errorf("parse %s: %w", schemas.IndexFile, err)
	}
	ix := &c.index
	if ix.Version == "" || !strings.HasSuffix(ix.ID, "/"+schemas.IndexFile) {
		return nil, fmt.Errorf("%s names no API version or $id", schemas.IndexFile)
	}
	c.apiVersion, c.base = ix.Version, strings.TrimSuffix(ix.ID, schemas.IndexFile)
	ix.byObject, ix.fileOf = map[string][2]string{}, map[Kind]string{}
	for _, r := range ix.Resources {
		pair := ix.byObject[r.Object]
		if r.Deleted {
			pair[1] = r.Component
		} else {
			pair[0] = r.Component
		}
		ix.byObject[r.Object] = pair
		ix.fileOf[Kind(r.Component)] = r.File
	}
	for kind, file := range ix.Envelopes {
		ix.fileOf[Kind(kind)] = file
	}
	for _, k := range []Kind{KindList, KindSearchResult, KindEvent, KindError} {
		if ix.fileOf[k] == "" {
			return nil, fmt.Errorf("%s lists no file for %s", schemas.IndexFile, k)
		}
	}
	for _, r := range jsonRules {
		c.rules[r.ID] = &r
	}
	c.compilers = map[string]*fileCompiler{}
	return c, nil
}

// fileCompiler compiles the schemas of one file. jsonschema/v5's compiler
// is not safe for concurrent use, and the files refer to each other only
// lazily (lazyref.go), so each file's schemas are compiled under a lock of
// their own, and workers that meet different resources first compile them
// at the same time. A compiler keeps every document it has read (the
// decoded file), so each compile has a compiler of its own, dropped once
// it has compiled the file's entry points (entries): nothing refers into a
// file but at those.
type fileCompiler struct {
	mu sync.Mutex // serializes the file's compiles
}

// compilerOf returns the lock of file's compiles, made on first use.
func (c *contract) compilerOf(file string) *fileCompiler {
	c.mu.Lock()
	defer c.mu.Unlock()
	fc := c.compilers[file]
	if fc == nil {
		fc = &fileCompiler{}
		c.compilers[file] = fc
	}
	return fc
}

// newCompiler is a compiler of the contract's files, with their lazy
// references.
func (c *contract) newCompiler() *jsonschema.Compiler {
	jc := jsonschema.NewCompiler()
	jc.Draft = compilerDraft
	if c.trusted {
		jc.Draft = trustedDraft
	}
	jc.LoadURL = c.loadURL
	jc.RegisterExtension(lazyRefKeyword, lazyRefMeta, lazyRefCompiler{c})
	return jc
}

// partialDef is where a resource's file keeps the resource's partial form
// (an event's data.previous_attributes).
const partialDef = "#/$defs/partial"

// entries are the URLs that other files and the validator compile of file,
// once it is read: its root, and its partial form if it has one.
func (c *contract) entries(file string) []string {
	out := []string{c.base + file}
	c.metaMu.RLock()
	partial := c.hasPartial[file]
	c.metaMu.RUnlock()
	if partial {
		out = append(out, c.base+file+partialDef)
	}
	return out
}

// kindOfObject is the kind of a document whose object member is object
// (deleted: it says "deleted": true), if the version has that resource.
func (c *contract) kindOfObject(object string, deleted bool) (Kind, bool) {
	pair, ok := c.index.byObject[object]
	if !ok {
		return "", false
	}
	if deleted && pair[1] != "" || pair[0] == "" {
		return Kind(pair[1]), true
	}
	return Kind(pair[0]), true
}

// eventTypes lists the event types the version lists, sorted.
func (c *contract) eventTypes() []string { return slices.Sorted(maps.Keys(c.index.EventTypes)) }

// schema returns the compiled schema of kind, compiling it on first use.
func (c *contract) schema(kind Kind) (*jsonschema.Schema, error) {
	file := c.index.fileOf[kind]
	if file == "" {
		return nil, fmt.Errorf("API version %s has no file for %s", c.apiVersion, kind)
	}
	return c.compile(c.base + file)
}

// What jsonschema/v5 compiles is kept for the next document that needs
// it, within a budget: the full path compiles a file only where a document
// needs explaining (or takes the whole-document path), and a log of every
// resource, each explained somewhere, would otherwise hold the compiled
// graph of the whole API (20,000 subschemas, about 20 MB). Past v5Budget
// subschemas, the files least recently used are dropped, and compiled
// again should a document need them; validations under way keep what they
// hold. The fast path holds none of it (fileCompile).
const v5Budget = 8000

// v5File is what jsonschema/v5 compiled of one file: the schemas of its
// entries (and of any other URL of it asked for), and every subschema
// reached from them by location. It is not changed once published.
type v5File struct {
	schemas map[string]*jsonschema.Schema // URL -> schema
	locs    map[string]*jsonschema.Schema // location -> subschema
	used    atomic.Int64                  // the contract's v5Clock when last used
}

// compile compiles the schema at url (a file's, or a subschema of one),
// once, and with it the file's other entries, by the same compiler: their
// subschemas are shared, and the file is read once.
func (c *contract) compile(url string) (*jsonschema.Schema, error) {
	s, _, err := c.compileFile(url)
	return s, err
}

// compileFile is compile, with what the contract keeps of url's file once
// it has compiled it.
func (c *contract) compileFile(url string) (*jsonschema.Schema, *v5File, error) {
	file, _, _ := strings.Cut(strings.TrimPrefix(url, c.base), "#")
	if s, vf := c.compiled(file, url); s != nil {
		return s, vf, nil
	}
	fc := c.compilerOf(file)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if s, vf := c.compiled(file, url); s != nil {
		return s, vf, nil
	}
	jc := c.newCompiler()
	s, err := jc.Compile(url)
	if err != nil {
		return nil, nil, fmt.Errorf("compile %s: %w", strings.TrimPrefix(url, c.base), err)
	}
	vf := &v5File{schemas: map[string]*jsonschema.Schema{url: s}, locs: map[string]*jsonschema.Schema{}}
	fresh := []*jsonschema.Schema{s}
	if old, ok := c.v5.Load(file); ok { // a URL other than the entries: kept beside them
		maps.Copy(vf.schemas, old.(*v5File).schemas)
		maps.Copy(vf.locs, old.(*v5File).locs)
	}
	for _, entry := range c.entries(file) {
		if vf.schemas[entry] != nil || entry == url {
			continue
		}
		// An entry that fails here is compiled again, and its error
		// reported, when a document reaches it.
		if es, err := jc.Compile(entry); err == nil {
			vf.schemas[entry] = es
			fresh = append(fresh, es)
		}
	}
	// Before any of them is published: after, validations read them.
	nodes := c.index5(vf, fresh)
	vf.used.Store(c.v5Clock.Add(1))
	prev, _ := c.v5.Swap(file, vf)
	if prev != nil {
		nodes -= len(prev.(*v5File).locs)
	}
	c.evict(c.v5Nodes.Add(int64(nodes)), file)
	return s, vf, nil
}

// compiled is the schema at url of file that jsonschema/v5 has compiled and
// the contract keeps, and what it keeps of the file; nil when it keeps
// none.
func (c *contract) compiled(file, url string) (*jsonschema.Schema, *v5File) {
	f, ok := c.v5.Load(file)
	if !ok {
		return nil, nil
	}
	vf := f.(*v5File)
	s := vf.schemas[url]
	if s != nil {
		if now := c.v5Clock.Load(); vf.used.Load() != now {
			vf.used.Store(now)
		}
	}
	return s, vf
}

// evict drops the files least recently used while the contract keeps
// more than its budget of subschemas (total), but never keep, the file
// just compiled.
func (c *contract) evict(total int64, keep string) {
	if total <= int64(c.v5Budget) {
		return
	}
	c.evictMu.Lock()
	defer c.evictMu.Unlock()
	for c.v5Nodes.Load() > int64(c.v5Budget) {
		oldest, at := "", int64(math.MaxInt64)
		var victim *v5File
		c.v5.Range(func(file, f any) bool {
			if vf := f.(*v5File); file != keep && vf.used.Load() < at {
				oldest, at, victim = file.(string), vf.used.Load(), vf
			}
			return true
		})
		if victim == nil || !c.v5.CompareAndDelete(oldest, victim) {
			return
		}
		c.v5Nodes.Add(-int64(len(victim.locs)))
	}
}

// subschema is jsonschema/v5's compiled subschema at loc (its Location),
// compiling the entries of its file when the contract does not keep them.
// The fast path compiles without v5 (fileCompile); the full path asks for
// v5's schema where it explains.
func (c *contract) subschema(loc string) (*jsonschema.Schema, error) {
	file, _, _ := strings.Cut(strings.TrimPrefix(loc, c.base), "#")
	_, vf, err := c.compileFile(c.base + file)
	if err != nil {
		return nil, err
	}
	if s := vf.locs[loc]; s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("%s names no subschema of the compiled contract", loc)
}

// index5 indexes the subschemas of fresh, schemas just compiled for vf
// (within their file: a lazy reference is not followed), by location in
// vf, and returns how many vf then holds. It makes their enums share one copy of their values with every
// equal enum of the contract's: every currency field lists the same
// 150-odd codes, which jsonschema/v5 would otherwise hold once per field.
// Only enums of strings, booleans and nulls are shared.
func (c *contract) index5(vf *v5File, fresh []*jsonschema.Schema) int {
	c.enumMu.Lock()
	defer c.enumMu.Unlock()
	var key strings.Builder
	seen := map[*jsonschema.Schema]bool{}
	var walk func(s *jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if vf.locs[s.Location] == nil {
			vf.locs[s.Location] = s
		}
		if len(s.Enum) > 1 {
			key.Reset()
			if enumKey(&key, s.Enum) {
				if shared, ok := c.enums[key.String()]; ok {
					s.Enum = shared
				} else {
					c.enums[key.String()] = s.Enum
				}
			}
		}
		eachSubschema(s, walk)
	}
	for _, s := range fresh {
		walk(s)
	}
	return len(vf.locs)
}

// enumKey writes a key of values to b that equal enums share, and only
// they (literal.writeKey, as the fast path's); false when a value is not a
// string, boolean or null.
func enumKey(b *strings.Builder, values []any) bool {
	for _, v := range values {
		l, ok := literalOf(v)
		if !ok {
			return false
		}
		l.writeKey(b)
	}
	return true
}

// eachSubschema calls fn with each subschema s applies in place or to its
// members and items.
func eachSubschema(s *jsonschema.Schema, fn func(*jsonschema.Schema)) {
	for _, sub := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, s.DynamicRef, s.Not, s.If, s.Then, s.Else,
		s.PropertyNames, s.Items2020, s.Contains, s.UnevaluatedProperties, s.UnevaluatedItems} {
		fn(sub)
	}
	for _, subs := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
		for _, sub := range subs {
			fn(sub)
		}
	}
	for _, m := range []map[string]*jsonschema.Schema{s.Properties, s.DependentSchemas} {
		for _, sub := range m {
			fn(sub)
		}
	}
	for _, sub := range s.PatternProperties {
		fn(sub)
	}
	for _, v := range []any{s.AdditionalProperties, s.Items, s.AdditionalItems} {
		switch v := v.(type) {
		case *jsonschema.Schema:
			fn(v)
		case []*jsonschema.Schema:
			for _, sub := range v {
				fn(sub)
			}
		}
	}
	for _, v := range s.Dependencies {
		if sub, ok := v.(*jsonschema.Schema); ok {
			fn(sub)
		}
	}
}

// load reads, indexes and checks one schema file, once, without compiling
// it.
func (c *contract) load(file string) error {
	_, err := c.read(file, false)
	return err
}

// compilerDoc is the copy of file that jsonschema/v5 and the fast path
// compile (forCompiler), read, indexed and checked (read). Its
// annotations are indexed with it: a file is compiled because documents
// reach it, and an explanation there needs them.
func (c *contract) compilerDoc(file string) (map[string]any, error) {
	doc, err := c.read(file, true)
	if err != nil {
		return nil, err
	}
	if err := forCompiler(doc, c.base, c.trusted); err != nil {
		return nil, fmt.Errorf("schema %s: %w", file, err)
	}
	return doc, nil
}

// loadURL is the compilers' loader: the schema file url names, indexed,
// its references to other files made lazy. A compiler calls it under its
// fileCompiler's mu.
func (c *contract) loadURL(url string) (io.ReadCloser, error) {
	file, ok := strings.CutPrefix(url, c.base)
	if !ok || strings.ContainsAny(file, "/#") {
		return nil, fmt.Errorf("%s is not a file of the contract of API version %s", url, c.apiVersion)
	}
	doc, err := c.compilerDoc(file)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// read reads one schema file; the first time, it indexes its annotations
// (a trusted file's only when withNotes asks: else when a document is
// first explained there, loadNotes) and adds its rules. The document it
// returns is the file as parsed, of which forCompiler makes the
// compilers' copy.
// Files are read and indexed concurrently; what they add to the contract
// is added under mu, once.
func (c *contract) read(file string, withNotes bool) (map[string]any, error) {
	c.mu.Lock()
	err, done := c.loaded[file]
	c.mu.Unlock()
	if done && err != nil {
		return nil, err
	}
	// A trusted file's catalogue, most of a large file, is read when one
	// of its rules is first looked up (rule): a valid document needs none.
	f, deferredAt, err := readSchemaFile(c.files, file, c.trusted)
	if err == nil && f.APIVersion != c.apiVersion {
		err = fmt.Errorf("schema %s is for API version %s, the index for %s", file, f.APIVersion, c.apiVersion)
	}
	if err == nil && f.ID != c.base+file {
		err = fmt.Errorf("schema %s has $id %s, not %s", file, f.ID, c.base+file)
	}
	if err == nil {
		err = objectSchemas(file, f.Doc)
	}
	// Reading a trusted file for the compilers indexes its annotations
	// too, rather than reading it again for them: loadNotes would parse
	// all of it, its catalogue as well.
	var notes map[string]*annotation
	if err == nil && (!c.trusted || withNotes) {
		notes = map[string]*annotation{}
		indexNotes(notes, f.Doc, "", "", nil, false)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.loaded[file] = err
		return nil, err
	}
	if err, done := c.loaded[file]; done {
		if err != nil {
			return nil, err
		}
		if notes != nil { // read before without them
			c.metaMu.Lock()
			if _, un := c.unindexed[f.ID]; un {
				delete(c.unindexed, f.ID)
				c.notes[f.ID] = notes
			}
			c.metaMu.Unlock()
		}
		return f.Doc, nil
	}
	c.metaMu.Lock()
	defer c.metaMu.Unlock()
	if deferredAt != nil {
		c.deferred[file] = deferredAt
	} else if err := c.addRules(file, f.Rules); err != nil {
		c.loaded[file] = err
		return nil, err
	}
	// A trusted contract's files pass this check in the tests
	// (TestTrustedContractsReadTheSameRules).
	if !c.trusted {
		if err := checkAnnotations(f.ID, notes, c.rules); err != nil {
			c.loaded[file] = err
			return nil, err
		}
	}
	if notes != nil {
		c.notes[f.ID] = notes
	} else {
		c.unindexed[f.ID] = file
	}
	c.hasPartial[file] = hasPartial(f.Doc)
	c.loaded[file] = nil
	return f.Doc, nil
}

// addRules adds file's catalogue to the contract's rules: no rule may be
// defined twice, and the rules a file says Go checks must be ones this
// package checks, and this package's in the files of the resources they
// are about. The caller holds metaMu.
func (c *contract) addRules(file string, rules []Rule) error {
	for _, r := range rules {
		if old, dup := c.rules[r.ID]; dup {
			return fmt.Errorf("%s: rule %s is also defined in %s", file, r.ID, cmp.Or(old.File, "the validator's own rules"))
		}
	}
	for i := range rules {
		c.rules[rules[i].ID] = &rules[i]
	}
	return checkGoRules(file, rules)
}

// objectSchemas checks what the fast path assumes of every file it
// follows a reference into (lazyref.go): the file's entries, its root and
// its partial form, admit objects alone ("type": "object"), so a value of
// another type fails there without the file being compiled.
func objectSchemas(file string, doc map[string]any) error {
	if doc["type"] != "object" {
		return fmt.Errorf("schema %s: its root is not of type object", file)
	}
	if defs, ok := doc["$defs"].(map[string]any); ok {
		if partial, ok := defs["partial"].(map[string]any); ok && partial["type"] != "object" {
			return fmt.Errorf("schema %s: its %s is not of type object", file, partialDef)
		}
	}
	return nil
}

// fileOfRule is the file whose catalogue would define the rule id: that of
// the longest resource or envelope name id starts with
// ("radar.value_list.name.json-type": radar.value_list's), or "".
func (c *contract) fileOfRule(id string) string {
	for i := len(id) - 1; i > 0; i-- {
		if id[i] != '.' {
			continue
		}
		if f := c.index.fileOf[Kind(id[:i])]; f != "" {
			return f
		}
	}
	return ""
}

// note returns the annotation of the subschema at the absolute location
// loc, or nil.
func (c *contract) note(loc string) *annotation {
	id, frag, _ := strings.Cut(loc, "#")
	c.metaMu.RLock()
	notes, indexed := c.notes[id]
	c.metaMu.RUnlock()
	if !indexed {
		c.loadNotes(id)
		c.metaMu.RLock()
		notes = c.notes[id]
		c.metaMu.RUnlock()
	}
	return notes[frag]
}

// readDeferred runs read under file's deferred-read lock if pending,
// asked under metaMu's read lock before and after that lock is taken,
// holds: what read deferred is read once, by whichever worker asks first,
// and the others wait for it. The caller then looks again for what it
// wanted. Each file has a lock of its own: a worker explaining a document
// of one resource does not wait for another reading a second resource's
// catalogue (with one lock for all, that was 8 ms of one worker's waits in
// the first 60 ms of a traced two-worker run of the mixed benchmark).
func (c *contract) readDeferred(file string, pending func() bool, read func()) {
	c.metaMu.RLock()
	p := pending()
	c.metaMu.RUnlock()
	if !p {
		return
	}
	lock := c.deferLock(file)
	lock.Lock()
	defer lock.Unlock()
	c.metaMu.RLock()
	p = pending()
	c.metaMu.RUnlock()
	if p {
		read()
	}
}

// deferLock is the lock that serializes the reads of file's deferred
// catalogue and annotations.
func (c *contract) deferLock(file string) *sync.Mutex {
	c.metaMu.Lock()
	defer c.metaMu.Unlock()
	lock := c.deferLocks[file]
	if lock == nil {
		if c.deferLocks == nil {
			c.deferLocks = map[string]*sync.Mutex{}
		}
		lock = &sync.Mutex{}
		c.deferLocks[file] = lock
	}
	return lock
}

// loadNotes indexes the annotations of the file whose $id is id, if read
// deferred them. A file that cannot be read again has none, and allRules
// reports why.
func (c *contract) loadNotes(id string) {
	c.metaMu.RLock()
	file, ok := c.unindexed[id]
	c.metaMu.RUnlock()
	if !ok {
		return
	}
	catalogue := false // its catalogue is deferred too
	c.readDeferred(file, func() bool {
		_, ok := c.unindexed[id]
		_, catalogue = c.deferred[file]
		return ok
	}, func() {
		// An explanation looks up the rules the annotations name next: the
		// file is read once for both.
		f, _, err := readSchemaFile(c.files, file, !catalogue)
		var notes map[string]*annotation
		if err == nil {
			notes = map[string]*annotation{}
			indexNotes(notes, f.Doc, "", "", nil, false)
		}
		c.metaMu.Lock()
		defer c.metaMu.Unlock()
		delete(c.unindexed, id)
		if err == nil && catalogue {
			delete(c.deferred, file)
			err = c.addRules(file, f.Rules)
		}
		if err != nil {
			c.catErrs[file] = err
			return
		}
		c.notes[id] = notes
	})
}

// rule returns the rule with the given ID, among the files read so far:
// reading, if it was deferred, the catalogue of the file the ID names
// (fileOfRule).
func (c *contract) rule(id string) (Rule, bool) {
	c.metaMu.RLock()
	r, ok := c.rules[id]
	c.metaMu.RUnlock()
	if !ok {
		c.loadCatalogue(c.fileOfRule(id))
		c.metaMu.RLock()
		r, ok = c.rules[id]
		c.metaMu.RUnlock()
	}
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

// loadCatalogue reads file's deferred catalogue, if it is, and adds its
// rules. A catalogue that cannot be read adds none, and allRules reports
// why.
func (c *contract) loadCatalogue(file string) {
	var at []int
	c.readDeferred(file, func() bool {
		var ok bool
		at, ok = c.deferred[file]
		return ok
	}, func() {
		rules, err := readCatalogueAt(c.files, file, at)
		c.metaMu.Lock()
		defer c.metaMu.Unlock()
		delete(c.deferred, file)
		if err == nil {
			err = c.addRules(file, rules)
		}
		if err != nil {
			c.catErrs[file] = err
		}
	})
}

// allRules reads every file's catalogue and returns every rule.
func (c *contract) allRules() (map[string]Rule, error) {
	names, err := schemas.Files(c.files)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := c.load(n); err != nil {
			return nil, err
		}
		c.loadCatalogue(n)
	}
	c.metaMu.RLock()
	defer c.metaMu.RUnlock()
	for _, n := range names {
		if err := c.catErrs[n]; err != nil {
			return nil, err
		}
	}
	all := make(map[string]Rule, len(c.rules))
	for id, r := range c.rules {
		all[id] = *r
	}
	return all, nil
}

// hasPartial reports whether a schema file has a partial form
// (partialDef), one of its entries.
func hasPartial(doc map[string]any) bool {
	defs, _ := doc["$defs"].(map[string]any)
	_, ok := defs["partial"].(map[string]any)
	return ok
}

// indexNotes walks a schema file, recording each subschema's annotations
// under its location in the file, a JSON pointer (jsonschema/v5 reports
// the absolute location "<$id>#<pointer>": contract.note splits it).
func indexNotes(notes map[string]*annotation, node map[string]any, loc, inherited string, path []string, covered bool) {
	a := &annotation{Note: explain.ReadNote(node, inherited), path: path, covered: covered}
	inherited = a.Rule
	for _, kw := range constraintKeywords {
		if _, ok := node[kw]; ok {
			a.keywords = append(a.keywords, kw)
		}
	}
	if u, ok := node["x-undocumented"].(string); ok {
		a.undocumented = u
	}
	for _, r := range asList(node["required"]) {
		if s, ok := r.(string); ok {
			a.required = append(a.required, s)
		}
	}
	notes[loc] = a

	for key, v := range node {
		switch key {
		case "properties", "$defs":
			members, _ := v.(map[string]any)
			for name, sub := range members {
				sm, ok := sub.(map[string]any)
				if !ok {
					continue
				}
				if key == "properties" {
					indexNotes(notes, sm, loc+"/properties/"+pointer.Escape(name), inherited, append(append([]string(nil), path...), name), covered)
				} else {
					indexNotes(notes, sm, loc+"/$defs/"+pointer.Escape(name), "", nil, true)
				}
			}
		case "items", "not", "if", "then", "else", "additionalProperties", "unevaluatedProperties":
			if sm, ok := v.(map[string]any); ok {
				indexNotes(notes, sm, loc+"/"+key, inherited, path, covered || key == "not")
				if key == "if" && node["x-dispatch"] != true {
					if props, ok := sm["properties"].(map[string]any); ok {
						for name := range props {
							a.conditions = append(a.conditions, name)
						}
					}
				}
			}
		case "allOf", "anyOf", "oneOf":
			for i, sub := range asList(v) {
				if sm, ok := sub.(map[string]any); ok {
					indexNotes(notes, sm, loc+"/"+key+"/"+strconv.Itoa(i), inherited, path, covered || key != "allOf")
				}
			}
		}
	}
}

// checkAnnotations makes sure every constraint keyword in the files maps to
// a rule the catalogues define, so no failure is ever reported unnamed.
func checkAnnotations(id string, notes map[string]*annotation, rules map[string]*Rule) error {
	var problems []string
	for frag, a := range notes {
		loc := id + "#" + frag
		if !a.covered && a.Rule == "" {
			for _, kw := range a.keywords {
				if kw == "required" {
					for _, p := range a.required {
						if child := notes[frag+"/properties/"+pointer.Escape(p)]; child == nil || child.Rules.Of("required") == "" {
							problems = append(problems, fmt.Sprintf("%s: required property %q has no rule", loc, p))
						}
					}
				} else if a.Rules.Of(kw) == "" && kw != "$ref" { // a bare $ref reports its target's rules
					problems = append(problems, fmt.Sprintf("%s: keyword %s has no rule", loc, kw))
				}
			}
		}
		for _, kr := range a.Rules {
			if _, ok := rules[kr.Rule]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-rules.%s names undefined rule %q", loc, kr.Keyword, kr.Rule))
			}
		}
		if a.Rule != "" {
			if _, ok := rules[a.Rule]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-rule names undefined rule %q", loc, a.Rule))
			}
		}
		if a.undocumented != "" {
			if _, ok := rules[a.undocumented]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-undocumented names undefined rule %q", loc, a.undocumented))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("schema annotations: %s", strings.Join(problems, "; "))
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// valueAt resolves a pointer in a decoded document.
func valueAt(doc any, p string) (any, bool) { return descend(doc, pointer.Split(p)) }

// descend follows member names and array indexes from doc; false when one
// leads nowhere.
func descend(doc any, segs []string) (any, bool) {
	cur := doc
	for _, seg := range segs {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
