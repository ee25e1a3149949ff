package awsops

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
)

// Advice says in one line what the user can do about err, "" when there is nothing
// more specific to say than the error itself.
func Advice(err error) string {
	var op *OpError
	if !errors.As(err, &op) {
		return ""
	}
	who := profileLabel(op.Profile)
	switch op.Kind {
	case KindExpiredSSO:
		return fmt.Sprintf("run `aws sso login%s` and try again", profileFlag(op.Profile))
	case KindNoCredentials:
		return fmt.Sprintf("give %s valid credentials (`aws configure%s`, or log in) and try again", who, profileFlag(op.Profile))
	case KindProfileNotFound:
		return fmt.Sprintf("add [%s] to %s or fix the name", configSection(missingProfile(err, op.Profile)), sharedConfigFile())
	case KindAccessDenied:
		return fmt.Sprintf("grant %s on %s to the identity of %s", op.Op, op.Resource, who)
	case KindNotFound:
		return fmt.Sprintf("check the name and Region of %s, or let s3repl create it", op.Resource)
	case KindWrongRegion:
		return fmt.Sprintf("%s is in another Region: give its Region, or leave the Region empty to look it up", op.Resource)
	case KindConflict:
		if op.Code == "BucketAlreadyExists" {
			return fmt.Sprintf("the bucket name %s is taken by another account: choose another name", op.Resource)
		}
		return fmt.Sprintf("%s exists already: use it, or choose another name", op.Resource)
	case KindInvalidRequest:
		return fmt.Sprintf("AWS refused the request for %s: %s", op.Op, refusal(err))
	case KindOutcomeUnknown:
		if isRead(op.Op) {
			return fmt.Sprintf("no answer came back for %s on %s (timed out or the connection closed): run the command again", op.Op, op.Resource)
		}
		return fmt.Sprintf("the request for %s on %s was sent but no answer came back (timed out or the connection closed): it may or may not have happened. Run `s3repl plan` to see what is in place, then run the command again: s3repl reads everything again first", op.Op, op.Resource)
	case KindUnreachable:
		return fmt.Sprintf("could not reach %s: check the Region's spelling, the endpoint settings (AWS_ENDPOINT_URL, endpoint_url) and the network", hostOf(err))
	}
	return ""
}

// hostOf is the host a request could not reach, or "AWS" when the error names none.
func hostOf(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	return "AWS"
}

func profileFlag(profile string) string {
	if profile == "" {
		return ""
	}
	return " --profile " + profile
}

// missingProfile names the profile that is missing: the one asked for, or a
// source_profile it refers to.
func missingProfile(err error, asked string) string {
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) && missing.Profile != "" {
		return missing.Profile
	}
	return asked
}

func configSection(profile string) string {
	if profile == "" || profile == "default" {
		return "default"
	}
	return "profile " + profile
}

func sharedConfigFile() string {
	if file := os.Getenv("AWS_CONFIG_FILE"); file != "" {
		return file
	}
	return config.DefaultSharedConfigFilename()
}

func refusal(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorMessage() != "" {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// isRead reports whether an operation, named by its permission, only reads.
func isRead(op string) bool {
	_, action, _ := strings.Cut(op, ":")
	for _, verb := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(action, verb) {
			return true
		}
	}
	return false
}
