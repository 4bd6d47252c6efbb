package main

import (
	"context"
	"fmt"
	"io"
)

// health asks a running azemu whether it is ready; it exits 0 when it is.
// Container images use it as their health check. It finds the instance as
// every client subcommand does and checks the answer comes from it.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("azemu health")
	t := addTarget(f)
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	inst, err := t.find()
	if err != nil {
		return err
	}
	base, err := inst.health(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %s (%s)\n", base, inst.from)
	return nil
}
