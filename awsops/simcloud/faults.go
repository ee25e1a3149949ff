package simcloud

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/s3repl/s3repl/awsops"
)

// fault is an AWS error response: the error code and message AWS sends, and the
// Kind awsops gives that code.
type fault struct {
	code    string
	kind    awsops.Kind
	message string
}

func (f *fault) Error() string { return f.code + ": " + f.message }

func newFault(code string, kind awsops.Kind, format string, args ...any) error {
	return &fault{code: code, kind: kind, message: fmt.Sprintf(format, args...)}
}

func notFound(code, format string, args ...any) error {
	return newFault(code, awsops.KindNotFound, format, args...)
}

func invalid(code, format string, args ...any) error {
	return newFault(code, awsops.KindInvalidRequest, format, args...)
}

func conflict(code, format string, args ...any) error {
	return newFault(code, awsops.KindConflict, format, args...)
}

func accessDenied(code, format string, args ...any) error {
	return newFault(code, awsops.KindAccessDenied, format, args...)
}

// opError is what an Account method returns for err: an *awsops.OpError whose Err is
// a smithy API error, as the SDK-backed Account returns.
func opError(op, profile, resource string, err error) error {
	if err == nil {
		return nil
	}
	var f *fault
	if !errors.As(err, &f) {
		return &awsops.OpError{Op: op, Profile: profile, Resource: resource, Kind: awsops.KindOther, Err: err}
	}
	apiErr := &smithy.GenericAPIError{Code: f.code, Message: f.message, Fault: smithy.FaultClient}
	return &awsops.OpError{Op: op, Profile: profile, Resource: resource, Code: f.code, Kind: f.kind, Err: apiErr}
}

type profileNotFoundError struct{ profile string }

func (e profileNotFoundError) Error() string {
	return fmt.Sprintf("failed to get shared config profile, %s", e.profile)
}

func errProfileNotFound(profile string) error { return profileNotFoundError{profile} }

// FaultMode says how an injected fault hits a call.
type FaultMode int

const (
	// FaultRefused: AWS answers 500 InternalError to every attempt; nothing happens.
	FaultRefused FaultMode = iota + 1
	// FaultAnswerLostOnce: the call happens but its answer is lost once; the SDK
	// retries it (unless the SDK-backed Account makes one attempt only, as for
	// kms:CreateKey), and the retry's answer is returned.
	FaultAnswerLostOnce
	// FaultAnswerLost: the call happens and every answer is lost, the SDK's retries
	// included (each of which happens too).
	FaultAnswerLost
)

func (m FaultMode) String() string {
	switch m {
	case FaultRefused:
		return "AWS 500"
	case FaultAnswerLostOnce:
		return "answer lost once"
	case FaultAnswerLost:
		return "every answer lost"
	}
	return "no fault"
}

// Fault is a failure to inject into the next call that matches it.
type Fault struct {
	Op        string // the permission an Account method is named by, e.g. "kms:CreateKey"
	AccountID string // "" for any account
	Resource  string // "" for any resource; else the resource the call names
	Mode      FaultMode
}

func (f Fault) matches(account, op, resource string) bool {
	return f.Op == op && (f.AccountID == "" || f.AccountID == account) && (f.Resource == "" || f.Resource == resource)
}

// sdkAttempts is how many times the SDK-backed Account sends a call whose answer is
// lost or a 500: the SDK's standard retryer makes 3 attempts, except for CreateKey,
// which awsops sends once (KMS has no idempotency token for it).
func sdkAttempts(op string) int {
	if op == "kms:CreateKey" {
		return 1
	}
	return 3
}

// InjectFault arms a fault for the next call that matches it; it fires once.
func (c *Cloud) InjectFault(f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, f)
}

// takeFault disarms and returns the first fault matching a call, if any.
func (c *Cloud) takeFault(account, op, resource string) (Fault, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if f.matches(account, op, resource) {
			c.faults = append(c.faults[:i], c.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

// lostAnswer is what the SDK reports when the connection closes after the request
// went out.
type lostAnswer struct{ op string }

func (e lostAnswer) Error() string {
	return "https response error: read tcp: connection reset by peer"
}

// faulted runs a call under an injected fault, as the SDK-backed Account would see it.
func (a *Account) faulted(f Fault, op, resource string, call func() error) error {
	switch f.Mode {
	case FaultRefused:
		return opError(op, a.profile.Name, resource, newFault("InternalError", awsops.KindOther, "We encountered an internal error. Please try again."))
	case FaultAnswerLostOnce:
		_ = a.cloud.locked(call)
		if sdkAttempts(op) > 1 {
			return opError(op, a.profile.Name, resource, a.cloud.locked(call))
		}
	case FaultAnswerLost:
		for range sdkAttempts(op) {
			_ = a.cloud.locked(call)
		}
	}
	return &awsops.OpError{Op: op, Profile: a.profile.Name, Resource: resource, Kind: awsops.KindOutcomeUnknown, Err: lostAnswer{op}}
}

// DisarmFaults drops the faults that have not fired and says how many there were.
func (c *Cloud) DisarmFaults() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.faults)
	c.faults = nil
	return n
}
