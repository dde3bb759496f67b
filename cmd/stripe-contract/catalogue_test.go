package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// catalogued is the rule catalogue as `stripe-contract rules --format json`
// lists it: ID → aspect.
func catalogued() map[string]string {
	session := stripeContract("", "rules", "--format", "json")
	Expect(session).To(gexec.Exit(0))
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(session.Out.Contents()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ ID, Aspect, Summary, Doc, Source string }
		Expect(json.Unmarshal(sc.Bytes(), &r)).To(Succeed(), "line %q", sc.Text())
		Expect([]string{r.Summary, r.Doc, r.Source}).NotTo(ContainElement(""), "rule %s lacks its documentation", r.ID)
		out[r.ID] = r.Aspect
	}
	return out
}

// declaredRules finds, by parsing the module's source, every rule ID a
// package declares for its findings: string constants named Rule* or rule*
// and the sdk package's Kind constants, each with where it stands.
func declaredRules(roots ...string) map[string]string {
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, root := range roots {
		Expect(filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					kind := ""
					if id, ok := vs.Type.(*ast.Ident); ok {
						kind = id.Name
					}
					for i, name := range vs.Names {
						if i >= len(vs.Values) {
							continue
						}
						lit, ok := vs.Values[i].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						isRule := regexp.MustCompile(`^[Rr]ule[A-Z]`).MatchString(name.Name) || (kind == "Kind" && f.Name.Name == "sdk")
						if !isRule {
							continue
						}
						v, err := strconv.Unquote(lit.Value)
						Expect(err).NotTo(HaveOccurred())
						found[v] = fset.Position(name.Pos()).String()
					}
				}
			}
			return nil
		})).To(Succeed())
	}
	return found
}

// emittedRules collects the rule of every finding in a command's JSON
// output: validate's violations, replay's deviations, webhooks' failures.
func emittedRules(out []byte, into map[string]bool) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Violations []struct{ Rule string } `json:"violations"`
			Deviations []struct{ Rule string } `json:"deviations"`
		}
		Expect(json.Unmarshal(sc.Bytes(), &line)).To(Succeed(), "line %q", sc.Text())
		for _, v := range append(line.Violations, line.Deviations...) {
			into[v.Rule] = true
		}
	}
}

var _ = Describe("the rule catalogue", func() {
	It("lists every rule ID a package declares for its findings", func() {
		cat := catalogued()
		declared := declaredRules("../../validators", "../../suites", "../../recorder", "../../cmd")
		Expect(len(declared)).To(BeNumerically(">", 30), "the scan found too few rule declarations: %v", declared)
		var missing []string
		for id, where := range declared {
			if _, ok := cat[id]; !ok {
				missing = append(missing, id+" ("+where+")")
			}
		}
		slices.Sort(missing)
		Expect(missing).To(BeEmpty(), "declared rules the catalogue (stripe-contract rules) lacks")
	})

	It("lists every rule the commands emit on the bundled data", func() {
		cat := catalogued()
		emitted := map[string]bool{}
		for _, args := range [][]string{
			{"validate", "--format", "json", "../../../schemas/examples", "input", "../../../cassettes"},
			{"validate", "--format", "json", "--strict", "--max-depth", "3", "input"},
		} {
			session := stripeContract("", args...)
			Eventually(session).Should(gexec.Exit())
			emittedRules(session.Out.Contents(), emitted)
		}
		for _, target := range []string{"replay", "stripe-mock"} {
			session := runReplay(nil, "--target", target, "--cassettes", bundledCassettes, "--format", "json")
			Expect(session.ExitCode()).To(BeNumerically("<", 2), "stderr: %s", session.Err.Contents())
			emittedRules(session.Out.Contents(), emitted)
		}
		refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "no", http.StatusInternalServerError)
		}))
		DeferCleanup(refusing.Close)
		cmd := exec.Command(binary, "webhooks", "--cassettes", bundledCassettes, "--target", refusing.URL, "--format", "json")
		session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(session, time.Minute).Should(gexec.Exit(1))
		emittedRules(session.Out.Contents(), emitted)
		// record needs an upstream: its golden run's report stands for it.
		recorded, err := os.ReadFile(filepath.Join("testdata", "golden", "record.json.golden"))
		Expect(err).NotTo(HaveOccurred())
		emittedRules(recorded, emitted)

		// The runs reach the rules of every front door, else this spec guards little.
		Expect(emitted).To(HaveKey("webhook.delivery"))
		Expect(emitted).To(HaveKey("replay.status"))
		Expect(emitted).To(HaveKey("pagination.cursor"))
		Expect(emitted).To(HaveKey("json.too-deep"))
		var missing []string
		for id := range emitted {
			if _, ok := cat[id]; !ok {
				missing = append(missing, id)
			}
		}
		slices.Sort(missing)
		Expect(missing).To(BeEmpty(), "rules a report emitted that the catalogue (stripe-contract rules) lacks")
	})
})
