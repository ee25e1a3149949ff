package steps

import (
	"testing"

	"github.com/s3repl/s3repl/awsops/policy"
)

// FuzzMergeMoved: moving s3repl's inline policy into its managed policy never panics,
// never drops a statement s3repl did not write (from either policy), and merging the
// result again changes nothing.
func FuzzMergeMoved(f *testing.F) {
	f.Add("", `{"Version":"2012-10-17","Statement":[{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit/*"}]}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::a/*"]},{"Sid":"S3replReadSourceBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::old"}]}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D`)
	f.Add("{", "[]")
	ours := freshFacts(f).RolePolicyStatements()
	f.Fuzz(func(t *testing.T, managed, inline string) {
		doc, conflict, err := mergeMoved(managed, inline, ours)
		if err != nil || conflict != "" {
			return
		}
		for _, source := range []string{managed, inline} {
			parsed, err := policy.Parse(source)
			if err != nil {
				t.Fatalf("merged a document that does not parse: %q", source)
			}
			for _, st := range parsed.Statements() {
				if !holds(doc, st) {
					t.Fatalf("statement %s was dropped:\nmanaged %s\ninline %s\nresult %s", st, managed, inline, doc)
				}
			}
		}
		again, conflict, err := mergeMoved(doc.String(), inline, ours)
		if err != nil || conflict != "" {
			t.Fatalf("merging the result again: %v %q\nresult %s", err, conflict, doc)
		}
		if same, err := policy.EquivalentDocs(doc.String(), again.String()); err != nil || !same {
			t.Fatalf("merging twice differs from merging once:\nonce %s\ntwice %s", doc, again)
		}
	})
}

// freshFacts are the facts of the fresh setup's plan.
func freshFacts(tb testing.TB) Facts {
	tb.Helper()
	plan, err := BuildPlan(freshSetup(), freshState())
	if err != nil {
		tb.Fatal(err)
	}
	return plan.Facts
}
