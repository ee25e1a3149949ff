package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestTUISmoke runs scripts/tui-smoke: the real binary's wizard in tmux against moto,
// driven with send-keys. It is skipped without tmux (which the script installs when
// it runs as root) or moto, unless CI=true.
func TestTUISmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, missing := range smokeMissing() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tui-smoke needs %s", missing)
		}
		t.Skipf("tui-smoke needs %s", missing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "./scripts/tui-smoke").CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/tui-smoke: %v\n%s", err, out)
	}
}

func smokeMissing() []string {
	var missing []string
	_, noAptGet := exec.LookPath("apt-get")
	if _, err := exec.LookPath("tmux"); err != nil && (os.Getuid() != 0 || noAptGet != nil) {
		missing = append(missing, "tmux")
	}
	if exec.Command(".venv/bin/python", "-c", "import moto.server, boto3").Run() != nil {
		missing = append(missing, "moto in .venv (./scripts/test installs it)")
	}
	return missing
}
