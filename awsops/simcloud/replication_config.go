package simcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// replicationConfig is a bucket's replication configuration in the S3 API's JSON
// shape. Optional members are pointers so that what was given comes back as given.
type replicationConfig struct {
	Role  string            `json:"Role"`
	Rules []replicationRule `json:"Rules"`
}

type replicationRule struct {
	ID                        string             `json:"ID,omitempty"`
	Priority                  *int               `json:"Priority,omitempty"`
	Prefix                    *string            `json:"Prefix,omitempty"` // the V1 schema's scope
	Filter                    *ruleFilter        `json:"Filter,omitempty"`
	Status                    string             `json:"Status"`
	SourceSelectionCriteria   *selectionCriteria `json:"SourceSelectionCriteria,omitempty"`
	ExistingObjectReplication *statusMember      `json:"ExistingObjectReplication,omitempty"`
	Destination               *ruleDestination   `json:"Destination"`
	DeleteMarkerReplication   *statusMember      `json:"DeleteMarkerReplication,omitempty"`
}

type ruleFilter struct {
	Prefix *string    `json:"Prefix,omitempty"`
	Tag    *objectTag `json:"Tag,omitempty"`
	And    *andFilter `json:"And,omitempty"`
}

type andFilter struct {
	Prefix *string     `json:"Prefix,omitempty"`
	Tags   []objectTag `json:"Tags,omitempty"`
}

type objectTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type statusMember struct {
	Status string `json:"Status"`
}

type selectionCriteria struct {
	SseKmsEncryptedObjects *statusMember `json:"SseKmsEncryptedObjects,omitempty"`
	ReplicaModifications   *statusMember `json:"ReplicaModifications,omitempty"`
}

type ruleDestination struct {
	Bucket                   string                   `json:"Bucket"`
	Account                  string                   `json:"Account,omitempty"`
	StorageClass             string                   `json:"StorageClass,omitempty"`
	AccessControlTranslation *ownerTranslation        `json:"AccessControlTranslation,omitempty"`
	EncryptionConfiguration  *encryptionConfiguration `json:"EncryptionConfiguration,omitempty"`
	ReplicationTime          *replicationTime         `json:"ReplicationTime,omitempty"`
	Metrics                  *replicationMetrics      `json:"Metrics,omitempty"`
}

type ownerTranslation struct {
	Owner string `json:"Owner"`
}

type encryptionConfiguration struct {
	ReplicaKmsKeyID string `json:"ReplicaKmsKeyID,omitempty"`
}

type replicationTime struct {
	Status string   `json:"Status"`
	Time   *minutes `json:"Time,omitempty"`
}

type replicationMetrics struct {
	Status         string   `json:"Status"`
	EventThreshold *minutes `json:"EventThreshold,omitempty"`
}

type minutes struct {
	Minutes int `json:"Minutes"`
}

func malformedXML() error {
	return invalid("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// parseReplicationConfig reads a configuration. Unknown members are refused, as S3
// refuses unknown XML elements.
func parseReplicationConfig(doc string) (*replicationConfig, error) {
	var c replicationConfig
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, malformedXML()
	}
	return &c, nil
}

// document writes the configuration with its members in the order the SDK-backed
// Account gives them (sorted: it writes the SDK's structs through a map), so a plan's
// "before" reads the same against simcloud as against AWS.
func (c *replicationConfig) document() (string, error) { return sortedJSON(c) }

const maxRuleID = 255

// partitions are the AWS partitions whose ARNs S3 accepts in a replication
// configuration: aws, aws-cn, aws-us-gov and the European Sovereign Cloud's aws-eusc
// [reference-arns (IAM User Guide)].
const partitions = `aws|aws-cn|aws-us-gov|aws-eusc`

var (
	roleARNPattern   = regexp.MustCompile(`^arn:(` + partitions + `):iam::\d{12}:role/.+$`)
	bucketARNPattern = regexp.MustCompile(`^arn:(` + partitions + `):s3:::([^/]*)$`)
	// storageClasses are the classes a replica may be given: the S3 Control
	// ReplicationStorageClass enum [API_control_S3ReplicateObjectOperation]. The S3
	// StorageClass enum of Destination also lists SNOW, EXPRESS_ONEZONE and the FSx and
	// AWS Backup classes, which are no replica classes ("FSX_OPENZFS is not an
	// accepted value when replicating objects", API_Destination).
	storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR"}
)

// checkReplicationConfig makes the checks S3's PutBucketReplication makes on the
// configuration of bucket src, and gives rules without an ID one.
func (c *Cloud) checkReplicationConfig(src *bucket, cfg *replicationConfig) error {
	switch {
	case cfg.Role == "" || len(cfg.Rules) == 0:
		return malformedXML()
	case !roleARNPattern.MatchString(cfg.Role):
		return invalid("InvalidArgument", "Invalid Role: %s", cfg.Role)
	case len(cfg.Rules) > 1000:
		return invalid("InvalidRequest", "A replication configuration can have at most 1000 rules")
	}
	if err := checkSchema(cfg.Rules); err != nil {
		return err
	}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if r.ID == "" {
			r.ID = fmt.Sprintf("rule-%d-%s", i+1, c.newVersionID()[:8])
		}
		if err := c.checkRule(src, r); err != nil {
			return err
		}
	}
	return checkUnique(cfg.Rules)
}

// checkUnique refuses two rules with the same ID or the same priority.
func checkUnique(rules []replicationRule) error {
	ids, priorities := map[string]bool{}, map[int]bool{}
	for _, r := range rules {
		if ids[r.ID] {
			return invalid("InvalidArgument", "Rule Id must be unique. Found same ID for more than one rule: %s", r.ID)
		}
		ids[r.ID] = true
		if r.Priority == nil {
			continue
		}
		if priorities[*r.Priority] {
			return invalid("InvalidRequest", "Found two rules with same priority %d", *r.Priority)
		}
		priorities[*r.Priority] = true
	}
	return nil
}

// checkSchema refuses mixing V1 rules (Prefix) with V2 rules (Filter), and V2 rules
// without Priority or DeleteMarkerReplication.
func checkSchema(rules []replicationRule) error {
	v2 := false
	for _, r := range rules {
		if r.Prefix != nil && r.Filter != nil {
			return malformedXML()
		}
		v2 = v2 || r.Filter != nil
	}
	for _, r := range rules {
		switch {
		case v2 && r.Filter == nil:
			return invalid("InvalidRequest", "Rules with Filter and rules with Prefix cannot be mixed in one replication configuration")
		case v2 && r.Priority == nil:
			return invalid("InvalidRequest", "Priority must be specified for this version of Cross Region Replication configuration schema.")
		case v2 && r.DeleteMarkerReplication == nil:
			return invalid("InvalidRequest", "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema.")
		}
	}
	return nil
}

func (c *Cloud) checkRule(src *bucket, r *replicationRule) error {
	switch {
	case len(r.ID) > maxRuleID:
		return invalid("InvalidArgument", "The ID of a rule can be at most %d characters", maxRuleID)
	case !isStatus(r.Status) || r.Destination == nil:
		return malformedXML()
	case r.Filter != nil && !r.Filter.wellFormed():
		return malformedXML()
	case r.DeleteMarkerReplication != nil && !isStatus(r.DeleteMarkerReplication.Status):
		return malformedXML()
	case r.deletesMarkers() && r.hasTagFilter():
		return invalid("InvalidRequest", "Delete marker replication is not supported if any Tag filter is specified.")
	}
	if err := r.checkEncryption(); err != nil {
		return err
	}
	return c.checkDestination(src, r.Destination)
}

func isStatus(s string) bool { return s == "Enabled" || s == "Disabled" }

func (f *ruleFilter) wellFormed() bool {
	set := 0
	for _, present := range []bool{f.Prefix != nil, f.Tag != nil, f.And != nil} {
		if present {
			set++
		}
	}
	return set <= 1
}

// deletesMarkers reports whether the rule replicates delete markers: a V2 rule when
// its DeleteMarkerReplication says Enabled, a V1 rule (a Prefix of its own) always
// [replication-add-config, "Backward compatibility considerations"].
func (r *replicationRule) deletesMarkers() bool {
	if r.DeleteMarkerReplication == nil {
		return r.Prefix != nil
	}
	return r.DeleteMarkerReplication.Status == "Enabled"
}

func (r *replicationRule) hasTagFilter() bool {
	return r.Filter != nil && (r.Filter.Tag != nil || r.Filter.And != nil && len(r.Filter.And.Tags) > 0)
}

func (r *replicationRule) replicatesKMSObjects() bool {
	s := r.SourceSelectionCriteria
	return s != nil && s.SseKmsEncryptedObjects != nil && s.SseKmsEncryptedObjects.Status == "Enabled"
}

func (r *replicationRule) replicaKey() string {
	if e := r.Destination.EncryptionConfiguration; e != nil {
		return e.ReplicaKmsKeyID
	}
	return ""
}

func (r *replicationRule) overridesOwner() bool {
	t := r.Destination.AccessControlTranslation
	return t != nil && t.Owner == "Destination"
}

func (r *replicationRule) checkEncryption() error {
	switch {
	case r.replicatesKMSObjects() && r.replicaKey() == "":
		return invalid("InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
	case !r.replicatesKMSObjects() && r.replicaKey() != "":
		return invalid("InvalidRequest", "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.")
	}
	return nil
}

func (c *Cloud) checkDestination(src *bucket, d *ruleDestination) error {
	m := bucketARNPattern.FindStringSubmatch(d.Bucket)
	var name string
	if m != nil {
		name = m[2]
	}
	switch {
	case m == nil || name == "":
		return invalid("InvalidArgument", "Invalid destination bucket ARN: %s", d.Bucket)
	case name == src.name:
		return invalid("InvalidRequest", "Destination bucket cannot be the same as the source bucket.")
	case d.AccessControlTranslation != nil && d.Account == "":
		return invalid("InvalidRequest", "Destination Account must be specified with AccessControlTranslation.")
	case d.AccessControlTranslation != nil && d.AccessControlTranslation.Owner != "Destination":
		return malformedXML()
	case d.StorageClass != "" && !slices.Contains(storageClasses, d.StorageClass):
		return malformedXML()
	case d.ReplicationTime != nil && d.ReplicationTime.Status == "Enabled" && (d.Metrics == nil || d.Metrics.Status != "Enabled"):
		// only an enabled RTC needs metrics [replication-time-control]; ReplicationTime
		// {Status: Disabled} stands alone
		return invalid("InvalidRequest", "Replication Time Control requires Metrics to be enabled.")
	case d.Metrics != nil && d.Metrics.EventThreshold != nil && (d.ReplicationTime == nil || d.ReplicationTime.Status != "Enabled"):
		// [API_Metrics]: EventThreshold is the time for the OperationMissedThreshold
		// event of S3 RTC [replication-time-control]; S3 answers a threshold without RTC
		// with this InvalidArgument (DOMAIN.md, as the CDK and Terraform met it).
		return invalid("InvalidArgument", "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled")
	}
	dst := c.buckets[name]
	switch {
	case dst == nil:
		return invalid("InvalidRequest", "Destination bucket must exist.")
	case dst.versioning != "Enabled":
		return invalid("InvalidRequest", "Destination bucket must have versioning enabled.")
	}
	return nil
}

// scope is the prefix and tags an object must have to fall under a rule.
func (r *replicationRule) scope() (prefix string, tags []objectTag) {
	switch f := r.Filter; {
	case r.Prefix != nil:
		return *r.Prefix, nil
	case f == nil:
		return "", nil
	case f.Prefix != nil:
		return *f.Prefix, nil
	case f.Tag != nil:
		return "", []objectTag{*f.Tag}
	case f.And != nil:
		if f.And.Prefix != nil {
			prefix = *f.And.Prefix
		}
		return prefix, f.And.Tags
	}
	return "", nil
}

// covers reports whether the enabled rule applies to an object version: in scope, and
// opted in to SSE-KMS objects when the version is one.
func (r *replicationRule) covers(v *objectVersion) bool {
	if r.Status != "Enabled" {
		return false
	}
	prefix, tags := r.scope()
	if !strings.HasPrefix(v.key, prefix) {
		return false
	}
	for _, t := range tags {
		if value, ok := v.tags[t.Key]; !ok || value != t.Value {
			return false
		}
	}
	return !isKMSAlgorithm(v.sseAlgorithm) || r.replicatesKMSObjects()
}

func (r *replicationRule) priority() int {
	if r.Priority == nil {
		return 0
	}
	return *r.Priority
}

// destinationBucket is the bucket name of the rule's destination ARN.
func (r *replicationRule) destinationBucket() string {
	if m := bucketARNPattern.FindStringSubmatch(r.Destination.Bucket); m != nil {
		return m[2]
	}
	return r.Destination.Bucket
}

// rulesFor picks, for each destination, the rule an object version replicates by:
// among the enabled rules covering it, the one with the highest priority.
func (c *replicationConfig) rulesFor(v *objectVersion) []replicationRule {
	chosen := map[string]int{}
	var order []string
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.covers(v) {
			continue
		}
		dst := r.destinationBucket()
		best, seen := chosen[dst]
		if !seen {
			order = append(order, dst)
		}
		if !seen || r.priority() > c.Rules[best].priority() {
			chosen[dst] = i
		}
	}
	rules := make([]replicationRule, len(order))
	for i, dst := range order {
		rules[i] = c.Rules[chosen[dst]]
	}
	return rules
}

func (c *replicationConfig) rule(id string) (replicationRule, bool) {
	for _, r := range c.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return replicationRule{}, false
}
