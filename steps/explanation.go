package steps

import (
	"errors"

	"github.com/s3repl/s3repl/awsops"
)

// ErrorExplanation is an error as a person reads it: what went wrong in a few words,
// the full message from AWS, and what to do. The ui shows it; steps knows the kinds
// of AWS errors.
type ErrorExplanation struct {
	Headline string
	Detail   string
	Advice   string
}

// ExplainError explains err: an AWS call's failure names the call, the resource and
// the profile, with the advice for its kind; a SideError's advice is kept.
func ExplainError(err error) ErrorExplanation {
	var e ErrorExplanation
	var side *SideError
	if errors.As(err, &side) {
		e.Advice = side.Advice
		err = side.Err
	}
	var op *awsops.OpError
	var problems Problems
	switch {
	case errors.As(err, &op):
		who := "profile " + op.Profile
		if op.Profile == "" {
			who = "default credentials"
		}
		e.Headline = op.Kind.String() + ": " + op.Op + " on " + op.Resource + " (" + who + ")"
		if op.Err != nil {
			e.Detail = awsops.Detail(op.Err)
		}
	case errors.As(err, &problems):
		e.Headline = problems.Error()
	default:
		e.Headline = err.Error()
	}
	if e.Advice == "" {
		e.Advice = awsops.Advice(err)
	}
	return e
}

// ErrorKind names the kind of a failure in a few words, e.g. "expired SSO session".
func ErrorKind(err error) string { return awsops.KindOf(err).String() }

// ExplainSide adds to an error on one side of the setup what to do about it.
func ExplainSide(side Side, err error) error { return explain(string(side), err) }
