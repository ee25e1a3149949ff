package awsops

import (
	"errors"
	"fmt"
)

// Kind classifies why an AWS call failed, so callers can say what to do.
type Kind int

const (
	KindOther           Kind = iota
	KindNotFound             // bucket, key, role, policy or alias does not exist
	KindAccessDenied         // the caller lacks a permission
	KindExpiredSSO           // the SSO session of the profile has expired
	KindNoCredentials        // no credentials could be resolved for the profile
	KindProfileNotFound      // the named profile is not in the shared config files
	KindBadCredentials       // AWS refuses the profile's keys: unknown, deactivated, wrong secret
	KindExpiredSession       // the profile's temporary credentials (session token) expired
	KindBadProfile           // the profile lacks configuration it needs (an sso-session section)
	KindInvalidRequest       // AWS refused the request's content (malformed policy, ...)
	KindConflict             // the resource exists already or is owned by someone else
	KindWrongRegion          // the resource lives in another Region than the one asked
	KindUnreachable          // the request never reached AWS (host unknown, network down)
	// KindOutcomeUnknown: the request was sent but no answer came back (timeout,
	// connection closed): a write may or may not have happened.
	KindOutcomeUnknown
)

func (k Kind) String() string {
	switch k {
	case KindNotFound:
		return "not found"
	case KindAccessDenied:
		return "access denied"
	case KindExpiredSSO:
		return "expired SSO session"
	case KindNoCredentials:
		return "no credentials"
	case KindProfileNotFound:
		return "profile not found"
	case KindBadCredentials:
		return "credentials refused"
	case KindExpiredSession:
		return "expired credentials"
	case KindBadProfile:
		return "incomplete profile"
	case KindInvalidRequest:
		return "invalid request"
	case KindConflict:
		return "conflict"
	case KindWrongRegion:
		return "wrong region"
	case KindUnreachable:
		return "unreachable"
	case KindOutcomeUnknown:
		return "outcome unknown"
	}
	return "error"
}

// OpError is the error every Account method returns on failure.
type OpError struct {
	Op       string // the IAM permission the call needs, e.g. "s3:GetReplicationConfiguration"
	Profile  string
	Resource string // what the call was about: bucket name, key id, role name
	Code     string // the AWS error code when there is one, e.g. "NoSuchBucket"
	Kind     Kind
	Err      error
}

func (e *OpError) Error() string {
	who := e.Profile
	if who == "" {
		who = "default credentials"
	} else {
		who = "profile " + who
	}
	msg := fmt.Sprintf("%s on %s (%s) failed: %s", e.Op, e.Resource, who, e.Kind)
	if e.Code != "" {
		msg += " [" + e.Code + "]"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *OpError) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, KindOther when err is no *OpError.
func KindOf(err error) Kind {
	var op *OpError
	if errors.As(err, &op) {
		return op.Kind
	}
	return KindOther
}

// IsNotFound reports whether err says the thing asked for does not exist.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsAccessDenied reports whether err is a permission failure.
func IsAccessDenied(err error) bool { return KindOf(err) == KindAccessDenied }

// IsOutcomeUnknown reports whether err says a request was sent but its answer was
// lost, so whatever it asked for may or may not have happened.
func IsOutcomeUnknown(err error) bool { return KindOf(err) == KindOutcomeUnknown }
