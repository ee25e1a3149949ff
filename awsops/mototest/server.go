package mototest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var errNotInstalled = errors.New("moto is not installed: run ./scripts/test, which installs it into .venv (or set S3REPL_MOTO_SERVER to a moto_server command)")

func isNotInstalled(err error) bool { return errors.Is(err, errNotInstalled) }

const (
	startTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
	startTries   = 3
)

// process is a moto server this package started.
type process struct {
	cmd      *exec.Cmd
	endpoint string
	logFile  string
	exited   chan struct{}
}

// launch starts moto on a free loopback port, points AWS_ENDPOINT_URL at it and
// waits until it answers. A port taken between choosing and binding is retried.
func launch(env *environment) (*process, error) {
	command, err := motoCommand()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for try := range startTries {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		logFile := filepath.Join(env.dir, fmt.Sprintf("moto-%d.log", try))
		p, err := startProcess(command, port, logFile)
		if err == nil {
			return p, os.Setenv("AWS_ENDPOINT_URL", p.endpoint)
		}
		lastErr = err
	}
	return nil, lastErr
}

// motoCommand finds moto: S3REPL_MOTO_SERVER, else the repository's .venv, where
// scripts/moto_server.py (moto with a faithful GetBucketReplication) is preferred.
func motoCommand() ([]string, error) {
	if custom := os.Getenv("S3REPL_MOTO_SERVER"); custom != "" {
		return []string{custom}, nil
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	python := filepath.Join(root, ".venv", "bin", "python")
	launcher := filepath.Join(root, "scripts", "moto_server.py")
	if isFile(python) && isFile(launcher) && hasMoto(python) {
		return []string{python, launcher}, nil
	}
	if server := filepath.Join(root, ".venv", "bin", "moto_server"); isFile(server) {
		return []string{server}, nil
	}
	return nil, errNotInstalled
}

func hasMoto(python string) bool {
	return exec.Command(python, "-c", "import moto.server").Run() == nil
}

// repoRoot is the nearest directory up from the working directory (the test's
// package) that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for !isFile(filepath.Join(dir, "go.mod")) {
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
	return dir, nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startProcess(command []string, port int, logFile string) (*process, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	args := slices.Concat(command[1:], []string{"-H", "127.0.0.1", "-p", strconv.Itoa(port)})
	cmd := exec.Command(command[0], args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto (%s): %w", command[0], err)
	}
	p := &process{
		cmd:      cmd,
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		logFile:  logFile,
		exited:   make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitUntilAnswering(); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

func (p *process) waitUntilAnswering() error {
	deadline := time.Now().Add(startTimeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("moto exited while starting: %s", p.logTail())
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(p.endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
	}
	return fmt.Errorf("moto did not answer on %s within %s: %s", p.endpoint, startTimeout, p.logTail())
}

func (p *process) logTail() string {
	log, _ := os.ReadFile(p.logFile)
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func post(url string) error {
	resp, err := http.Post(url, "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}
