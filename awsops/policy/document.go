// Package policy parses, normalises and merges IAM-style policy documents (identity
// policies, trust policies, key policies, bucket policies).
//
// Merging is by Sid: statements whose Sid we own are replaced or appended; every other
// statement, and every top-level field, is kept exactly as it was (same JSON, same order).
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

// Version is the policy language version of every document we write.
const Version = "2012-10-17"

// Statement is one statement we build. It is the typed statement of
// github.com/micahhausler/aws-iam-policy so we do not redefine the grammar.
type Statement = iam.Statement

// Document is a parsed policy that remembers each statement's original JSON.
type Document struct {
	fields     []field           // top-level members in their original order
	statements []json.RawMessage // original JSON of each statement
}

type field struct {
	name  string
	value json.RawMessage
}

// Parse reads a policy document. An empty string is an empty document. IAM returns
// documents URL-encoded; Parse decodes them when they do not start with '{'.
func Parse(doc string) (*Document, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return &Document{}, nil
	}
	if !strings.HasPrefix(doc, "{") {
		decoded, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, fmt.Errorf("policy is neither JSON nor URL-encoded JSON: %w", err)
		}
		doc = strings.TrimSpace(decoded)
	}
	if !json.Valid([]byte(doc)) {
		// a cut-off document would otherwise read as one with fewer statements, and a
		// merge would drop the rest
		return nil, fmt.Errorf("policy is not valid JSON (cut off, or text after it)")
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("policy is not a JSON object")
	}
	d := &Document{}
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("reading policy: %w", err)
		}
		key := keyTok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("reading policy member %q: %w", key, err)
		}
		if key == "Statement" {
			stmts, err := splitStatements(raw)
			if err != nil {
				return nil, err
			}
			d.statements = stmts
		}
		d.fields = append(d.fields, field{name: key, value: raw})
	}
	return d, nil
}

func splitStatements(raw json.RawMessage) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return []json.RawMessage{trimmed}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(trimmed, &list); err != nil {
		return nil, fmt.Errorf("policy Statement is neither an object nor a list: %w", err)
	}
	return list, nil
}

// Statements returns the original JSON of every statement, in order.
func (d *Document) Statements() []json.RawMessage { return d.statements }

// Sids returns the Sid of every statement ("" for statements without one).
func (d *Document) Sids() []string {
	sids := make([]string, len(d.statements))
	for i, s := range d.statements {
		sids[i] = sidOf(s)
	}
	return sids
}

// Statement returns the statement with the given Sid.
func (d *Document) Statement(sid string) (json.RawMessage, bool) {
	for _, s := range d.statements {
		if sidOf(s) == sid {
			return s, true
		}
	}
	return nil, false
}

// TypedStatements parses every statement into the typed form.
func (d *Document) TypedStatements() ([]Statement, error) {
	out := make([]Statement, 0, len(d.statements))
	for _, raw := range d.statements {
		var s Statement
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("statement %q: %w", sidOf(raw), err)
		}
		out = append(out, s)
	}
	return out, nil
}

func sidOf(raw json.RawMessage) string {
	var s struct{ Sid string }
	_ = json.Unmarshal(raw, &s)
	return s.Sid
}

// Upsert puts each of ours into the document: a statement with the same Sid is
// replaced where it stands, unless it already means the same; others are appended.
// It reports whether the document's meaning changed. Statements with other Sids and
// other top-level members are untouched.
func (d *Document) Upsert(ours ...Statement) (changed bool, err error) {
	for _, st := range ours {
		if st.Sid == "" {
			return changed, fmt.Errorf("statement without Sid cannot be merged")
		}
		if !utf8.ValidString(st.Sid) {
			// JSON would carry it as another Sid, so a second merge would add it again
			return changed, fmt.Errorf("statement Sid %q is not valid UTF-8", st.Sid)
		}
		raw, err := MarshalStatement(st)
		if err != nil {
			return changed, err
		}
		idx := d.indexOf(st.Sid)
		if idx < 0 {
			d.statements = append(d.statements, raw)
			changed = true
			continue
		}
		same, err := Equivalent(d.statements[idx], raw)
		if err != nil {
			return changed, err
		}
		if !same {
			d.statements[idx] = raw
			changed = true
		}
	}
	return changed, nil
}

// MarshalStatement renders a statement with its members in the order people write
// them (Sid, Effect, Principal, Action, Resource, Condition), not alphabetically.
func MarshalStatement(st Statement) (json.RawMessage, error) {
	type ordered struct {
		Sid          string          `json:"Sid,omitempty"`
		Effect       string          `json:"Effect"`
		Principal    json.RawMessage `json:"Principal,omitempty"`
		NotPrincipal json.RawMessage `json:"NotPrincipal,omitempty"`
		Action       json.RawMessage `json:"Action,omitempty"`
		NotAction    json.RawMessage `json:"NotAction,omitempty"`
		Resource     json.RawMessage `json:"Resource,omitempty"`
		NotResource  json.RawMessage `json:"NotResource,omitempty"`
		Condition    json.RawMessage `json:"Condition,omitempty"`
	}
	out := ordered{Sid: st.Sid, Effect: st.Effect}
	var err error
	fields := []struct {
		dst *json.RawMessage
		src any
		set bool
	}{
		{&out.Principal, st.Principal, st.Principal != nil},
		{&out.NotPrincipal, st.NotPrincipal, st.NotPrincipal != nil},
		{&out.Action, st.Action, st.Action != nil},
		{&out.NotAction, st.NotAction, st.NotAction != nil},
		{&out.Resource, st.Resource, st.Resource != nil},
		{&out.NotResource, st.NotResource, st.NotResource != nil},
		{&out.Condition, st.Condition, st.Condition != nil},
	}
	for _, f := range fields {
		if f.set {
			if *f.dst, err = json.Marshal(f.src); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(out)
}

// Append adds a statement given as JSON, as it is, after the others: for statements
// s3repl does not build, such as a demo's guardrail or a test's break.
func (d *Document) Append(statement json.RawMessage) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(statement, &probe); err != nil {
		return fmt.Errorf("a statement must be a JSON object: %w", err)
	}
	d.statements = append(d.statements, slices.Clone(statement))
	return nil
}

// Remove drops the statements with the given Sids and reports whether any was there.
func (d *Document) Remove(sids ...string) bool {
	drop := map[string]bool{}
	for _, s := range sids {
		drop[s] = true
	}
	kept := d.statements[:0]
	removed := false
	for _, s := range d.statements {
		if sid := sidOf(s); sid != "" && drop[sid] {
			removed = true
			continue
		}
		kept = append(kept, s)
	}
	d.statements = kept
	return removed
}

func (d *Document) indexOf(sid string) int {
	for i, s := range d.statements {
		if sidOf(s) == sid {
			return i
		}
	}
	return -1
}

// String renders the document as indented JSON: Version first for a new document,
// otherwise the original member order, with the statements as they now are. An
// existing document without Version keeps going without: AWS reads it as the
// 2008-10-17 language, where "${...}" in its statements is text, not a variable.
func (d *Document) String() string {
	var buf bytes.Buffer
	buf.WriteString("{")
	fields := d.fields
	if len(fields) == 0 {
		fields = append([]field{{name: "Version", value: json.RawMessage(`"` + Version + `"`)}}, fields...)
	}
	if !d.has("Statement") {
		fields = append(fields, field{name: "Statement"})
	}
	for i, f := range fields {
		if i > 0 {
			buf.WriteString(",")
		}
		name, _ := json.Marshal(f.name)
		buf.Write(name)
		buf.WriteString(":")
		if f.name == "Statement" {
			buf.WriteString("[")
			for j, s := range d.statements {
				if j > 0 {
					buf.WriteString(",")
				}
				buf.Write(s)
			}
			buf.WriteString("]")
			continue
		}
		buf.Write(f.value)
	}
	buf.WriteString("}")
	return Pretty(buf.String())
}

func (d *Document) has(name string) bool {
	for _, f := range d.fields {
		if f.name == name {
			return true
		}
	}
	return false
}

// Pretty indents a JSON document with two spaces, keeping member order. Invalid JSON
// is returned unchanged.
func Pretty(doc string) string {
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(doc), "", "  "); err != nil {
		return doc
	}
	return out.String()
}

// Equivalent reports whether two policy fragments (documents or statements) mean the
// same: it ignores formatting, member order, a single string versus a one-element
// list, and the order of values in lists.
func Equivalent(a, b []byte) (bool, error) {
	na, err := normalise(a)
	if err != nil {
		return false, err
	}
	nb, err := normalise(b)
	if err != nil {
		return false, err
	}
	return na == nb, nil
}

// EquivalentDocs is Equivalent for two whole documents given as strings; empty or
// URL-encoded documents are handled as Parse handles them.
func EquivalentDocs(a, b string) (bool, error) {
	da, err := Parse(a)
	if err != nil {
		return false, err
	}
	db, err := Parse(b)
	if err != nil {
		return false, err
	}
	if len(da.fields) == 0 || len(db.fields) == 0 {
		return len(da.fields) == len(db.fields), nil
	}
	return Equivalent([]byte(da.String()), []byte(db.String()))
}

func normalise(raw []byte) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.Marshal(canonical(v))
	return string(out), err
}

// canonical turns every list into a sorted list and every scalar that stands where a
// list may stand into a one-element list, so equivalent documents compare equal.
func canonical(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if k == "Statement" {
				if obj, ok := val.(map[string]any); ok {
					val = []any{obj}
				}
			}
			out[k] = canonical(val)
		}
		return out
	case []any:
		items := make([]string, len(t))
		for i, item := range t {
			b, _ := json.Marshal(canonicalItem(item))
			items[i] = string(b)
		}
		sort.Strings(items)
		items = dedupe(items)
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = json.RawMessage(item)
		}
		return out
	case string, json.Number, bool:
		return []any{t}
	}
	return v
}

// canonicalItem is canonical for a member of a list, where scalars stay scalars.
func canonicalItem(v any) any {
	switch v.(type) {
	case string, json.Number, bool:
		return v
	}
	return canonical(v)
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// Compact is doc without insignificant white space, as s3repl sends documents: AWS
// counts a document's size as sent (IAM leaves white space out of its count, S3 and
// KMS do not). A document that is not JSON comes back unchanged.
func Compact(doc string) string {
	var out bytes.Buffer
	if err := json.Compact(&out, []byte(doc)); err != nil {
		return doc
	}
	return out.String()
}

// IAMSize is a document's size as IAM counts it against its quotas: characters,
// white space not counted [reference_iam-quotas].
func IAMSize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
