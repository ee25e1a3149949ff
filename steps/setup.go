// Package steps holds the setup knowledge: what the user wants (Setup), what exists
// (Inspect), what must change (Plan), Apply with a journal, and the checks behind them.
// It knows nothing of Bubble Tea and talks to AWS only through awsops.Account.
package steps

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Setup is what the user wants. Its YAML field names are a public contract.
type Setup struct {
	Source      SourceSetup      `yaml:"source" json:"source"`
	Destination DestinationSetup `yaml:"destination" json:"destination"`
	Role        RoleSetup        `yaml:"role" json:"role"`
	Rule        RuleSetup        `yaml:"rule" json:"rule"`
}

// SourceSetup names the bucket whose objects are replicated.
type SourceSetup struct {
	Profile string `yaml:"profile" json:"profile"`
	Region  string `yaml:"region,omitempty" json:"region,omitempty"`
	Bucket  string `yaml:"bucket" json:"bucket"`
	// KMSKeys are further keys the source's objects are encrypted with, beside the
	// bucket's default (objects uploaded naming a key): the role may decrypt only
	// with the keys it is granted, so objects under others FAIL.
	KMSKeys []string `yaml:"kmsKeys,omitempty" json:"kmsKeys,omitempty"`
}

// DestinationSetup names the bucket and key that receive the replicas.
type DestinationSetup struct {
	Profile      string `yaml:"profile" json:"profile"`
	Region       string `yaml:"region,omitempty" json:"region,omitempty"`
	Bucket       string `yaml:"bucket" json:"bucket"`
	CreateBucket bool   `yaml:"createBucket,omitempty" json:"createBucket,omitempty"`
	KMSKey       string `yaml:"kmsKey" json:"kmsKey"`
	CreateKey    bool   `yaml:"createKey,omitempty" json:"createKey,omitempty"`
}

// RoleSetup names the replication role: a name to create or extend, or the ARN of an
// existing role.
type RoleSetup struct {
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	ARN  string `yaml:"arn,omitempty" json:"arn,omitempty"`
}

// RuleSetup is the replication rule we add or update.
type RuleSetup struct {
	ID                   string            `yaml:"id" json:"id"`
	Prefix               string            `yaml:"prefix" json:"prefix"`
	Tags                 map[string]string `yaml:"tags" json:"tags"`
	StorageClass         string            `yaml:"storageClass" json:"storageClass"`
	DeleteMarkers        bool              `yaml:"deleteMarkers" json:"deleteMarkers"`
	ReplicaModifications bool              `yaml:"replicaModifications" json:"replicaModifications"`
	ReplicationTime      bool              `yaml:"replicationTime" json:"replicationTime"`
	Metrics              bool              `yaml:"metrics" json:"metrics"`
	// OwnerOverride is a pointer so that "not said" can default to true across accounts.
	OwnerOverride *bool `yaml:"ownerOverride,omitempty" json:"ownerOverride,omitempty"`
}

// LoadSetup reads a setup file (YAML; JSON is valid YAML). Unknown fields are errors,
// so a typo does not silently become a default.
func LoadSetup(path string) (Setup, error) {
	f, err := os.Open(path)
	if err != nil {
		return Setup{}, fmt.Errorf("reading setup file: %w", err)
	}
	defer f.Close()
	var s Setup
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return Setup{}, fmt.Errorf("setup file %s: %s", path, setupFileProblem(err))
	}
	var another any
	if err := dec.Decode(&another); !errors.Is(err, io.EOF) {
		return Setup{}, fmt.Errorf("setup file %s holds more than one document (---): give one setup per file", path)
	}
	return s, nil
}

var (
	unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type steps\.(\w+)`)
	wrongType    = regexp.MustCompile(`line (\d+): cannot unmarshal !!(\w+)(?: ` + "`([^`]*)`" + `)? into (\S+)`)
)

// setupFileProblem says what is wrong with a setup file in its own terms, not the
// YAML decoder's.
func setupFileProblem(err error) string {
	if errors.Is(err, io.EOF) {
		return "the file is empty: see the README's setup file for the fields"
	}
	text := err.Error()
	var problems []string
	for _, m := range unknownField.FindAllStringSubmatch(text, -1) {
		problems = append(problems, fmt.Sprintf("line %s: unknown field %q under %s (see the README's setup file for the fields)", m[1], m[2], sectionOf(m[3])))
	}
	for _, m := range wrongType.FindAllStringSubmatch(text, -1) {
		found := yamlKind(m[2])
		if m[3] != "" {
			found += " " + m[3]
		}
		problems = append(problems, fmt.Sprintf("line %s: expected %s here, found %s", m[1], kindOf(m[4]), found))
	}
	if len(problems) == 0 {
		return text
	}
	return strings.Join(problems, "; ")
}

func sectionOf(goType string) string {
	switch goType {
	case "Setup":
		return "the top level (source, destination, role, rule)"
	case "SourceSetup":
		return "source"
	case "DestinationSetup":
		return "destination"
	case "RoleSetup":
		return "role"
	case "RuleSetup":
		return "rule"
	}
	return goType
}

func kindOf(goType string) string {
	switch {
	case goType == "bool" || goType == "*bool":
		return "true or false"
	case goType == "string":
		return "a text value"
	case strings.HasPrefix(goType, "map"):
		return "key: value pairs"
	case strings.HasPrefix(goType, "steps."):
		return "a section of key: value pairs"
	}
	return goType
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "key: value pairs"
	case "str":
		return "the text"
	}
	return tag
}

// Marshal renders the setup as YAML, for the wizard's "save as setup file".
func (s Setup) Marshal() ([]byte, error) { return yaml.Marshal(s) }

// RoleName is the name of the replication role: the one given, the last part of the
// ARN given, or s3repl-<source bucket>.
func (s Setup) RoleName() string {
	switch {
	case s.Role.ARN != "":
		return RoleNameOf(s.Role.ARN)
	case s.Role.Name != "":
		return s.Role.Name
	}
	return sanitizeName("s3repl-"+s.Source.Bucket, 64)
}

// RuleID is the replication rule's ID: the one given or s3repl-<destination bucket>.
func (s Setup) RuleID() string {
	if s.Rule.ID != "" {
		return s.Rule.ID
	}
	return "s3repl-" + s.Destination.Bucket
}

// RolePolicyName is the inline policy of the role that holds this rule's permissions;
// one per rule, so rules sharing the role never overwrite each other: s3repl-<rule
// id>, without doubling the s3repl- the default rule id begins with.
func (s Setup) RolePolicyName() string {
	if id := s.RuleID(); strings.HasPrefix(id, "s3repl-") {
		return sanitizeName(id, 128)
	}
	return s.legacyRolePolicyName()
}

// legacyRolePolicyName is the name s3repl gave that policy before 2026-12, which
// doubled the prefix of a default rule id (s3repl-s3repl-...).
func (s Setup) legacyRolePolicyName() string { return sanitizeName("s3repl-"+s.RuleID(), 128) }

// rolePolicyNameAmong is the name of the rule's policy among a role's inline
// policies: a role that has it under its former name keeps that name, so that the
// rule's statements are merged into it, never into a second policy.
func (s Setup) rolePolicyNameAmong(names []string) string {
	name, legacy := s.RolePolicyName(), s.legacyRolePolicyName()
	if legacy != name && slices.Contains(names, legacy) && !slices.Contains(names, name) {
		return legacy
	}
	return name
}

// KeyRef is the destination key as given, or the alias s3repl creates by default.
func (s Setup) KeyRef() string {
	if s.Destination.KMSKey == "" && s.Destination.CreateKey {
		return "alias/s3repl-" + strings.ReplaceAll(s.Destination.Bucket, ".", "-")
	}
	return s.Destination.KMSKey
}

// OwnerOverride is the ownership-override choice, defaulting to on across accounts.
func (s Setup) OwnerOverride(crossAccount bool) bool {
	if s.Rule.OwnerOverride != nil {
		return *s.Rule.OwnerOverride
	}
	return crossAccount
}
