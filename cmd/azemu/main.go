// Command azemu runs the Azure Blob Storage, Azure Files and Azure Key Vault
// emulator. Without a subcommand it serves until SIGINT or SIGTERM.
//
//	azemu [serve] [flags]            start the emulator
//	azemu cert                       print the CA certificate (PEM) to trust
//	azemu clock [advance 90d]        read or move the emulator clock
//	azemu reset                      return a running azemu to its seeded state
//	azemu demo revocation            show customer-managed-key revocation
//	azemu health                     exit 0 when a running azemu is ready
//	azemu help, azemu --version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// subcommands in the order help lists them, each with one line.
var subcommands = []struct{ name, line string }{
	{"serve", "start the emulator (the default); 'azemu serve --help' lists its flags"},
	{"cert", "print the CA certificate of a running azemu, to trust its HTTPS endpoints"},
	{"clock", "print the emulator clock, or move it forward: azemu clock advance 90d"},
	{"reset", "return a running azemu to its seeded state (--seed): everything else is removed"},
	{"health", "exit 0 when the azemu (found by --status-file, --data or ports) is ready"},
	{"demo", "narrated customer-managed-key revocation: azemu demo revocation"},
	{"help", "this list"},
	{"version", "the version of this azemu (also --version)"},
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 {
		switch args[0] {
		case "--version", "-version", "-v":
			cmd = "version"
		case "--help", "-help", "-h":
			printHelp(stdout)
			var o options
			fmt.Fprint(stdout, "\nFlags of azemu serve:\n")
			newServeFlags(&o).help(stdout)
			return 0
		}
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdout, stderr)
	case "cert":
		err = cert(ctx, args, stdout, stderr)
	case "clock":
		err = clock(ctx, args, stdout, stderr)
	case "reset":
		err = reset(ctx, args, stdout, stderr)
	case "demo":
		err = demo(ctx, args, stdout, stderr)
	case "health":
		err = health(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "azemu", version())
		return 0
	case "help":
		printHelp(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "azemu: unknown command %q", cmd)
		if s := suggestCommand(cmd); s != "" {
			fmt.Fprintf(stderr, " (did you mean %q?)", s)
		}
		fmt.Fprint(stderr, "\n\n")
		printHelp(stderr)
		return 2
	}
	if err != nil {
		switch err {
		case errHelp:
			return 0
		case errUsage:
			return 2
		}
		fmt.Fprintf(stderr, "azemu: %v\n", err)
		return 1
	}
	return 0
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, "azemu emulates Azure Blob Storage, Azure Files and Azure Key Vault, encrypting at rest.\n\nUsage: azemu [command] [flags]\n\nCommands:\n")
	for _, c := range subcommands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.line)
	}
	fmt.Fprint(w, "\nEvery flag has an AZEMU_ variable; 'azemu COMMAND --help' lists them.\n")
}

func suggestCommand(bad string) string {
	best, bestD := "", 3
	for _, c := range subcommands {
		if d := editDistance(strings.ToLower(bad), c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// version describes this build: the module version when installed with
// go install, else the VCS revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	v := info.Main.Version
	var rev, when string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if dirty {
			v += "+dirty"
		}
		if when != "" {
			v += " " + when
		}
	}
	return v + " " + info.GoVersion
}
