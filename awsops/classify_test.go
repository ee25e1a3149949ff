package awsops

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	ssooidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// operation wraps err the way an SDK client returns it: an operation error around an
// HTTP response error with the given status.
func operation(service, name string, status int, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: name, Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
			Err:      err,
		},
	}}
}

func apiError(code, message string) error {
	return &smithy.GenericAPIError{Code: code, Message: message}
}

// needingCredentials is how an S3 call fails when its credentials could not be had.
func needingCredentials(err error) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "GetBucketPolicy",
		Err: fmt.Errorf("get identity: get credentials: failed to refresh cached credentials, %w", err)}
}

func TestClassifyKinds(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind Kind
		code string
	}{
		{"no such bucket", operation("S3", "GetBucketPolicy", 404, &s3types.NoSuchBucket{}), KindNotFound, "NoSuchBucket"},
		{"kms not found", operation("KMS", "DescribeKey", 400, apiError("NotFoundException", "alias/x is not found")), KindNotFound, "NotFoundException"},
		{"iam no such entity", operation("IAM", "GetRole", 404, apiError("NoSuchEntity", "")), KindNotFound, "NoSuchEntity"},
		{"no such key", operation("S3", "GetObject", 404, apiError("NoSuchKey", "")), KindNotFound, "NoSuchKey"},
		{"head 404 without code", operation("S3", "HeadBucket", 404, errors.New("not found")), KindNotFound, ""},
		{"access denied", operation("S3", "GetBucketPolicy", 403, apiError("AccessDenied", "")), KindAccessDenied, "AccessDenied"},
		{"kms access denied", operation("KMS", "GetKeyPolicy", 400, apiError("AccessDeniedException", "")), KindAccessDenied, "AccessDeniedException"},
		{"unauthorized operation", operation("EC2", "Describe", 403, apiError("UnauthorizedOperation", "")), KindAccessDenied, "UnauthorizedOperation"},
		{"bare 403", operation("S3", "HeadBucket", 403, errors.New("forbidden")), KindAccessDenied, ""},
		{"malformed policy", operation("S3", "PutBucketPolicy", 400, apiError("MalformedPolicy", "")), KindInvalidRequest, "MalformedPolicy"},
		{"malformed policy document", operation("IAM", "PutRolePolicy", 400, apiError("MalformedPolicyDocument", "")), KindInvalidRequest, "MalformedPolicyDocument"},
		{"kms malformed policy", operation("KMS", "PutKeyPolicy", 400, apiError("MalformedPolicyDocumentException", "")), KindInvalidRequest, "MalformedPolicyDocumentException"},
		{"invalid request", operation("S3", "PutBucketReplication", 400, apiError("InvalidRequest", "")), KindInvalidRequest, "InvalidRequest"},
		{"validation", operation("KMS", "CreateKey", 400, apiError("ValidationException", "")), KindInvalidRequest, "ValidationException"},
		{"bucket taken", operation("S3", "CreateBucket", 409, &s3types.BucketAlreadyExists{}), KindConflict, "BucketAlreadyExists"},
		{"bucket owned", operation("S3", "CreateBucket", 409, &s3types.BucketAlreadyOwnedByYou{}), KindConflict, "BucketAlreadyOwnedByYou"},
		{"role exists", operation("IAM", "CreateRole", 409, apiError("EntityAlreadyExists", "")), KindConflict, "EntityAlreadyExists"},
		{"alias exists", operation("KMS", "CreateAlias", 400, apiError("AlreadyExistsException", "")), KindConflict, "AlreadyExistsException"},
		{"permanent redirect", operation("S3", "GetBucketPolicy", 301, apiError("PermanentRedirect", "")), KindWrongRegion, "PermanentRedirect"},
		{"bare 301", operation("S3", "HeadBucket", 301, errors.New("moved")), KindWrongRegion, ""},
		{"wrong signing region", operation("S3", "GetBucketPolicy", 400, apiError("AuthorizationHeaderMalformed",
			"the region 'us-east-1' is wrong; expecting 'eu-west-1'")), KindWrongRegion, "AuthorizationHeaderMalformed"},
		{"malformed header", operation("S3", "GetBucketPolicy", 400, apiError("AuthorizationHeaderMalformed", "bad date")), KindInvalidRequest, "AuthorizationHeaderMalformed"},
		{"location constraint", operation("S3", "CreateBucket", 400, apiError("IllegalLocationConstraintException", "")), KindWrongRegion, "IllegalLocationConstraintException"},

		{"missing profile", fmt.Errorf("loading: %w", config.SharedConfigProfileNotExistError{Profile: "prod"}), KindProfileNotFound, ""},

		{"sso invalid token", needingCredentials(&ssocreds.InvalidTokenError{}), KindExpiredSSO, ""},
		{"sso token cannot be refreshed", needingCredentials(errors.New("refresh cached SSO token failed, cached SSO token is expired, or not present, and cannot be refreshed")), KindExpiredSSO, ""},
		{"sso oidc invalid grant", needingCredentials(fmt.Errorf("refresh: %w", operation("SSO OIDC", "CreateToken", 400, &ssooidctypes.InvalidGrantException{}))), KindExpiredSSO, "InvalidGrantException"},
		{"sso unauthorized", needingCredentials(operation("SSO", "GetRoleCredentials", 401, &ssotypes.UnauthorizedException{})), KindExpiredSSO, "UnauthorizedException"},
		{"sso session message", errors.New("the SSO session s has expired or is otherwise invalid"), KindExpiredSSO, ""},
		{"token has expired", needingCredentials(errors.New("token has expired and refresh failed")), KindExpiredSSO, ""},

		{"no IMDS role", needingCredentials(errors.New("no EC2 IMDS role found, operation error ec2imds: GetMetadata, exceeded maximum number of attempts")), KindNoCredentials, ""},
		{"imds call failed", needingCredentials(fmt.Errorf("no EC2 IMDS role found, %w", &smithy.OperationError{ServiceID: "ec2imds", OperationName: "GetMetadata",
			Err: &smithyhttp.RequestSendError{Err: errors.New("connection refused")}})), KindNoCredentials, ""},
		{"empty static credentials", needingCredentials(&credentials.StaticCredentialsEmptyError{}), KindNoCredentials, ""},
		{"invalid key id", operation("STS", "GetCallerIdentity", 403, apiError("InvalidClientTokenId", "The security token included in the request is invalid.")), KindBadCredentials, "InvalidClientTokenId"},
		{"unknown S3 key id", operation("S3", "ListBuckets", 403, apiError("InvalidAccessKeyId", "")), KindBadCredentials, "InvalidAccessKeyId"},
		{"wrong secret", operation("S3", "ListBuckets", 403, apiError("SignatureDoesNotMatch", "")), KindBadCredentials, "SignatureDoesNotMatch"},
		{"kms unknown key id", operation("KMS", "ListKeys", 400, apiError("UnrecognizedClientException", "")), KindBadCredentials, "UnrecognizedClientException"},
		{"expired session token", operation("S3", "ListBuckets", 400, apiError("ExpiredToken", "The provided token has expired.")), KindExpiredSession, "ExpiredToken"},
		{"sso oidc expired token", needingCredentials(fmt.Errorf("refresh: %w", operation("SSO OIDC", "CreateToken", 400, apiError("ExpiredTokenException", "")))), KindExpiredSSO, "ExpiredTokenException"},
		{"expired token, KMS", operation("KMS", "ListKeys", 400, apiError("ExpiredTokenException", "")), KindExpiredSession, "ExpiredTokenException"},
		{"sso-session section missing", errors.New("failed to find SSO session section, corp"), KindBadProfile, ""},
		{"sso settings missing", errors.New(`profile "p" is configured to use SSO but is missing required configuration: sso_region, sso_start_url`), KindBadProfile, ""},

		{"unreachable", operation("S3", "ListBuckets", 0, &smithyhttp.RequestSendError{Err: errors.New("connection refused")}), KindUnreachable, ""},
		{"throttled", operation("KMS", "ListKeys", 400, apiError("ThrottlingException", "")), KindOther, "ThrottlingException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := classify("s3:GetBucketPolicy", "prod", "my-bucket", c.err)
			if e.Kind != c.kind || e.Code != c.code {
				t.Errorf("kind %v code %q, want %v %q (%v)", e.Kind, e.Code, c.kind, c.code, c.err)
			}
			if e.Op != "s3:GetBucketPolicy" || e.Profile != "prod" || e.Resource != "my-bucket" || !errors.Is(e, c.err) {
				t.Errorf("classify lost the call's details: %+v", e)
			}
		})
	}
}

func TestClassifyBlamesAssumeRole(t *testing.T) {
	const role = "arn:aws:iam::222222222222:role/admin"
	denied := needingCredentials(&assumeRoleError{RoleARN: role,
		Err: operation("STS", "AssumeRole", 403, apiError("AccessDenied", "not authorized to perform sts:AssumeRole"))})
	e := classify("s3:GetBucketPolicy", "dst", "my-bucket", denied)
	if e.Kind != KindAccessDenied || e.Op != "sts:AssumeRole" || e.Resource != role {
		t.Errorf("got %+v", e)
	}
	want := "grant sts:AssumeRole on " + role + " to the identity of profile dst"
	if got := Advice(e); got != want {
		t.Errorf("advice %q, want %q", got, want)
	}

	unreachable := needingCredentials(&assumeRoleError{RoleARN: role,
		Err: operation("STS", "AssumeRole", 0, &smithyhttp.RequestSendError{Err: errors.New("no such host")})})
	if kind := classify("s3:GetBucketPolicy", "dst", "b", unreachable).Kind; kind != KindUnreachable {
		t.Errorf("an unreachable STS is %v, want %v", kind, KindUnreachable)
	}
	typo := operation("KMS", "DescribeKey", 0, &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: "https://kms.eu-wset-1.amazonaws.com/", Err: errors.New("no such host")}})
	want = "could not reach kms.eu-wset-1.amazonaws.com: check the Region's spelling"
	if got := Advice(classify("kms:DescribeKey", "dst", "alias/x", typo)); !strings.HasPrefix(got, want) {
		t.Errorf("advice %q, want it to begin %q", got, want)
	}
}

func TestClassifyKeepsAnOpError(t *testing.T) {
	inner := &OpError{Op: "kms:DescribeKey", Kind: KindNotFound}
	if got := classify("s3:GetBucketPolicy", "p", "r", fmt.Errorf("wrapped: %w", inner)); got != inner {
		t.Errorf("got %+v, want the inner error", got)
	}
}

func TestAdvice(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/home/me/.aws/config")
	missing := fmt.Errorf("x: %w", config.SharedConfigProfileNotExistError{Profile: "base"})
	cases := []struct {
		err  *OpError
		want string
	}{
		{&OpError{Kind: KindExpiredSSO, Profile: "prod"}, "run `aws sso login --profile prod`"},
		{&OpError{Kind: KindExpiredSSO}, "run `aws sso login` and"},
		{&OpError{Kind: KindAccessDenied, Profile: "prod", Op: "s3:GetBucketPolicy", Resource: "b"},
			"grant s3:GetBucketPolicy on b to the identity of profile prod"},
		{&OpError{Kind: KindProfileNotFound, Profile: "prod"}, "add [profile prod] to /home/me/.aws/config or fix the name"},
		{&OpError{Kind: KindProfileNotFound, Profile: "prod", Err: missing}, "add [profile base] to"},
		{&OpError{Kind: KindNoCredentials, Profile: "prod"}, "aws configure --profile prod"},
		{&OpError{Kind: KindBadCredentials, Profile: "prod", Code: "InvalidClientTokenId"},
			"AWS does not recognise the access key of profile prod (mistyped, deleted or deactivated): set a working one with `aws configure --profile prod`"},
		{&OpError{Kind: KindBadCredentials, Profile: "prod", Code: "SignatureDoesNotMatch"},
			"the secret access key of profile prod does not match its access key id: enter the pair again with `aws configure --profile prod`"},
		{&OpError{Kind: KindBadCredentials, Profile: "dst", Op: "sts:AssumeRole", Code: "InvalidClientTokenId"},
			"the source_profile of profile dst"},
		{&OpError{Kind: KindBadCredentials, Profile: "prod", Code: "UnrecognizedClientException"}, "or the Region is not enabled for the account"},
		{&OpError{Kind: KindExpiredSession, Profile: "prod", Code: "ExpiredToken"},
			"the temporary credentials of profile prod have expired: renew the session (`aws sso login --profile prod` for an SSO profile"},
		{&OpError{Kind: KindBadProfile, Profile: "dev", Err: errors.New("failed to find SSO session section, corp")},
			"add a section [sso-session corp] to /home/me/.aws/config with sso_start_url (your AWS access portal URL) and sso_region (its Region), or run `aws configure sso-session`; then `aws sso login --sso-session corp`"},
		{&OpError{Kind: KindBadProfile, Profile: "dev", Err: errors.New(`profile "dev" is configured to use SSO but is missing required configuration: sso_region`)},
			"the SSO settings of profile dev lack sso_region: add them to its [profile dev] or [sso-session] section in /home/me/.aws/config"},
		{&OpError{Kind: KindNotFound, Resource: "alias/k"}, "alias/k"},
		{&OpError{Kind: KindWrongRegion, Resource: "b"}, "another Region"},
		{&OpError{Kind: KindConflict, Code: "BucketAlreadyExists", Resource: "b"}, "taken by another account"},
		{&OpError{Kind: KindInvalidRequest, Op: "iam:PutRolePolicy", Err: apiError("MalformedPolicyDocument", "Syntax errors in policy.")},
			"AWS refused the request for iam:PutRolePolicy: Syntax errors in policy."},
	}
	for _, c := range cases {
		if got := Advice(fmt.Errorf("wrapped: %w", c.err)); !strings.Contains(got, c.want) {
			t.Errorf("Advice(%v kind) = %q, want it to contain %q", c.err.Kind, got, c.want)
		}
	}
	if got := Advice(errors.New("plain")); got != "" {
		t.Errorf("advice for a plain error: %q", got)
	}
}

func TestDetailIsWhatAWSSaid(t *testing.T) {
	refused := classify("sts:GetCallerIdentity", "prod", "caller identity",
		operation("STS", "GetCallerIdentity", 403, apiError("InvalidClientTokenId", "The security token included in the request is invalid.")))
	if got, want := Detail(refused), "InvalidClientTokenId: The security token included in the request is invalid."; got != want {
		t.Errorf("Detail %q, want %q", got, want)
	}
	noCode := classify("s3:ListAllMyBuckets", "prod", "buckets", needingCredentials(errors.New("no EC2 IMDS role found")))
	if got, want := Detail(noCode), "get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found"; got != want {
		t.Errorf("Detail %q, want %q", got, want)
	}
}
