package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetupFileProblemsInItsOwnTerms: the YAML decoder's words (EOF, !!seq, Go type
// names) are replaced by what is wrong with the file; a second document is refused.
func TestSetupFileProblemsInItsOwnTerms(t *testing.T) {
	cases := map[string]struct{ text, want string }{
		"empty":             {"", "the file is empty"},
		"a list":            {"- a\n", "expected a section of key: value pairs here, found a list"},
		"unknown field":     {"source: {bukcet: x}\n", `unknown field "bukcet" under source`},
		"list for a name":   {"source: {bucket: [a]}\n", "expected a text value here, found a list"},
		"word for a bool":   {"rule: {ownerOverride: maybe}\n", "expected true or false here, found the text maybe"},
		"second document":   {"source: {bucket: a-src}\n---\nsource: {bucket: b-src}\n", "more than one document"},
		"unknown top level": {"sauce: {}\n", `unknown field "sauce" under the top level`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "setup.yaml")
			if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadSetup(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "steps.") || strings.Contains(err.Error(), "!!") {
				t.Fatalf("the message speaks Go or YAML internals: %v", err)
			}
		})
	}
}
