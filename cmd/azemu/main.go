// Command azemu runs the Azure Blob Storage, Azure Files and Azure Key Vault
// emulator. Without a subcommand it serves until SIGINT or SIGTERM.
//
//	azemu [serve] [flags]            start the emulator
//	azemu cert [--data DIR]          print the CA certificate (PEM) to trust
//	azemu clock [advance 90d]        read or move the emulator clock
//	azemu demo revocation            show customer-managed-key revocation
//	azemu health                     exit 0 when a running azemu is ready
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdout, stderr)
	case "cert":
		err = cert(args, stdout, stderr)
	case "clock":
		err = clock(ctx, args, stdout, stderr)
	case "demo":
		err = demo(ctx, args, stdout, stderr)
	case "health":
		err = health(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "azemu: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintf(stderr, "azemu: %v\n", err)
		return 1
	}
	return 0
}

const usage = `Usage:
  azemu [serve] [flags]        start the emulator (see 'azemu serve -h')
  azemu cert [--data DIR]      print the CA certificate of the instance using DIR
  azemu clock                  print the emulator clock of a running azemu
  azemu clock advance 90d      move the emulator clock forward (s, m, h, d units)
  azemu health                 exit 0 when the azemu on --blob-port is ready
  azemu demo revocation        narrated customer-managed-key revocation against a running azemu
`
