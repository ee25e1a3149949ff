package policy

import (
	"net/url"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	iam "github.com/micahhausler/aws-iam-policy/policy"
)

const theirs = `{"Id":"theirs","Version":"2012-10-17","Statement":[
 {"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Custom":"kept"}]}`

func ours(actions ...string) Statement {
	return Statement{Sid: "Ours", Effect: iam.EffectAllow, Principal: iam.NewAWSPrincipal("arn:aws:iam::2:role/r"),
		Action: iam.NewStringOrSlice(false, actions...), Resource: iam.NewStringOrSlice(true, "*")}
}

func TestUpsertAppendsAndKeepsOthers(t *testing.T) {
	doc, err := Parse(theirs)
	if err != nil {
		t.Fatal(err)
	}
	changed, err := doc.Upsert(ours("kms:Encrypt"))
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	golden.RequireEqual(t, doc.String())
	if got := doc.Sids(); strings.Join(got, ",") != "DenyInsecure,,Ours" {
		t.Fatalf("sids %v", got)
	}
}

func TestUpsertReplacesInPlaceAndIsIdempotent(t *testing.T) {
	doc, _ := Parse(theirs)
	_, _ = doc.Upsert(ours("kms:Encrypt"))
	again, _ := Parse(doc.String())
	if changed, _ := again.Upsert(ours("kms:Encrypt")); changed {
		t.Fatal("same statement again must not change the document")
	}
	if changed, _ := again.Upsert(ours("kms:Encrypt", "kms:GenerateDataKey")); !changed {
		t.Fatal("a different statement must change the document")
	}
	if got := again.Sids(); strings.Join(got, ",") != "DenyInsecure,,Ours" {
		t.Fatalf("replaced statement must stay in place: %v", got)
	}
	if !strings.Contains(again.String(), `"Custom": "kept"`) {
		t.Fatal("unknown members of foreign statements must be kept")
	}
}

func TestParseSingleStatementAndURLEncoded(t *testing.T) {
	single := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	doc, err := Parse(url.QueryEscape(single))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements()) != 1 {
		t.Fatalf("statements: %d", len(doc.Statements()))
	}
	same, err := EquivalentDocs(single, doc.String())
	if err != nil || !same {
		t.Fatalf("a single statement object and a one-element list mean the same (%v)", err)
	}
}

func TestEquivalentIgnoresOrderAndSingularForm(t *testing.T) {
	a := `{"Effect":"Allow","Action":["s3:B","s3:A"],"Resource":"x"}`
	b := `{"Resource":["x"],"Action":["s3:A","s3:B"],"Effect":"Allow"}`
	c := `{"Resource":["x"],"Action":["s3:A"],"Effect":"Allow"}`
	if same, _ := Equivalent([]byte(a), []byte(b)); !same {
		t.Fatal("a and b mean the same")
	}
	if same, _ := Equivalent([]byte(a), []byte(c)); same {
		t.Fatal("a and c differ")
	}
}

func TestEmptyDocumentAndRemove(t *testing.T) {
	doc, _ := Parse("")
	_, _ = doc.Upsert(ours("kms:Decrypt"))
	if !strings.HasPrefix(doc.String(), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\"") {
		t.Fatalf("new document: %s", doc.String())
	}
	if !doc.Remove("Ours") || len(doc.Statements()) != 0 {
		t.Fatal("remove")
	}
	if _, err := doc.Upsert(Statement{Effect: "Allow"}); err == nil {
		t.Fatal("a statement without Sid cannot be merged")
	}
	if _, err := Parse("[1]"); err == nil {
		t.Fatal("not an object")
	}
}

func TestAppendKeepsTheStatementAsGiven(t *testing.T) {
	doc, err := Parse(theirs)
	if err != nil {
		t.Fatal(err)
	}
	guardrail := `{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Custom":1}`
	if err := doc.Append([]byte(guardrail)); err != nil {
		t.Fatal(err)
	}
	if err := doc.Append([]byte(`["not", "an", "object"]`)); err == nil {
		t.Fatal("a JSON array was taken for a statement")
	}
	again, err := Parse(doc.String())
	if err != nil {
		t.Fatal(err)
	}
	got, ok := again.Statement("Guard")
	if !ok || !strings.Contains(string(got), `"Custom": 1`) && !strings.Contains(string(got), `"Custom":1`) {
		t.Fatalf("the appended statement is not there as given:\n%s", doc.String())
	}
	if strings.Join(again.Sids(), ",") != "DenyInsecure,,Guard" {
		t.Fatalf("sids %v", again.Sids())
	}
}

// TestVersionlessDocumentStaysVersionless: a policy without Version is read by AWS in
// the 2008-10-17 language, where "${aws:username}" is text. Adding Version to it
// changed what a statement s3repl did not write means, and the journal's "before"
// was not what was there.
func TestVersionlessDocumentStaysVersionless(t *testing.T) {
	theirs := `{"Statement":[{"Sid":"Home","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}]}`
	doc, err := Parse(theirs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc.String(), "Version") {
		t.Fatalf("a Version was added to the document as read:\n%s", doc.String())
	}
	if err := doc.Append([]byte(`{"Sid":"Ours","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::b/*"}`)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc.String(), "Version") {
		t.Fatalf("a Version was added when a statement was merged:\n%s", doc.String())
	}
	fresh, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fresh.String(), `"Version": "2012-10-17"`) {
		t.Fatalf("a new document has no Version:\n%s", fresh.String())
	}
}

// TestParseRefusesCutOffDocuments: Parse read "{" as an empty policy and
// `{"Statement":[...]` as a complete one, so a merge into a cut-off document would have
// dropped the statements cut off. Found by FuzzParse's "accepts only JSON" property.
func TestParseRefusesCutOffDocuments(t *testing.T) {
	for _, doc := range []string{`{`, `{"Statement":[]`, `{"Version":"2012-10-17"} {"Statement":[]}`, `%7B%22Statement%22%3A%5B`} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%q) accepted it", doc)
		}
	}
}
