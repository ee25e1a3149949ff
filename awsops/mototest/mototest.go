// Package mototest runs the integration tests of a test binary against one moto
// server with two accounts.
//
// The test binary's TestMain calls Main. Main points the AWS SDK at files and
// directories of its own (config, credentials, SSO cache under a temporary HOME), so
// nothing of the host's AWS setup leaks in, and stops the server when the tests end.
// Tests call Start, which starts the server on first use and skips the test when moto
// is not installed (fails it when CI=true):
//
//	func TestMain(m *testing.M) { mototest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		mototest.Start(t)
//		src, err := awsops.Open(ctx, mototest.SourceProfile)
//		...
//		bucket := mototest.UniqueName("src")
//	}
//
// The server is shared by all tests of the binary: use UniqueName for anything with a
// name, and Reset only in tests that do not run in parallel.
package mototest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// The two accounts. moto gives the default account to the static credentials of
// SourceProfile; DestProfile assumes DestRoleARN, and moto gives the assumed-role
// credentials the account of the role's ARN. The role need not exist.
const (
	SourceProfile = "src"
	SourceAccount = "123456789012"
	SourceRegion  = "us-east-1"

	DestProfile = "dst"
	DestAccount = "222222222222"
	DestRegion  = "eu-west-1"
	DestRoleARN = "arn:aws:iam::" + DestAccount + ":role/s3repl-test-admin"
)

// Profiles for the failure paths.
const (
	// ExpiredSSOProfile is an SSO profile whose cached token has expired and cannot
	// be refreshed (no refresh token), as after the SSO session ended.
	ExpiredSSOProfile = "expired-sso"
	// NoCredentialsProfile has a Region and nothing to get credentials from.
	NoCredentialsProfile = "no-credentials"
	// MissingSourceProfile assumes a role from a source_profile that does not exist.
	MissingSourceProfile = "missing-source"
)

// Server is the running moto server.
type Server struct {
	// Endpoint is the server's URL, also in AWS_ENDPOINT_URL.
	Endpoint string
	// ConfigFile and CredentialsFile are the shared files, also in AWS_CONFIG_FILE
	// and AWS_SHARED_CREDENTIALS_FILE.
	ConfigFile      string
	CredentialsFile string
}

var harness struct {
	prepared bool
	env      *environment

	once     sync.Once
	server   *Server
	process  *process
	startErr error
}

// Main prepares the environment, runs the tests and stops the server. Call it from
// TestMain; it does not return.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env, err := prepareEnvironment()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mototest:", err)
		return 1
	}
	defer env.remove()
	harness.prepared, harness.env = true, env
	defer stopServer()
	return m.Run()
}

// Start returns the shared server, starting it on first use. Without moto the test
// is skipped, or fails when CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	if !harness.prepared {
		t.Fatal("mototest: call mototest.Main(m) from TestMain")
	}
	harness.once.Do(startServer)
	if harness.startErr != nil {
		if os.Getenv("CI") == "true" || !isNotInstalled(harness.startErr) {
			t.Fatalf("mototest: %v", harness.startErr)
		}
		t.Skipf("mototest: %v", harness.startErr)
	}
	return harness.server
}

func startServer() {
	p, err := launch(harness.env)
	if err != nil {
		harness.startErr = err
		return
	}
	harness.process = p
	harness.server = &Server{
		Endpoint:        p.endpoint,
		ConfigFile:      harness.env.configFile,
		CredentialsFile: harness.env.credentialsFile,
	}
}

func stopServer() {
	if harness.process != nil {
		harness.process.stop()
	}
}

// Reset empties every account of the server. Assumed-role credentials are forgotten
// too: open the accounts again after it.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	if err := post(s.Endpoint + "/moto-api/reset"); err != nil {
		t.Fatalf("mototest: reset: %v", err)
	}
}

// UniqueName returns prefix with a random suffix, a valid bucket name for a short
// lowercase prefix, so tests sharing the server do not meet.
func UniqueName(prefix string) string {
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	return strings.ToLower(prefix) + "-" + hex.EncodeToString(suffix)
}
