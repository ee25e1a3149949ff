package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// Outcome is how a verification ended.
type Outcome string

const (
	OutcomeCompleted  Outcome = "COMPLETED"
	OutcomeFailed     Outcome = "FAILED"
	OutcomeNotMatched Outcome = "NOT_MATCHED" // the object got no replication status
	OutcomeTimedOut   Outcome = "TIMED_OUT"
	OutcomeStopped    Outcome = "STOPPED" // the user stopped watching
	OutcomeWatching   Outcome = "WATCHING"
)

// CheckStatus is the state of one check in the status panel.
type CheckStatus string

const (
	CheckWaiting CheckStatus = "waiting"
	CheckPassed  CheckStatus = "passed"
	CheckFailed  CheckStatus = "failed"
)

// VerifyCheck is one line of the status panel.
type VerifyCheck struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail,omitempty"`
}

// VerifyEvent is one observation of the test object.
type VerifyEvent struct {
	Time          time.Time     `json:"time"`
	Elapsed       time.Duration `json:"elapsedNs"`
	SourceStatus  string        `json:"sourceStatus"`
	ReplicaStatus string        `json:"replicaStatus,omitempty"`
	Note          string        `json:"note,omitempty"`
}

// VerifyReport is the live and final state of a verification.
type VerifyReport struct {
	Outcome       Outcome       `json:"outcome"`
	SourceBucket  string        `json:"sourceBucket"`
	SourceRegion  string        `json:"sourceRegion"`
	DestBucket    string        `json:"destinationBucket"`
	DestRegion    string        `json:"destinationRegion"`
	Key           string        `json:"key"`
	VersionID     string        `json:"versionId"`
	ReplicaKeyARN string        `json:"replicaKeyArn"`
	Started       time.Time     `json:"started"`
	Elapsed       time.Duration `json:"elapsedNs"`
	Checks        []VerifyCheck `json:"checks"`
	Timeline      []VerifyEvent `json:"timeline"`
	Explanation   string        `json:"explanation,omitempty"`
	// Earlier are test objects uploaded before Key that got no replication status
	// while the configuration took effect; they never replicate.
	Earlier []TestObject `json:"earlier,omitempty"`
}

// TestObject is one version of a test object in the source bucket.
type TestObject struct {
	Key       string `json:"key"`
	VersionID string `json:"versionId"`
}

// Check returns the check with the given name.
func (r VerifyReport) Check(name string) VerifyCheck {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return VerifyCheck{Name: name, Status: CheckWaiting}
}

// Names of the status panel's checks.
const (
	CheckUploaded      = "test object uploaded (SSE-KMS, source key)"
	CheckSourceStatus  = "source object's replication status" // not "…COMPLETED": a failed check read as COMPLETED
	CheckReplicaExists = "replica in the destination bucket"
	CheckReplicaStatus = "replica ReplicationStatus REPLICA"
	CheckReplicaKey    = "replica encrypted with the replica key"
	CheckReplicaBucket = "replica uses an S3 Bucket Key"
	// CheckReplicaOwner is checked when the setup wants the destination account to
	// own the replicas: ownership override on, or one account on both sides.
	CheckReplicaOwner = "replica owned by the destination account"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	Timeout time.Duration // default 15 minutes, what RTC promises
	// SettleGrace is how long a test object may stay without any replication status
	// before a fresh one is uploaded: a configuration written moments ago takes a
	// little while to take effect [API_GetBucketReplication: "It can take a while to
	// propagate the put or delete a replication configuration to all Amazon S3
	// systems"]. Default 20 seconds.
	SettleGrace time.Duration
	// Uploads is how many test objects at most are uploaded, the first included,
	// before an object without status is taken to match no rule. Default 3.
	Uploads int
	// FirstWait and MaxWait bound the polling back-off (defaults 1s and 10s).
	FirstWait, MaxWait time.Duration
	// Sleep waits between polls; tests replace it to step a simulated clock.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	// OnUpdate receives a copy of the report after every observation; the last one
	// carries the outcome, unless watching was stopped.
	OnUpdate func(VerifyReport)
}

func (o *VerifyOptions) defaults() {
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Minute
	}
	if o.SettleGrace == 0 {
		o.SettleGrace = 20 * time.Second
	}
	if o.Uploads == 0 {
		o.Uploads = 3
	}
	if o.FirstWait == 0 {
		o.FirstWait = time.Second
	}
	if o.MaxWait == 0 {
		o.MaxWait = 10 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TestObjectKey names the test object: it says what it is and when it was made, and
// stands inside the rule's prefix.
func TestObjectKey(s Setup, now time.Time) string {
	return s.Rule.Prefix + "s3repl-test-" + now.UTC().Round(time.Second).Format("20060102T150405Z") + ".txt" // as the panel shows times
}

// isTestObject reports whether key is one of s3repl's test objects for the setup.
func isTestObject(s Setup, key string) bool {
	return strings.HasPrefix(key, s.Rule.Prefix+"s3repl-test-")
}

// verification is what Verify needs to know about the setup as it is in AWS.
type verification struct {
	setup         Setup
	src, dst      awsops.Objects
	rule          replicationRule
	report        VerifyReport
	sourceKeyARN  string
	sourceVersion string // the source bucket's versioning status
	// checkOwner says the destination account must own the replica; ownerEnforced
	// that the destination bucket's Object Ownership makes sure of it.
	checkOwner, ownerEnforced bool
	destAccount               string
	opts                      VerifyOptions
	// readErr is why the test object cannot be read at all, which ends the watch.
	readErr error
	// uploads counts the test objects uploaded; uploaded is when the current one was.
	uploads  int
	uploaded time.Time
}

// Verify uploads a test object into the rule's scope and watches it replicate. It
// returns the report; an error means the test could not be run at all. Cancelling
// ctx stops watching (OutcomeStopped), leaving everything as it is.
func Verify(ctx context.Context, acc Accounts, s Setup, opts VerifyOptions) (VerifyReport, error) {
	opts.defaults()
	v, err := prepareVerification(ctx, acc, s, opts)
	if err != nil {
		return VerifyReport{}, err
	}
	if err := v.upload(ctx, s); err != nil {
		return v.report, err
	}
	v.watch(ctx)
	return v.report, v.readErr
}

func prepareVerification(ctx context.Context, acc Accounts, s Setup, opts VerifyOptions) (*verification, error) {
	state, err := Inspect(ctx, acc, s)
	if err != nil {
		return nil, err
	}
	rule, found := findRule(state.Source.Replication, s.RuleID())
	if !found {
		return nil, Problems{fmt.Sprintf("the source bucket %s has no replication rule %q: apply the setup first (`s3repl apply`, or a on the wizard's review)", s.Source.Bucket, s.RuleID())}
	}
	v := &verification{
		setup: s, src: acc.Source, dst: acc.Destination, rule: rule, opts: opts,
		sourceVersion: state.Source.Versioning,
		destAccount:   state.Destination.Identity.AccountID, ownerEnforced: state.Destination.Ownership == "BucketOwnerEnforced",
	}
	crossAccount := state.Source.Identity.AccountID != state.Destination.Identity.AccountID
	v.checkOwner = !crossAccount || s.OwnerOverride(crossAccount)
	if state.Source.Key != nil {
		v.sourceKeyARN = state.Source.Key.ARN
	}
	v.report = VerifyReport{
		Outcome: OutcomeWatching, SourceBucket: s.Source.Bucket, SourceRegion: state.Source.Region,
		DestBucket: s.Destination.Bucket, DestRegion: state.Destination.Region,
		ReplicaKeyARN: resolveReplicaKey(ctx, acc.Destination, rule.replicaKey(), state.Destination.Region),
	}
	names := []string{CheckUploaded, CheckSourceStatus, CheckReplicaExists, CheckReplicaStatus, CheckReplicaKey, CheckReplicaBucket}
	if v.checkOwner {
		names = append(names, CheckReplicaOwner)
	}
	for _, name := range names {
		v.report.Checks = append(v.report.Checks, VerifyCheck{Name: name, Status: CheckWaiting})
	}
	return v, nil
}

// resolveReplicaKey is the ARN of the key a rule's ReplicaKmsKeyID names, which may be
// an alias ARN [API_EncryptionConfiguration: "Key ARN or Alias ARN"]: a replica
// carries the key's ARN, never the alias. A reference the destination profile cannot
// resolve is kept as it is.
func resolveReplicaKey(ctx context.Context, acc awsops.Account, ref, region string) string {
	if !strings.Contains(ref, "alias/") {
		return ref
	}
	if r := RegionOf(ref); r != "" {
		region = r
	}
	key, err := acc.DescribeKey(ctx, region, ref)
	if err != nil || key.ARN == "" {
		return ref
	}
	return key.ARN
}

func (v *verification) upload(ctx context.Context, s Setup) error {
	now := v.opts.Now()
	v.report.Started = now
	return v.put(ctx, now, "")
}

// put uploads a test object; note says why it is not the first.
func (v *verification) put(ctx context.Context, now time.Time, note string) error {
	key := TestObjectKey(v.setup, now)
	body := []byte("s3repl replication test object, uploaded " + now.UTC().Format(time.RFC3339) + "\n")
	opts := awsops.PutOptions{KMSKeyID: v.sourceKeyARN, Tags: v.setup.Rule.Tags}
	version, err := v.src.PutObject(ctx, v.report.SourceRegion, v.report.SourceBucket, key, body, opts)
	if err != nil {
		v.set(CheckUploaded, CheckFailed, err.Error())
		return explain("source", err)
	}
	if v.report.VersionID != "" {
		v.report.Earlier = append(v.report.Earlier, TestObject{Key: v.report.Key, VersionID: v.report.VersionID})
	}
	v.report.Key, v.report.VersionID = key, version
	v.uploads, v.uploaded = v.uploads+1, now
	detail := "version " + version
	if v.sourceKeyARN == "" {
		detail += ", with the bucket's default encryption"
	}
	if note != "" {
		detail += note
	}
	v.set(CheckUploaded, CheckPassed, detail)
	return nil
}

// watch polls the source object with back-off until it is COMPLETED, FAILED, has
// no status, or time runs out.
func (v *verification) watch(ctx context.Context) {
	wait := v.opts.FirstWait
	for {
		done := v.observe(ctx)
		if ctx.Err() != nil { // a read cut short by ctrl+c says nothing about replication
			v.finish(OutcomeStopped, "the test object stays where it is")
			done = true
		}
		if !done && v.elapsed() >= v.opts.Timeout {
			v.finish(OutcomeTimedOut, fmt.Sprintf("the object is still %s; transient AWS issues keep objects PENDING, and the doctor checks the setup", v.lastStatus()))
			done = true
		}
		// the last observation is published with the outcome, so a watcher that shows
		// updates as they come ends on the final report
		v.publish()
		if done {
			return
		}
		if err := v.opts.Sleep(ctx, min(wait, v.opts.Timeout-v.elapsed())); err != nil {
			v.finish(OutcomeStopped, "the test object stays where it is")
			return
		}
		wait = min(wait*3/2, v.opts.MaxWait)
	}
}

func (v *verification) elapsed() time.Duration { return v.opts.Now().Sub(v.report.Started) }

func (v *verification) lastStatus() string {
	if n := len(v.report.Timeline); n > 0 && v.report.Timeline[n-1].SourceStatus != "" {
		return v.report.Timeline[n-1].SourceStatus
	}
	return "without status"
}

// observe reads the source (and, once it is COMPLETED, the replica) and reports
// whether watching is over.
func (v *verification) observe(ctx context.Context) bool {
	r := &v.report
	head, err := v.src.HeadObject(ctx, r.SourceRegion, r.SourceBucket, r.Key, r.VersionID)
	event := VerifyEvent{Time: v.opts.Now(), Elapsed: v.elapsed(), SourceStatus: head.ReplicationStatus}
	if err != nil {
		event.Note = err.Error()
		r.Timeline = append(r.Timeline, event)
		if ctx.Err() == nil && (awsops.IsAccessDenied(err) || awsops.IsNotFound(err)) {
			// waiting out the timeout would not change this
			v.readErr = explain("source", err)
			v.finish(OutcomeStopped, "the test object cannot be read: "+awsops.Advice(err))
			return true
		}
		return ctx.Err() != nil
	}
	switch head.ReplicationStatus {
	case "":
		r.Timeline = append(r.Timeline, event)
		return v.noStatus(ctx, head)
	case "PENDING":
		r.Timeline = append(r.Timeline, event)
		v.set(CheckSourceStatus, CheckWaiting, "PENDING")
		return false
	case "FAILED":
		r.Timeline = append(r.Timeline, event)
		v.set(CheckSourceStatus, CheckFailed, "FAILED: S3 will not retry it")
		v.finish(OutcomeFailed, "replication FAILED: permissions, KMS or bucket settings stop S3; the doctor checks each")
		return true
	}
	v.set(CheckSourceStatus, CheckPassed, head.ReplicationStatus)
	return v.checkReplica(ctx, event, head)
}

func (v *verification) checkReplica(ctx context.Context, event VerifyEvent, source awsops.ObjectHead) bool {
	r := &v.report
	replica, err := v.dst.HeadObject(ctx, r.DestRegion, r.DestBucket, r.Key, r.VersionID)
	if err != nil {
		event.Note = "replica: " + err.Error()
		r.Timeline = append(r.Timeline, event)
		if ctx.Err() != nil {
			return true // stopped: watch says so
		}
		if awsops.IsNotFound(err) {
			v.set(CheckReplicaExists, CheckWaiting, "not visible yet")
			return false
		}
		v.set(CheckReplicaExists, CheckFailed, err.Error())
		v.finish(OutcomeFailed, "the source says COMPLETED but the replica cannot be read: "+awsops.Advice(err))
		return true
	}
	event.ReplicaStatus = replica.ReplicationStatus
	r.Timeline = append(r.Timeline, event)
	v.set(CheckReplicaExists, CheckPassed, "version "+replica.VersionID)
	v.set(CheckReplicaStatus, passIf(replica.ReplicationStatus == "REPLICA"), replica.ReplicationStatus)
	if v.sourceKeyARN == "" {
		// The source bucket does not default to SSE-KMS, so the test object is SSE-S3,
		// and S3 keeps a replica's type of encryption: only SSE-KMS objects get the
		// replica key.
		sseS3 := replica.SSEKMSKeyID == ""
		v.set(CheckReplicaKey, passIf(sseS3), "SSE-S3 like the test object (the replica key is for SSE-KMS objects) "+replica.SSEKMSKeyID)
		v.set(CheckReplicaBucket, CheckPassed, "not used by SSE-S3")
	} else {
		v.set(CheckReplicaKey, passIf(sameKey(replica.SSEKMSKeyID, r.ReplicaKeyARN)), replica.SSEKMSKeyID)
		status, detail := replicaBucketKey(source.BucketKey, replica.BucketKey)
		v.set(CheckReplicaBucket, status, detail)
	}
	if v.checkOwner {
		status, detail := v.replicaOwner(ctx, replica.VersionID)
		if ctx.Err() != nil {
			return true // stopped: watch says so
		}
		v.set(CheckReplicaOwner, status, detail)
	}
	for _, c := range r.Checks {
		if c.Status == CheckFailed {
			v.finish(OutcomeFailed, "the replica arrived but is not as the setup says: "+c.Name)
			return true
		}
	}
	v.finish(OutcomeCompleted, "every check passed: the replica is there, as the setup says")
	return true
}

// replicaBucketKey checks a replica's S3 Bucket Key: a replica keeps its source
// object's Bucket Key setting, whatever the destination bucket's default says
// [bucket-key, "Using S3 Bucket Keys with replication"], so a test object with a
// Bucket Key must give a replica with one. For a source without one the User Guide
// does not say the destination's default cannot add one, so either passes.
func replicaBucketKey(source, replica bool) (CheckStatus, string) {
	switch {
	case source && replica:
		return CheckPassed, "Bucket Key on, like the test object"
	case source:
		return CheckFailed, "no Bucket Key, though the test object has one and a replica keeps its source's setting"
	case replica:
		return CheckPassed, "Bucket Key on (the test object has none)"
	}
	return CheckPassed, "no Bucket Key, like the test object"
}

// noStatus handles a test object without replication status. When the rule says
// why, that is the answer. Otherwise the configuration may not have taken effect
// yet: wait SettleGrace, then upload a fresh test object (up to Uploads, within the
// timeout); only then is it "matched no rule".
func (v *verification) noStatus(ctx context.Context, head awsops.ObjectHead) bool {
	why, certain := v.whyNotMatched(head)
	now := v.opts.Now()
	grace := v.grace()
	switch {
	case certain:
	case now.Sub(v.uploaded) < grace:
		v.set(CheckSourceStatus, CheckWaiting, "no status yet: waiting for the replication configuration to take effect")
		return false
	case v.uploads < v.opts.Uploads && v.elapsed()+grace <= v.opts.Timeout:
		note := fmt.Sprintf(" (test object %d: the one before got no status within %s, as when the configuration has not taken effect yet)", v.uploads+1, grace.Round(time.Second/10))
		if err := v.put(ctx, now, note); err != nil {
			v.readErr = err
			v.finish(OutcomeStopped, "a fresh test object could not be uploaded: "+err.Error())
			return true
		}
		v.report.Timeline = append(v.report.Timeline, VerifyEvent{Time: now, Elapsed: v.elapsed(),
			Note: "no status yet: waiting for the replication configuration to take effect; uploaded a fresh test object " + v.report.Key})
		v.set(CheckSourceStatus, CheckWaiting, "no status yet: waiting for the replication configuration to take effect")
		return false
	default:
		why = fmt.Sprintf("the rule's scope and KMS opt-in match the object, yet %d test object(s) uploaded over %s got no status; "+
			"check the rule in the console, or run verify again if the configuration changed moments ago", v.uploads, v.elapsed().Round(time.Second))
	}
	v.set(CheckSourceStatus, CheckFailed, "none: the object matched no rule")
	v.finish(OutcomeNotMatched, "the object matched no enabled rule: "+why)
	return true
}

// grace is SettleGrace, shortened so that every upload fits in the timeout.
func (v *verification) grace() time.Duration {
	return min(v.opts.SettleGrace, v.opts.Timeout/time.Duration(v.opts.Uploads+1))
}

// whyNotMatched names the reason S3 left the test object out, as far as the rule
// tells; certain is false when the rule says it should have matched.
func (v *verification) whyNotMatched(head awsops.ObjectHead) (why string, certain bool) {
	rule := v.rule
	prefix := rulePrefix(rule)
	switch {
	case v.sourceVersion != "Enabled":
		return fmt.Sprintf("versioning on the source bucket %s is %s, and S3 replicates only from versioned buckets", v.report.SourceBucket, versioningWord(v.sourceVersion)), true
	case rule.Status != "Enabled":
		return fmt.Sprintf("rule %q is %s", rule.ID, rule.Status), true
	case !strings.HasPrefix(v.report.Key, prefix):
		return fmt.Sprintf("the key %s is outside the rule's prefix %q", v.report.Key, prefix), true
	case head.SSEAlgorithm != "" && strings.HasPrefix(head.SSEAlgorithm, "aws:kms") && rule.SourceSelectionCriteria.SseKmsEncryptedObjects.Status != "Enabled":
		return fmt.Sprintf("the object is SSE-KMS encrypted and rule %q does not opt in SSE-KMS objects (SseKmsEncryptedObjects)", rule.ID), true
	case ruleHasTags(rule) && !maps.Equal(ruleTags(rule), v.setup.Rule.Tags):
		return fmt.Sprintf("rule %q filters on tags %s; the test object carries the setup's tags %s", rule.ID, tagList(ruleTags(rule)), tagList(v.setup.Rule.Tags)), true
	}
	return "", false
}

func versioningWord(versioning string) string {
	if versioning == "" {
		return "not enabled"
	}
	return versioning
}

func ruleHasTags(r replicationRule) bool {
	if _, ok := r.Filter["Tag"]; ok {
		return true
	}
	and, ok := r.Filter["And"].(map[string]any)
	return ok && and["Tags"] != nil
}

// replicaOwner checks that the destination account owns the replica: S3 answers the
// object's ACL only to its owner while ACLs are on.
func (v *verification) replicaOwner(ctx context.Context, versionID string) (CheckStatus, string) {
	if v.ownerEnforced {
		return CheckPassed, "account " + v.destAccount + " (Object Ownership: bucket owner enforced)"
	}
	r := v.report
	owner, err := v.dst.ObjectOwner(ctx, r.DestRegion, r.DestBucket, r.Key, versionID)
	if awsops.IsAccessDenied(err) {
		return CheckFailed, "another account owns it: the ownership override did not apply"
	}
	if err != nil {
		return CheckFailed, "could not read its owner: " + awsops.Advice(err)
	}
	mine, err := v.dst.CanonicalID(ctx)
	if err != nil {
		return CheckFailed, "could not read account " + v.destAccount + "'s canonical id: " + awsops.Advice(err)
	}
	if owner != mine {
		return CheckFailed, "owned by canonical user " + owner + ", not account " + v.destAccount
	}
	return CheckPassed, "account " + v.destAccount
}

func passIf(ok bool) CheckStatus {
	if ok {
		return CheckPassed
	}
	return CheckFailed
}

// sameKey compares a key ARN with a key reference that may be an ARN or an id.
func sameKey(arn, ref string) bool {
	return arn != "" && (arn == ref || strings.HasSuffix(arn, "/"+ref) || strings.HasSuffix(ref, "/"+arn))
}

func (v *verification) set(name string, status CheckStatus, detail string) {
	for i := range v.report.Checks {
		if v.report.Checks[i].Name == name {
			v.report.Checks[i].Status, v.report.Checks[i].Detail = status, detail
		}
	}
}

func (v *verification) finish(outcome Outcome, explanation string) {
	v.report.Outcome, v.report.Explanation = outcome, explanation
	v.report.Elapsed = v.elapsed()
}

func (v *verification) publish() {
	if v.opts.OnUpdate == nil {
		return
	}
	copied := v.report
	copied.Checks = append([]VerifyCheck(nil), v.report.Checks...)
	copied.Timeline = append([]VerifyEvent(nil), v.report.Timeline...)
	if copied.Outcome == OutcomeWatching {
		copied.Elapsed = v.elapsed()
	}
	v.opts.OnUpdate(copied)
}

// RemoveTestObjects deletes the test object's version in the source and its replica,
// and the earlier test objects that got no status.
func RemoveTestObjects(ctx context.Context, acc Accounts, r VerifyReport) error {
	if r.VersionID == "" {
		return nil
	}
	var errs []error
	for _, o := range append(slices.Clone(r.Earlier), TestObject{Key: r.Key, VersionID: r.VersionID}) {
		if err := acc.Source.DeleteObjectVersion(ctx, r.SourceRegion, r.SourceBucket, o.Key, o.VersionID); err != nil {
			errs = append(errs, explain("source", err))
		}
		if err := acc.Destination.DeleteObjectVersion(ctx, r.DestRegion, r.DestBucket, o.Key, o.VersionID); err != nil && !awsops.IsNotFound(err) {
			errs = append(errs, explain("destination", err))
		}
	}
	return errors.Join(errs...)
}

// RemovedNote says what RemoveTestObjects removed: the replica only when there was
// one.
func (r VerifyReport) RemovedNote() string {
	replica := r.Check(CheckReplicaExists).Status == CheckPassed
	n := len(r.Earlier)
	switch {
	case n == 0 && replica:
		return "The test object and its replica were removed."
	case n == 0:
		return "The test object was removed; there was no replica."
	case replica:
		return fmt.Sprintf("The %d test objects and the replica of the last were removed.", n+1)
	}
	return fmt.Sprintf("The %d test objects were removed; there was no replica.", n+1)
}

// replicationRule is the part of a rule verification and the doctor look at.
type replicationRule struct {
	ID                      string
	Status                  string
	Priority                *int
	Prefix                  *string
	Filter                  map[string]any
	SourceSelectionCriteria struct {
		SseKmsEncryptedObjects struct{ Status string }
	}
	Destination struct {
		Bucket                   string
		Account                  string
		EncryptionConfiguration  struct{ ReplicaKmsKeyID string }
		AccessControlTranslation *struct{ Owner string }
	}
	DeleteMarkerReplication *struct{ Status string }
}

func (r replicationRule) replicaKey() string {
	return r.Destination.EncryptionConfiguration.ReplicaKmsKeyID
}

// findRule finds a rule by ID in a replication configuration document.
func findRule(config, id string) (replicationRule, bool) {
	var cfg struct{ Rules []replicationRule }
	if config == "" || json.Unmarshal([]byte(config), &cfg) != nil {
		return replicationRule{}, false
	}
	for _, r := range cfg.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return replicationRule{}, false
}
