package main

import (
	"testing"

	"github.com/s3repl/s3repl/awsops/mototest"
)

// TestMain runs the command tests against one moto server with two accounts.
func TestMain(m *testing.M) { mototest.Main(m) }
