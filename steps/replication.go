package steps

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/s3repl/s3repl/awsops/policy"
)

// replicationConfig is a replication configuration whose rules we did not write are
// kept as their original JSON.
type replicationConfig struct {
	Role  string            `json:"Role"`
	Rules []json.RawMessage `json:"Rules"`
}

type ruleHeader struct {
	ID       string
	Priority *int
	Filter   json.RawMessage
	Prefix   *string
}

func parseReplication(doc string) (replicationConfig, error) {
	var c replicationConfig
	if doc == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("reading the existing replication configuration: %w", err)
	}
	return c, nil
}

// RuleDocument builds the replication rule for a setup, in the S3 API's JSON shape.
func RuleDocument(s Setup, f Facts, priority int) map[string]any {
	dest := map[string]any{
		"Bucket":                  BucketARN(f.Partition, f.DestBucket),
		"EncryptionConfiguration": map[string]any{"ReplicaKmsKeyID": f.DestKeyARN},
	}
	if f.CrossAccount() || f.OwnerOverride {
		dest["Account"] = f.DestAccount
	}
	if f.OwnerOverride {
		dest["AccessControlTranslation"] = map[string]any{"Owner": "Destination"}
	}
	if s.Rule.StorageClass != "" {
		dest["StorageClass"] = s.Rule.StorageClass
	}
	if s.Rule.ReplicationTime {
		dest["ReplicationTime"] = map[string]any{"Status": "Enabled", "Time": map[string]any{"Minutes": 15}}
	}
	switch {
	case s.Rule.ReplicationTime:
		dest["Metrics"] = map[string]any{"Status": "Enabled", "EventThreshold": map[string]any{"Minutes": 15}}
	case s.Rule.Metrics:
		// S3 refuses an EventThreshold without RTC (InvalidArgument)
		dest["Metrics"] = map[string]any{"Status": "Enabled"}
	}
	criteria := map[string]any{"SseKmsEncryptedObjects": map[string]any{"Status": "Enabled"}}
	if s.Rule.ReplicaModifications {
		criteria["ReplicaModifications"] = map[string]any{"Status": "Enabled"}
	}
	return map[string]any{
		"ID":                      s.RuleID(),
		"Priority":                priority,
		"Filter":                  ruleFilter(s.Rule),
		"Status":                  "Enabled",
		"SourceSelectionCriteria": criteria,
		"Destination":             dest,
		"DeleteMarkerReplication": map[string]any{"Status": enabled(s.Rule.DeleteMarkers)},
	}
}

func enabled(on bool) string {
	if on {
		return "Enabled"
	}
	return "Disabled"
}

func ruleFilter(r RuleSetup) map[string]any {
	if len(r.Tags) == 0 {
		return map[string]any{"Prefix": r.Prefix}
	}
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tags := make([]any, len(keys))
	for i, k := range keys {
		tags[i] = map[string]any{"Key": k, "Value": r.Tags[k]}
	}
	if len(tags) == 1 && r.Prefix == "" {
		return map[string]any{"Tag": tags[0]}
	}
	and := map[string]any{"Tags": tags}
	if r.Prefix != "" {
		and["Prefix"] = r.Prefix
	}
	return map[string]any{"And": and}
}

// MergeReplication puts our rule into an existing configuration: a rule with the same
// ID is replaced where it stands (keeping its priority), otherwise ours is appended
// with a free priority. Every other rule is kept as it was, except that rules in the
// V1 schema are rewritten as V2 with the same meaning (see upgradeV1); the
// configuration's role is kept when it has one. It reports whether anything changed.
func MergeReplication(existing string, s Setup, f Facts) (string, bool, error) {
	cfg, err := parseReplication(existing)
	if err != nil {
		return "", false, err
	}
	if cfg.Role == "" {
		cfg.Role = f.RoleARN
	}
	upgraded, err := upgradeV1(cfg.Rules)
	if err != nil {
		return "", false, err
	}
	index, priority, err := placeRule(cfg.Rules, s.RuleID())
	if err != nil {
		return "", false, err
	}
	ours, err := json.Marshal(RuleDocument(s, f, priority))
	if err != nil {
		return "", false, err
	}
	changed := true
	if index < 0 {
		cfg.Rules = append(cfg.Rules, ours)
	} else {
		if changed, err = ruleDiffers(cfg.Rules[index], ours); err != nil {
			return "", false, err
		}
		if changed {
			cfg.Rules[index] = ours
		}
		changed = changed || upgraded
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		return "", false, err
	}
	return policy.Pretty(string(out)), changed, nil
}

// V1Rules are the IDs of a configuration's rules in the V1 schema: a Prefix and no
// Filter.
func V1Rules(config string) []string {
	cfg, err := parseReplication(config)
	if err != nil {
		return nil
	}
	var ids []string
	for _, raw := range cfg.Rules {
		var h ruleHeader
		if json.Unmarshal(raw, &h) == nil && h.isV1() {
			ids = append(ids, h.ID)
		}
	}
	return ids
}

func (h ruleHeader) isV1() bool { return h.Filter == nil && h.Prefix != nil }

// upgradeV1 rewrites rules in the V1 schema as V2, in place, when any rule is V1: S3
// does not allow a V2 rule (ours) beside V1 rules. Each keeps what it does: its Prefix
// moves into Filter, it gets a Priority in its order (V1 prefixes cannot overlap, so
// the order decides nothing), and DeleteMarkerReplication Enabled, because V1 rules
// replicate delete markers. Every other member stays as it was. It reports whether
// it rewrote anything.
func upgradeV1(rules []json.RawMessage) (bool, error) {
	headers := make([]ruleHeader, len(rules))
	v1 := false
	for i, raw := range rules {
		if err := json.Unmarshal(raw, &headers[i]); err != nil {
			return false, fmt.Errorf("reading replication rule %d: %w", i+1, err)
		}
		v1 = v1 || headers[i].isV1()
	}
	if !v1 {
		return false, nil
	}
	taken := map[int]bool{}
	for _, h := range headers {
		if h.Priority != nil {
			taken[*h.Priority] = true
		}
	}
	next := 1
	for i, h := range headers {
		if !h.isV1() {
			continue
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(rules[i], &members); err != nil {
			return false, fmt.Errorf("reading replication rule %d: %w", i+1, err)
		}
		members["Filter"], _ = json.Marshal(map[string]json.RawMessage{"Prefix": members["Prefix"]})
		delete(members, "Prefix")
		if h.Priority == nil {
			for taken[next] {
				next++
			}
			taken[next] = true
			members["Priority"], _ = json.Marshal(next)
		}
		if _, ok := members["DeleteMarkerReplication"]; !ok {
			members["DeleteMarkerReplication"] = json.RawMessage(`{"Status":"Enabled"}`)
		}
		upgraded, err := json.Marshal(members)
		if err != nil {
			return false, err
		}
		rules[i] = upgraded
	}
	return true, nil
}

// placeRule finds our rule (its index, -1 when absent) and the priority it gets.
func placeRule(rules []json.RawMessage, id string) (int, int, error) {
	index, highest := -1, 0
	var ourPriority *int
	for i, raw := range rules {
		var h ruleHeader
		if err := json.Unmarshal(raw, &h); err != nil {
			return 0, 0, fmt.Errorf("reading replication rule %d: %w", i+1, err)
		}
		if h.Priority != nil && *h.Priority > highest {
			highest = *h.Priority
		}
		if h.ID == id {
			index, ourPriority = i, h.Priority
		}
	}
	if ourPriority != nil {
		return index, *ourPriority, nil
	}
	if len(rules) == 0 {
		return index, 1, nil
	}
	return index, highest + 1, nil
}

// ruleDiffers reports whether the existing rule lacks anything of ours, has it
// different, or has an option ours leaves out (the setup turned it off). Fields S3
// adds on its own (defaults) do not count.
func ruleDiffers(existing, ours json.RawMessage) (bool, error) {
	var have, want any
	if err := json.Unmarshal(existing, &have); err != nil {
		return false, err
	}
	if err := json.Unmarshal(ours, &want); err != nil {
		return false, err
	}
	return !covers(have, want) || hasDroppedOption(have, want), nil
}

// ruleOptions are the members of a rule a setup turns on or off: present in the
// existing rule and absent from ours, the setup has turned them off.
var ruleOptions = [][]string{
	{"Destination", "AccessControlTranslation"},
	{"Destination", "StorageClass"},
	{"Destination", "ReplicationTime"},
	{"Destination", "Metrics"},
	{"SourceSelectionCriteria", "ReplicaModifications"},
	{"Filter", "Tag"},
	{"Filter", "And"},
}

func hasDroppedOption(have, want any) bool {
	for _, path := range ruleOptions {
		if h := member(have, path); h != nil && member(want, path) == nil && !disabled(h) {
			return true
		}
	}
	return false
}

// member is the value at path in a JSON object, nil when absent.
func member(v any, path []string) any {
	for _, name := range path {
		object, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = object[name]
	}
	return v
}

// disabled reports whether an option is there but off ({"Status":"Disabled"}), as S3
// may return options nobody set.
func disabled(v any) bool {
	object, ok := v.(map[string]any)
	return ok && object["Status"] == "Disabled"
}

// covers reports whether have contains want: every member of want is in have with a
// value that covers it.
func covers(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !covers(h[k], wv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !covers(h[i], w[i]) {
				return false
			}
		}
		return true
	}
	if want == "" && have == nil {
		return true // S3 may leave out an empty prefix
	}
	hb, _ := json.Marshal(have)
	wb, _ := json.Marshal(want)
	return string(hb) == string(wb)
}
