//go:build !linux

package mototest

import "syscall"

func dieWithParent() *syscall.SysProcAttr { return nil }
