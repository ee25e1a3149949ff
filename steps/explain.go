package steps

import (
	"errors"
	"fmt"

	"github.com/s3repl/s3repl/awsops"
)

// SideError is an AWS failure on one side of the setup, with what to do about it.
type SideError struct {
	Side   string // "source" or "destination"
	Advice string
	Err    error
}

func (e *SideError) Error() string {
	msg := e.Side + ": " + e.Err.Error()
	if e.Advice != "" {
		msg += "\n  what to do: " + e.Advice
	}
	return msg
}

func (e *SideError) Unwrap() error { return e.Err }

// explain wraps an AWS error with the side it happened on and advice. Problems and
// errors already explained pass through; nil stays nil.
func explain(side string, err error) error {
	if err == nil {
		return nil
	}
	var side1 *SideError
	var problems Problems
	if errors.As(err, &side1) || errors.As(err, &problems) {
		return err
	}
	return &SideError{Side: side, Advice: advice(err), Err: err}
}

func advice(err error) string {
	var op *awsops.OpError
	if !errors.As(err, &op) {
		return ""
	}
	profile := profileName(op.Profile)
	switch op.Kind {
	case awsops.KindExpiredSSO:
		return fmt.Sprintf("your SSO session has expired: run `aws sso login --profile %s` and try again", op.Profile)
	case awsops.KindNoCredentials:
		return fmt.Sprintf("no credentials were found for %s: configure the profile (aws configure --profile %s) or log in", profile, op.Profile)
	case awsops.KindProfileNotFound:
		return fmt.Sprintf("profile %s is not in your AWS config or credentials file: fix the name or add it (aws configure --profile %s)", profile, op.Profile)
	case awsops.KindAccessDenied:
		return fmt.Sprintf("the identity of %s may not call %s on %s: grant that permission (or use a profile that has it)", profile, op.Op, op.Resource)
	case awsops.KindWrongRegion:
		return "the resource is in another Region than the one given: fix the Region in the setup"
	}
	return ""
}
