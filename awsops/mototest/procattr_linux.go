package mototest

import "syscall"

// dieWithParent has the kernel kill moto if the test binary dies without stopping it
// (a panic, a `go test` timeout).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
