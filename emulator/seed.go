package emulator

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxSeedSize bounds a seed document: it is configuration, not bulk data.
const maxSeedSize = 16 << 20

// Seed is a declared starting state (--seed FILE): one JSON or YAML
// document. It is applied at start after the built-in development account,
// vault and principal, and again by every reset. Applying it is idempotent:
// what exists already is left as it is.
type Seed struct {
	Principals []SeedPrincipal `yaml:"principals"`
	Accounts   []SeedAccount   `yaml:"accounts"`
	Vaults     []SeedVault     `yaml:"vaults"`
}

// Pos is where an entry starts in the seed document (1-based).
type Pos struct{ Line, Column int }

func (p Pos) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Column) }

// SeedPrincipal is a service principal of the token authority.
type SeedPrincipal struct {
	Pos         `yaml:"-"`
	ClientID    string `yaml:"clientId"`
	ObjectID    string `yaml:"objectId"`
	Secret      string `yaml:"secret"`
	DisplayName string `yaml:"displayName"`
}

// SeedAccount is a storage account with its containers and shares.
type SeedAccount struct {
	Pos  `yaml:"-"`
	Name string `yaml:"name"`
	// Keys are the account's shared keys, base64 (one or two); none means
	// the development account key.
	Keys       []string        `yaml:"keys"`
	Containers []SeedContainer `yaml:"containers"`
	Shares     []SeedShare     `yaml:"shares"`

	keys [][]byte
}

// SeedContainer is a blob container and its blobs.
type SeedContainer struct {
	Pos      `yaml:"-"`
	Name     string            `yaml:"name"`
	Metadata map[string]string `yaml:"metadata"`
	Blobs    []SeedContent     `yaml:"blobs"`
}

// SeedShare is a file share, its directories and files.
type SeedShare struct {
	Pos         `yaml:"-"`
	Name        string            `yaml:"name"`
	Quota       int               `yaml:"quota"`
	Metadata    map[string]string `yaml:"metadata"`
	Directories []SeedDirectory   `yaml:"directories"`
	Files       []SeedContent     `yaml:"files"`
}

// SeedDirectory is a directory of a share ("a/b" creates a and a/b).
type SeedDirectory struct {
	Pos      `yaml:"-"`
	Path     string            `yaml:"path"`
	Metadata map[string]string `yaml:"metadata"`
}

// SeedContent is a blob or a file: its content inline as text or as base64
// (one of the two), its content type and metadata.
type SeedContent struct {
	Pos         `yaml:"-"`
	Name        string            `yaml:"name"`
	Text        *string           `yaml:"text"`
	Base64      *string           `yaml:"base64"`
	ContentType string            `yaml:"contentType"`
	Metadata    map[string]string `yaml:"metadata"`

	data []byte
}

// SeedVault is a Key Vault with its access rules and keys.
type SeedVault struct {
	Pos                     `yaml:"-"`
	Name                    string             `yaml:"name"`
	SoftDelete              *bool              `yaml:"softDelete"`
	SoftDeleteRetentionDays int                `yaml:"softDeleteRetentionDays"`
	PurgeProtection         bool               `yaml:"purgeProtection"`
	RBAC                    bool               `yaml:"rbac"`
	AccessPolicies          []SeedAccessPolicy `yaml:"accessPolicies"`
	RoleAssignments         []SeedRole         `yaml:"roleAssignments"`
	Keys                    []SeedKey          `yaml:"keys"`
}

// SeedAccessPolicy grants key, secret and certificate permissions to a
// principal.
type SeedAccessPolicy struct {
	Pos          `yaml:"-"`
	ObjectID     string   `yaml:"objectId"`
	Keys         []string `yaml:"keys"`
	Secrets      []string `yaml:"secrets"`
	Certificates []string `yaml:"certificates"`
}

// SeedRole is a data-plane role assignment on the vault (or one key, with
// scope "keys/NAME").
type SeedRole struct {
	Pos         `yaml:"-"`
	PrincipalID string `yaml:"principalId"`
	Role        string `yaml:"role"`
	Scope       string `yaml:"scope"`
}

// SeedKey is a key created in the vault (its first version).
type SeedKey struct {
	Pos   `yaml:"-"`
	Name  string   `yaml:"name"`
	Type  string   `yaml:"type"` // RSA, RSA-HSM, EC, EC-HSM, oct-HSM
	Size  int      `yaml:"size"`
	Curve string   `yaml:"curve"`
	Ops   []string `yaml:"ops"`
}

// SeedError is a problem with one entry of a seed document.
type SeedError struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *SeedError) Error() string {
	f := e.File
	if f == "" {
		f = "seed"
	}
	return fmt.Sprintf("%s:%d:%d: %s", f, e.Pos.Line, e.Pos.Column, e.Msg)
}

// LoadSeed reads and parses a seed file.
func LoadSeed(path string) (*Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSeedSize+1))
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	if len(b) > maxSeedSize {
		return nil, fmt.Errorf("seed %s is larger than %d MiB", path, maxSeedSize>>20)
	}
	s, err := ParseSeed(b)
	var se *SeedError
	if errors.As(err, &se) {
		se.File = path
	}
	return s, err
}

// ParseSeed parses a JSON or YAML seed document (JSON is read as the YAML
// subset it is) and checks every entry; errors are *SeedError naming the
// line and column of the offending entry.
func ParseSeed(doc []byte) (*Seed, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &Seed{}, nil
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &SeedError{Pos: Pos{extra.Line, extra.Column}, Msg: "a seed file holds one document"}
	}
	var s Seed
	if err := decodeStrict(&root, &s); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// yamlError turns a yaml syntax error ("yaml: line N: ...") into a SeedError.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		_, rest, _ := strings.Cut(msg, ": ")
		return &SeedError{Pos: Pos{line, 1}, Msg: rest}
	}
	return &SeedError{Pos: Pos{1, 1}, Msg: msg}
}

var posType = reflect.TypeOf(Pos{})

// decodeStrict decodes n into v (a pointer), refusing keys v does not
// declare and recording the position of every struct that embeds Pos.
func decodeStrict(n *yaml.Node, v any) error {
	return decodeValue(n, reflect.ValueOf(v).Elem())
}

func decodeValue(n *yaml.Node, v reflect.Value) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		return &SeedError{Pos: Pos{n.Line, n.Column}, Msg: "aliases are not supported in a seed file"}
	}
	if n.Tag == "!!null" {
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return &SeedError{Pos: Pos{n.Line, n.Column}, Msg: "expected a mapping of " + describe(v.Type())}
		}
		fields := map[string]int{}
		var names []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = i
			names = append(names, tag)
		}
		if v.Type().NumField() > 0 && v.Type().Field(0).Type == posType {
			v.Field(0).Set(reflect.ValueOf(Pos{n.Line, n.Column}))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			idx, ok := fields[k.Value]
			if !ok {
				return &SeedError{Pos: Pos{k.Line, k.Column}, Msg: fmt.Sprintf("unknown field %q in %s (known: %s)", k.Value, describe(v.Type()), strings.Join(names, ", "))}
			}
			if seen[k.Value] {
				return &SeedError{Pos: Pos{k.Line, k.Column}, Msg: fmt.Sprintf("field %q given twice", k.Value)}
			}
			seen[k.Value] = true
			if err := decodeValue(val, v.Field(idx)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Struct {
			if n.Kind != yaml.SequenceNode {
				return &SeedError{Pos: Pos{n.Line, n.Column}, Msg: "expected a list of " + describe(v.Type().Elem())}
			}
			s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
			for i, c := range n.Content {
				if err := decodeValue(c, s.Index(i)); err != nil {
					return err
				}
			}
			v.Set(s)
			return nil
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(n, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	// Scalars, lists of strings and string maps: yaml's own decoding.
	if err := n.Decode(v.Addr().Interface()); err != nil {
		msg := err.Error()
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
			msg = te.Errors[0]
			if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
				msg = rest
			}
		}
		return &SeedError{Pos: Pos{n.Line, n.Column}, Msg: msg}
	}
	return nil
}

func describe(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(Seed{}):
		return "the seed document"
	case reflect.TypeOf(SeedPrincipal{}):
		return "principal"
	case reflect.TypeOf(SeedAccount{}):
		return "account"
	case reflect.TypeOf(SeedContainer{}):
		return "container"
	case reflect.TypeOf(SeedShare{}):
		return "share"
	case reflect.TypeOf(SeedDirectory{}):
		return "directory"
	case reflect.TypeOf(SeedContent{}):
		return "blob or file"
	case reflect.TypeOf(SeedVault{}):
		return "vault"
	case reflect.TypeOf(SeedAccessPolicy{}):
		return "access policy"
	case reflect.TypeOf(SeedRole{}):
		return "role assignment"
	case reflect.TypeOf(SeedKey{}):
		return "key"
	}
	return t.Name()
}

// check validates what can be validated before applying: names, keys and
// content encodings, duplicates. The services check the rest as they apply.
func (s *Seed) check() error {
	bad := func(p Pos, format string, args ...any) error {
		return &SeedError{Pos: p, Msg: fmt.Sprintf(format, args...)}
	}
	accounts := map[string]bool{}
	for i := range s.Accounts {
		a := &s.Accounts[i]
		if !validAccountName(a.Name) {
			return bad(a.Pos, "account name %q must be 3 to 24 lowercase letters and digits", a.Name)
		}
		if accounts[a.Name] {
			return bad(a.Pos, "account %q is declared twice", a.Name)
		}
		accounts[a.Name] = true
		if len(a.Keys) > 2 {
			return bad(a.Pos, "account %q has %d keys; an account has one or two", a.Name, len(a.Keys))
		}
		a.keys = nil
		for _, k := range a.Keys {
			raw, err := base64.StdEncoding.DecodeString(k)
			if err != nil || len(raw) < 16 {
				return bad(a.Pos, "account %q: a key must be base64 of at least 16 bytes", a.Name)
			}
			a.keys = append(a.keys, raw)
		}
		names := map[string]bool{}
		for j := range a.Containers {
			c := &a.Containers[j]
			if c.Name == "" || names[c.Name] {
				return bad(c.Pos, "container name %q is empty or declared twice", c.Name)
			}
			names[c.Name] = true
			for k := range c.Blobs {
				if err := c.Blobs[k].decode(); err != nil {
					return err
				}
			}
		}
		clear(names)
		for j := range a.Shares {
			sh := &a.Shares[j]
			if sh.Name == "" || names[sh.Name] {
				return bad(sh.Pos, "share name %q is empty or declared twice", sh.Name)
			}
			names[sh.Name] = true
			for _, d := range sh.Directories {
				if strings.Trim(d.Path, "/") == "" {
					return bad(d.Pos, "a directory needs a path")
				}
			}
			for k := range sh.Files {
				if err := sh.Files[k].decode(); err != nil {
					return err
				}
			}
		}
	}
	vaults := map[string]bool{}
	for i := range s.Vaults {
		v := &s.Vaults[i]
		if !validVaultName(v.Name) {
			return bad(v.Pos, "vault name %q must be 3 to 24 letters, digits and dashes, starting with a letter", v.Name)
		}
		if vaults[strings.ToLower(v.Name)] {
			return bad(v.Pos, "vault %q is declared twice", v.Name)
		}
		vaults[strings.ToLower(v.Name)] = true
		for _, ap := range v.AccessPolicies {
			if ap.ObjectID == "" {
				return bad(ap.Pos, "an access policy needs an objectId")
			}
		}
		for _, ra := range v.RoleAssignments {
			if ra.PrincipalID == "" || ra.Role == "" {
				return bad(ra.Pos, "a role assignment needs a principalId and a role")
			}
		}
		keys := map[string]bool{}
		for _, k := range v.Keys {
			if k.Name == "" || keys[strings.ToLower(k.Name)] {
				return bad(k.Pos, "key name %q is empty or declared twice", k.Name)
			}
			keys[strings.ToLower(k.Name)] = true
			if k.Type == "" {
				return bad(k.Pos, "key %q needs a type (RSA, RSA-HSM, EC, EC-HSM, oct-HSM)", k.Name)
			}
		}
	}
	for _, p := range s.Principals {
		if p.ClientID == "" || p.Secret == "" {
			return bad(p.Pos, "a principal needs a clientId and a secret")
		}
	}
	return nil
}

func (c *SeedContent) decode() error {
	if c.Name == "" {
		return &SeedError{Pos: c.Pos, Msg: "a blob or file needs a name"}
	}
	switch {
	case c.Text != nil && c.Base64 != nil:
		return &SeedError{Pos: c.Pos, Msg: fmt.Sprintf("%q: give text or base64, not both", c.Name)}
	case c.Base64 != nil:
		b, err := base64.StdEncoding.DecodeString(*c.Base64)
		if err != nil {
			return &SeedError{Pos: c.Pos, Msg: fmt.Sprintf("%q: base64 content is invalid: %v", c.Name, err)}
		}
		c.data = b
	case c.Text != nil:
		c.data = []byte(*c.Text)
	default:
		c.data = []byte{}
	}
	return nil
}

func validAccountName(n string) bool {
	if len(n) < 3 || len(n) > 24 {
		return false
	}
	for _, r := range n {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// validVaultName follows Key Vault's rule: 3-24 characters, letters, digits
// and dashes, starting with a letter, not ending with a dash, no "--".
func validVaultName(n string) bool {
	if len(n) < 3 || len(n) > 24 || strings.Contains(n, "--") || strings.HasSuffix(n, "-") {
		return false
	}
	for i, r := range n {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if i == 0 && !letter {
			return false
		}
		if !letter && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// seedNames lists what a seed declares, for logs.
func (s *Seed) summary() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(len(s.Accounts), "accounts")
	add(len(s.Vaults), "vaults")
	add(len(s.Principals), "principals")
	if len(parts) == 0 {
		return "empty"
	}
	return strings.Join(slices.Clip(parts), ", ")
}
