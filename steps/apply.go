package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Journal *Journal
	// OnProgress, when set, is called as each change starts (PhaseBegin) and ends
	// (PhaseDone or PhaseFailed).
	OnProgress func(c Change, phase ApplyPhase, err error)
	// PropagationWait is how long to keep retrying a write that AWS refuses because a
	// role created moments ago is not visible to KMS or S3 yet. Default 30s.
	PropagationWait time.Duration
}

// ApplyResult says exactly what was and was not applied.
type ApplyResult struct {
	Applied    []Change
	Failed     *Change
	NotApplied []Change
	// Notes tell the user what the apply found on its way: a key an earlier run made
	// and this one used, or one that nothing uses, with the command to delete it.
	Notes []string
}

// ChangedError means a resource changed between the plan and the apply; nothing was
// written to it.
type ChangedError struct {
	Change  Change
	Current string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s (%s) changed since the plan was made; nothing was written to it. Run plan again and review the new diff", e.Change.Resource, e.Change.Title)
}

// OutcomeUnknownError means a write was sent but its answer was lost: it may or may
// not have happened. The apply stops there; a rerun reads everything again.
type OutcomeUnknownError struct {
	Change Change
	Err    error
}

func (e *OutcomeUnknownError) Error() string {
	call, cause := "the request", e.Err
	var op *awsops.OpError
	if errors.As(e.Err, &op) {
		call = op.Op + " on " + op.Resource
		if op.Err != nil {
			cause = op.Err
		}
	}
	return fmt.Sprintf("%s was sent but no answer came back (%v), so it may or may not have happened. Run `s3repl plan` to see what is in place, then `s3repl apply` again: it reads everything again and finishes the job", call, cause)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// ApplyError wraps the failure of one change with what was applied before it.
type ApplyError struct {
	Result  ApplyResult
	Err     error
	Journal string // the journal's path, "" when there is none
}

func (e *ApplyError) Error() string {
	var unknown *OutcomeUnknownError
	if errors.As(e.Err, &unknown) {
		return e.Result.Failed.Title + ": " + unknown.Error() + "\n" + e.Summary()
	}
	return fmt.Sprintf("%s failed: %v\n", e.Result.Failed.Title, e.Err) + e.Summary()
}

// Summary is what was and was not applied, the journal and what to do, without the
// failure itself (shown with its change).
func (e *ApplyError) Summary() string {
	var b strings.Builder
	b.WriteString("applied:")
	writeTitles(&b, e.Result.Applied)
	b.WriteString("\nnot applied:")
	writeTitles(&b, e.Result.NotApplied)
	for _, note := range e.Result.Notes {
		b.WriteString("\nnote: " + note)
	}
	if e.Journal != "" {
		b.WriteString("\njournal: " + e.Journal)
	}
	var unknown *OutcomeUnknownError
	if errors.As(e.Err, &unknown) {
		b.WriteString("\nrun `s3repl plan`, then apply again: it plans only what is still missing")
	} else {
		b.WriteString("\nfix the cause and run apply again: it plans only what is still missing")
	}
	return b.String()
}

func (e *ApplyError) Unwrap() error { return e.Err }

func writeTitles(b *strings.Builder, changes []Change) {
	if len(changes) == 0 {
		b.WriteString(" nothing")
		return
	}
	for _, c := range changes {
		b.WriteString("\n  - " + c.Title)
	}
}

// Apply makes the plan's pending changes in order. Before each write it re-reads the
// resource and stops if it is not what the plan saw; it journals each write before
// making it.
func Apply(ctx context.Context, acc Accounts, plan *Plan, opts ApplyOptions) (ApplyResult, error) {
	if opts.PropagationWait == 0 {
		opts.PropagationWait = 30 * time.Second
	}
	pending := plan.Pending()
	a := applier{acc: acc, opts: opts, placeholder: plan.Facts.NewKeyARN(), alias: plan.Setup.KeyRef()}
	var result ApplyResult
	for i, c := range pending {
		c = a.resolve(c)
		if err := a.applyOne(ctx, c); err != nil {
			result.Failed = &c
			result.NotApplied = pending[i+1:]
			result.Notes = a.notes
			journal := ""
			if opts.Journal != nil {
				journal = opts.Journal.Path()
			}
			return result, &ApplyError{Result: result, Err: err, Journal: journal}
		}
		result.Applied = append(result.Applied, c)
	}
	result.Notes = a.notes
	return result, nil
}

type applier struct {
	acc         Accounts
	opts        ApplyOptions
	placeholder string // ARN of the key to create, as the plan names it
	newKeyARN   string
	createdRole bool   // a role created in this run may not be visible to KMS and S3 yet
	alias       string // the replica key's alias, which tags the key s3repl creates
	notes       []string
}

// resolve puts the ARN of a key created earlier in this run into a change.
func (a *applier) resolve(c Change) Change {
	if a.newKeyARN == "" {
		return c
	}
	replace := func(s string) string { return strings.ReplaceAll(s, a.placeholder, a.newKeyARN) }
	c.After, c.Resource, c.target = replace(c.After), replace(c.Resource), replace(c.target)
	return c
}

func (a *applier) applyOne(ctx context.Context, c Change) error {
	a.progress(c, PhaseBegin, nil)
	if err := a.checkUnchanged(ctx, c); err != nil {
		a.progress(c, PhaseFailed, err)
		return err
	}
	tags := a.tagsFor(c)
	if j := a.opts.Journal; j != nil {
		if err := j.record("begin", c, nil, tags); err != nil {
			a.progress(c, PhaseFailed, err)
			return err
		}
	}
	err := a.write(ctx, c)
	if c.kind == kindCreateKey && a.newKeyARN != "" {
		c.Resource = a.newKeyARN // the done entry names the key made, not the placeholder
	}
	phase := "done"
	switch {
	case awsops.IsOutcomeUnknown(err):
		phase = "unknown"
	case err != nil:
		phase = "failed"
	}
	if j := a.opts.Journal; j != nil {
		if jerr := j.record(phase, c, err, tags); jerr != nil && err == nil {
			err = jerr
		}
	}
	if err != nil {
		if phase == "unknown" {
			err = &OutcomeUnknownError{Change: c, Err: err}
		} else {
			err = explain(string(c.Side), err)
		}
		a.progress(c, PhaseFailed, err)
		return err
	}
	a.progress(c, PhaseDone, nil)
	return nil
}

func (a *applier) progress(c Change, phase ApplyPhase, err error) {
	if a.opts.OnProgress != nil {
		a.opts.OnProgress(c, phase, err)
	}
}

func (a *applier) account(c Change) awsops.Account {
	if c.Side == SourceSide {
		return a.acc.Source
	}
	return a.acc.Destination
}

// checkUnchanged re-reads the resource and compares it with what the plan saw.
func (a *applier) checkUnchanged(ctx context.Context, c Change) error {
	current, exists, err := a.current(ctx, c)
	if err != nil {
		return explain(string(c.Side), err)
	}
	same := false
	switch {
	case c.Before == "":
		same = !exists
	case !exists:
		same = false
	case c.kind == kindReplication || c.kind == kindVersioning || c.kind == kindNotification:
		same, err = policy.Equivalent([]byte(current), []byte(c.Before))
	default:
		same, err = policy.EquivalentDocs(current, c.Before)
	}
	if err != nil {
		return err
	}
	if !same {
		return &ChangedError{Change: c, Current: current}
	}
	return nil
}

// current reads the document a change would replace; exists is false when the
// resource (or the document) is absent.
func (a *applier) current(ctx context.Context, c Change) (doc string, exists bool, err error) {
	acc := a.account(c)
	absent := func(err error) (string, bool, error) {
		if awsops.IsNotFound(err) {
			return "", false, nil
		}
		return "", err == nil, err
	}
	switch c.kind {
	case kindCreateRole, kindTrustPolicy:
		role, err := acc.GetRole(ctx, c.target)
		if err != nil {
			return absent(err)
		}
		return role.TrustPolicy, true, nil
	case kindRolePolicy:
		doc, err := acc.GetRolePolicy(ctx, c.target, c.name)
		if err != nil {
			return absent(err)
		}
		return doc, true, nil
	case kindCreateKey:
		return "", false, nil // a new key has a new id: nothing to overwrite
	case kindCreateAlias:
		_, err := acc.DescribeKey(ctx, c.Region, c.target)
		return absent(err)
	case kindKeyPolicy:
		doc, err := acc.GetKeyPolicy(ctx, c.Region, c.target)
		return doc, err == nil, err
	case kindCreateBucket:
		_, err := acc.BucketRegion(ctx, c.target)
		return absent(err)
	case kindVersioning:
		if c.Before == "" {
			return "", false, nil // the bucket was created in this run
		}
		status, err := acc.GetBucketVersioning(ctx, c.Region, c.target)
		if status == "" {
			status = "Disabled"
		}
		return docOf(map[string]any{"Status": status}), err == nil, err
	case kindEncryption:
		if c.Before == "" {
			// the bucket was created in this run; S3 gives new buckets SSE-S3 by default
			return "", false, nil
		}
		enc, err := acc.GetBucketEncryption(ctx, c.Region, c.target)
		return encryptionDoc(enc), enc.Algorithm != "", err
	case kindBucketPolicy:
		doc, err := acc.GetBucketPolicy(ctx, c.Region, c.target)
		return doc, doc != "", err
	case kindReplication:
		doc, err := acc.GetBucketReplication(ctx, c.Region, c.target)
		return doc, doc != "", err
	case kindManagedPolicy:
		doc, err := acc.ManagedPolicy(ctx, c.target)
		if err != nil {
			return absent(err)
		}
		return doc, true, nil
	case kindAttachPolicy:
		return a.attachedDoc(ctx, c)
	case kindDeleteRolePolicy:
		doc, err := acc.GetRolePolicy(ctx, c.target, c.name)
		if err != nil {
			return absent(err)
		}
		return doc, true, nil
	}
	if isWatchKind(c.kind) {
		return a.watchCurrent(ctx, c)
	}
	return "", false, fmt.Errorf("unknown change kind %d", c.kind)
}

func (a *applier) write(ctx context.Context, c Change) error {
	acc := a.account(c)
	after := compactDoc(c.After)
	switch c.kind {
	case kindCreateRole:
		_, err := acc.CreateRole(ctx, c.target, after, "Lets S3 replicate objects; managed by s3repl")
		if awsops.KindOf(err) == awsops.KindConflict {
			err = a.sameRole(ctx, c, err)
		}
		a.createdRole = err == nil
		return err
	case kindTrustPolicy:
		return acc.UpdateAssumeRolePolicy(ctx, c.target, after)
	case kindRolePolicy:
		return acc.PutRolePolicy(ctx, c.target, c.name, after)
	case kindCreateKey:
		return a.createKey(ctx, c, after)
	case kindCreateAlias:
		return a.createAlias(ctx, c)
	case kindKeyPolicy:
		return a.retryPropagation(ctx, func() error { return acc.PutKeyPolicy(ctx, c.Region, c.target, after) })
	case kindCreateBucket:
		err := acc.CreateBucket(ctx, c.Region, c.target)
		if awsops.KindOf(err) == awsops.KindConflict {
			err = a.sameBucket(ctx, c, err)
		}
		return err
	case kindVersioning:
		return acc.PutBucketVersioning(ctx, c.Region, c.target)
	case kindEncryption:
		return acc.PutBucketEncryption(ctx, c.Region, c.target, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: a.keyFor(c), BucketKey: true})
	case kindBucketPolicy:
		return a.retryPropagation(ctx, func() error { return acc.PutBucketPolicy(ctx, c.Region, c.target, after) })
	case kindReplication:
		return a.retryPropagation(ctx, func() error { return acc.PutBucketReplication(ctx, c.Region, c.target, after) })
	case kindManagedPolicy:
		return a.putManagedPolicy(ctx, c, after)
	case kindAttachPolicy:
		return acc.AttachRolePolicy(ctx, c.target, c.managedARN)
	case kindDeleteRolePolicy:
		return a.deleteMovedInline(ctx, c)
	}
	if isWatchKind(c.kind) {
		return a.watchWrite(ctx, c)
	}
	return fmt.Errorf("unknown change kind %d", c.kind)
}

func (a *applier) keyFor(c Change) string {
	var enc struct{ KMSMasterKeyID string }
	_ = jsonUnmarshal(c.After, &enc)
	return enc.KMSMasterKeyID
}

// retryPropagation retries a write that AWS refuses as invalid, which is what KMS and
// S3 say about a policy naming a role IAM created seconds ago.
func (a *applier) retryPropagation(ctx context.Context, write func() error) error {
	if !a.createdRole {
		return write()
	}
	return a.retryWhileInvalid(ctx, write)
}

// retryWhileInvalid retries write while AWS refuses it as invalid, backing off from a
// second to eight, for at most the propagation wait.
func (a *applier) retryWhileInvalid(ctx context.Context, write func() error) error {
	deadline := time.Now().Add(a.opts.PropagationWait)
	delay := time.Second
	for {
		err := write()
		if awsops.KindOf(err) != awsops.KindInvalidRequest || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(delay*2, 8*time.Second)
	}
}
