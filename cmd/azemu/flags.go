package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// errUsage means the command line was wrong and the usage was printed;
// errHelp that help was asked for and printed.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

// flags is a command's flag set. Each option has one name, its aliases (the
// Azurite spellings) and an AZEMU_ variable, parsed by the same code as the
// flag: a malformed variable is an error naming it, never a silent default.
// Flags override variables, variables override defaults.
type flags struct {
	name  string
	fs    *flag.FlagSet
	specs []*flagSpec
	// set records the options given by flag or variable (not defaulted).
	set map[*flagSpec]bool
}

type flagSpec struct {
	group string
	names []string
	env   string // without the AZEMU_ prefix; "" for none
	usage string
	arg   string // placeholder of the value in the help ("" for booleans)
	val   flag.Value
}

func newFlags(name string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{name: name, fs: fs, set: map[*flagSpec]bool{}}
}

func (f *flags) add(group string, v flag.Value, env, arg, usage string, names ...string) *flagSpec {
	s := &flagSpec{group: group, names: names, env: env, usage: usage, arg: arg, val: v}
	for _, n := range names {
		f.fs.Var(v, n, usage)
	}
	f.specs = append(f.specs, s)
	return s
}

func (f *flags) str(group string, p *string, def, env, usage string, names ...string) *flagSpec {
	*p = def
	return f.add(group, (*strValue)(p), env, "STRING", usage, names...)
}

func (f *flags) path(group string, p *string, def, env, usage string, names ...string) *flagSpec {
	*p = def
	return f.add(group, (*strValue)(p), env, "DIR", usage, names...)
}

func (f *flags) port(group string, p *int, def int, env, usage string, names ...string) *flagSpec {
	*p = def
	return f.add(group, (*intValue)(p), env, "PORT", usage, names...)
}

func (f *flags) boolean(group string, p *bool, env, usage string, names ...string) *flagSpec {
	*p = false
	return f.add(group, (*boolValue)(p), env, "", usage, names...)
}

func (f *flags) duration(group string, p *time.Duration, env, usage string, names ...string) *flagSpec {
	return f.add(group, (*durationValue)(p), env, "DURATION", usage, names...)
}

// parse applies the variables, then the flags. An unknown flag gets a
// suggestion; -h and --help print the help.
func (f *flags) parse(args []string, stderr io.Writer) error {
	for _, s := range f.specs {
		if s.env == "" {
			continue
		}
		v, ok := os.LookupEnv("AZEMU_" + s.env)
		if !ok {
			continue
		}
		if err := s.val.Set(v); err != nil {
			return fmt.Errorf("AZEMU_%s=%q: %v", s.env, v, err)
		}
		f.set[s] = true
	}
	if bad := f.unknown(args); bad != "" {
		msg := fmt.Sprintf("%s: unknown flag %s", f.name, bad)
		if s := f.suggest(bad); s != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", s)
		}
		fmt.Fprintf(stderr, "%s\nRun '%s --help' for the flags.\n", msg, f.name)
		return errUsage
	}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage: %s [flags]\n", f.name)
			f.help(stderr)
			return errHelp
		}
		fmt.Fprintf(stderr, "%s: %v\n", f.name, err)
		return errUsage
	}
	f.fs.Visit(func(fl *flag.Flag) {
		for _, s := range f.specs {
			for _, n := range s.names {
				if n == fl.Name {
					f.set[s] = true
				}
			}
		}
	})
	return nil
}

// isSet reports whether the option was given by flag or variable.
func (f *flags) isSet(s *flagSpec) bool { return f.set[s] }

// unknown returns the first flag in args the set does not define.
func (f *flags) unknown(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return ""
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		if name == "h" || name == "help" {
			continue
		}
		fl := f.fs.Lookup(name)
		if fl == nil {
			return "--" + name
		}
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) {
			i++ // the next argument is this flag's value
		}
	}
	return ""
}

// suggest returns the defined flag name closest to bad, if one is close
// enough to be a typo.
func (f *flags) suggest(bad string) string {
	bad = strings.ToLower(strings.TrimLeft(bad, "-"))
	limit := max(2, len(bad)/3)
	best, bestD := "", limit+1
	for _, s := range f.specs {
		for _, n := range s.names {
			if d := editDistance(bad, strings.ToLower(n)); d < bestD {
				best, bestD = n, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// help prints the flags grouped, each with its aliases and variable on one line.
func (f *flags) help(w io.Writer) {
	var groups []string
	for _, s := range f.specs {
		if !contains(groups, s.group) {
			groups = append(groups, s.group)
		}
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, s := range f.specs {
			if s.group != g {
				continue
			}
			var names []string
			for _, n := range s.names {
				if len(n) == 1 {
					names = append(names, "-"+n)
				} else {
					names = append(names, "--"+n)
				}
			}
			head := strings.Join(names, ", ")
			if s.arg != "" {
				head += " " + s.arg
			}
			extra := ""
			if s.env != "" {
				extra = "AZEMU_" + s.env
			}
			if d := s.val.String(); d != "" && d != "false" && d != "0s" {
				if extra != "" {
					extra += ", "
				}
				extra += "default " + d
			}
			if extra != "" {
				extra = " [" + extra + "]"
			}
			fmt.Fprintf(w, "  %s\n      %s%s\n", head, s.usage, extra)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type strValue string

func (v *strValue) String() string     { return string(*v) }
func (v *strValue) Set(s string) error { *v = strValue(s); return nil }

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = intValue(n)
	return nil
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not a boolean: use true or false (1 or 0)", s)
	}
	*v = boolValue(b)
	return nil
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v = durationValue(d)
	return nil
}

// listValue is a repeatable string flag.
type listValue []string

func (l *listValue) String() string     { return strings.Join(*l, ";") }
func (l *listValue) Set(v string) error { *l = append(*l, v); return nil }

// parseDuration is the one duration syntax of every flag, variable and
// subcommand: Go durations plus a day unit, e.g. 90d, 1d12h, 1h30m, 0.5d.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("duration %q: use forms like 90d, 36h, 1d12h, 1h30m", s)
	if s == "" {
		return 0, errors.New("a duration is required, like 90d")
	}
	var total time.Duration
	rest := s
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.ParseFloat(rest[:i], 64)
		if i == 0 || err != nil || days < 0 || days > 100*365 {
			return 0, bad
		}
		total = time.Duration(days * 24 * float64(time.Hour))
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, bad
		}
		total += d
	}
	return total, nil
}
