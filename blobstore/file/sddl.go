package file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Security descriptors of Create/Get Permission in both of Azure's formats:
// SDDL text and the self-relative binary SECURITY_DESCRIPTOR (base64 on the
// wire). Get Permission converts between them, and renders SDDL the way
// Windows (and so Azure) prints it: well-known SIDs as aliases, rights as
// letters in bit order or hex, and "S:NO_ACCESS_CONTROL" for a descriptor
// without a SACL. Only the ACE types with a plain SID body (A, D, AU, AL)
// are handled; anything else is errSDDLUnsupported and the caller keeps the
// descriptor as it was given.

var errSDDLUnsupported = errors.New("blobstore: security descriptor form not supported")

// Control bits of a security descriptor.
const (
	sdDACLPresent      = 0x0004
	sdSACLPresent      = 0x0010
	sdDACLAutoInhReq   = 0x0100
	sdSACLAutoInhReq   = 0x0200
	sdDACLAutoInh      = 0x0400
	sdSACLAutoInh      = 0x0800
	sdDACLProtected    = 0x1000
	sdSACLProtected    = 0x2000
	sdSelfRelative     = 0x8000
	sdHeaderSize       = 20
	aclHeaderSize      = 8
	aceHeaderSize      = 4
	maxSubAuthorities  = 15
	sidHeaderSize      = 8
	aceTypeAllowed     = 0
	aceTypeDenied      = 1
	aceTypeAudit       = 2
	aceTypeAlarm       = 3
	aclRevision        = 2
	descriptorRevision = 1
)

// sidAliases are the well-known SIDs SDDL names with two letters.
func sidAliases() map[string]string {
	return map[string]string{
		"WD": "S-1-1-0", "CO": "S-1-3-0", "CG": "S-1-3-1", "OW": "S-1-3-4", "NU": "S-1-5-2", "IU": "S-1-5-4",
		"SU": "S-1-5-6", "AN": "S-1-5-7", "ED": "S-1-5-9", "PS": "S-1-5-10", "AU": "S-1-5-11", "RC": "S-1-5-12",
		"SY": "S-1-5-18", "LS": "S-1-5-19", "NS": "S-1-5-20", "BA": "S-1-5-32-544", "BU": "S-1-5-32-545",
		"BG": "S-1-5-32-546", "PU": "S-1-5-32-547", "AO": "S-1-5-32-548", "SO": "S-1-5-32-549", "PO": "S-1-5-32-550",
		"BO": "S-1-5-32-551", "RE": "S-1-5-32-552", "RU": "S-1-5-32-554", "RD": "S-1-5-32-555", "NO": "S-1-5-32-556",
		"MU": "S-1-5-32-558", "LU": "S-1-5-32-559", "IS": "S-1-5-32-568", "CY": "S-1-5-32-569", "ER": "S-1-5-32-573",
		"AC": "S-1-15-2-1", "LW": "S-1-16-4096", "ME": "S-1-16-8192", "HI": "S-1-16-12288", "SI": "S-1-16-16384",
	}
}

// rightLetters are the one-right SDDL codes in bit order (as Windows prints them).
var rightLetters = [...]struct {
	code string
	mask uint32
}{
	{"CC", 0x1}, {"DC", 0x2}, {"LC", 0x4}, {"SW", 0x8}, {"RP", 0x10}, {"WP", 0x20}, {"DT", 0x40}, {"LO", 0x80},
	{"CR", 0x100}, {"SD", 0x10000}, {"RC", 0x20000}, {"WD", 0x40000}, {"WO", 0x80000},
	{"GA", 0x10000000}, {"GX", 0x20000000}, {"GW", 0x40000000}, {"GR", 0x80000000},
}

// rightComposites are the SDDL codes for whole access masks, tried first.
var rightComposites = [...]struct {
	code string
	mask uint32
}{
	{"FA", 0x1f01ff}, {"FR", 0x120089}, {"FW", 0x120116}, {"FX", 0x1200a0},
	{"KA", 0xf003f}, {"KR", 0x20019}, {"KW", 0x20006}, {"KX", 0x20019},
}

var aceFlagLetters = [...]struct {
	code string
	bit  byte
}{{"OI", 0x1}, {"CI", 0x2}, {"NP", 0x4}, {"IO", 0x8}, {"ID", 0x10}, {"SA", 0x40}, {"FA", 0x80}}

var aceTypeCodes = map[string]byte{"A": aceTypeAllowed, "D": aceTypeDenied, "AU": aceTypeAudit, "AL": aceTypeAlarm}

// sddlToBinary encodes an SDDL descriptor as a self-relative binary one.
func sddlToBinary(s string) ([]byte, error) {
	var owner, group, dacl, sacl []byte
	control := uint16(sdSelfRelative)
	rest := s
	for rest != "" {
		if len(rest) < 2 || rest[1] != ':' {
			return nil, errSDDLUnsupported
		}
		part := rest[0]
		rest = rest[2:]
		end := nextPart(rest)
		val := rest[:end]
		rest = rest[end:]
		var err error
		switch part {
		case 'O':
			owner, err = parseSIDString(val)
		case 'G':
			group, err = parseSIDString(val)
		case 'D':
			var flags uint16
			flags, dacl, err = parseACL(val, false)
			control |= sdDACLPresent | flags
		case 'S':
			var flags uint16
			flags, sacl, err = parseACL(val, true)
			control |= sdSACLPresent | flags<<1
		default:
			return nil, errSDDLUnsupported
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, sdHeaderSize)
	out[0] = descriptorRevision
	binary.LittleEndian.PutUint16(out[2:], control)
	put := func(at int, b []byte) {
		if b != nil {
			binary.LittleEndian.PutUint32(out[at:], uint32(len(out)))
			out = append(out, b...)
		}
	}
	// Windows lays out SACL, DACL, owner, group.
	put(12, sacl)
	put(16, dacl)
	put(4, owner)
	put(8, group)
	return out, nil
}

// nextPart finds where the next "X:" part starts (outside parentheses).
func nextPart(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		default:
			if depth == 0 && i+1 < len(s) && s[i+1] == ':' && strings.IndexByte("OGDS", s[i]) >= 0 {
				return i
			}
		}
	}
	return len(s)
}

// parseACL parses "flags(ace)(ace)..." into its DACL control flags (P, AI,
// AR as DACL bits) and binary ACL; NO_ACCESS_CONTROL is a null ACL.
func parseACL(s string, audit bool) (uint16, []byte, error) {
	var flags uint16
	i := strings.IndexByte(s, '(')
	if i < 0 {
		i = len(s)
	}
	fl := s[:i]
	null := false
	for fl != "" {
		switch {
		case strings.HasPrefix(fl, "NO_ACCESS_CONTROL"):
			null, fl = true, fl[len("NO_ACCESS_CONTROL"):]
		case strings.HasPrefix(fl, "AI"):
			flags, fl = flags|sdDACLAutoInh, fl[2:]
		case strings.HasPrefix(fl, "AR"):
			flags, fl = flags|sdDACLAutoInhReq, fl[2:]
		case strings.HasPrefix(fl, "P"):
			flags, fl = flags|sdDACLProtected, fl[1:]
		default:
			return 0, nil, errSDDLUnsupported
		}
	}
	if null {
		if i != len(s) {
			return 0, nil, errSDDLUnsupported
		}
		return flags, nil, nil
	}
	acl := make([]byte, aclHeaderSize)
	acl[0] = aclRevision
	count := 0
	for rest := s[i:]; rest != ""; count++ {
		if rest[0] != '(' {
			return 0, nil, errSDDLUnsupported
		}
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			return 0, nil, errSDDLUnsupported
		}
		ace, err := parseACE(rest[1:j], audit)
		if err != nil {
			return 0, nil, err
		}
		acl = append(acl, ace...)
		rest = rest[j+1:]
	}
	if len(acl) > 0xffff || count > 0xffff {
		return 0, nil, errSDDLUnsupported
	}
	binary.LittleEndian.PutUint16(acl[2:], uint16(len(acl)))
	binary.LittleEndian.PutUint16(acl[4:], uint16(count))
	return flags, acl, nil
}

func parseACE(s string, audit bool) ([]byte, error) {
	f := strings.Split(s, ";")
	if len(f) != 6 || f[3] != "" || f[4] != "" {
		return nil, errSDDLUnsupported
	}
	typ, ok := aceTypeCodes[f[0]]
	if !ok || (typ >= aceTypeAudit) != audit {
		return nil, errSDDLUnsupported
	}
	var flags byte
	for fl := f[1]; fl != ""; {
		found := false
		for _, l := range aceFlagLetters {
			if strings.HasPrefix(fl, l.code) {
				flags, fl, found = flags|l.bit, fl[2:], true
				break
			}
		}
		if !found {
			return nil, errSDDLUnsupported
		}
	}
	mask, err := parseRights(f[2])
	if err != nil {
		return nil, err
	}
	sid, err := parseSIDString(f[5])
	if err != nil {
		return nil, err
	}
	ace := make([]byte, aceHeaderSize+4, aceHeaderSize+4+len(sid))
	ace[0], ace[1] = typ, flags
	binary.LittleEndian.PutUint16(ace[2:], uint16(aceHeaderSize+4+len(sid)))
	binary.LittleEndian.PutUint32(ace[4:], mask)
	return append(ace, sid...), nil
}

func parseRights(s string) (uint32, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, errSDDLUnsupported
		}
		return uint32(v), nil
	}
	var mask uint32
	for s != "" {
		if len(s) < 2 {
			return 0, errSDDLUnsupported
		}
		code, found := s[:2], false
		for _, r := range rightComposites {
			if r.code == code {
				mask, found = mask|r.mask, true
				break
			}
		}
		if !found {
			for _, r := range rightLetters {
				if r.code == code {
					mask, found = mask|r.mask, true
					break
				}
			}
		}
		if !found {
			return 0, errSDDLUnsupported
		}
		s = s[2:]
	}
	return mask, nil
}

// parseSIDString encodes "S-1-5-21-..." or a two-letter alias.
func parseSIDString(s string) ([]byte, error) {
	if v, ok := sidAliases()[s]; ok {
		s = v
	}
	parts := strings.Split(s, "-")
	if len(parts) < 3 || parts[0] != "S" || parts[1] != "1" || len(parts)-3 > maxSubAuthorities {
		return nil, errSDDLUnsupported
	}
	auth, err := strconv.ParseUint(parts[2], 10, 48)
	if err != nil {
		return nil, errSDDLUnsupported
	}
	out := make([]byte, sidHeaderSize, sidHeaderSize+4*(len(parts)-3))
	out[0], out[1] = 1, byte(len(parts)-3)
	for i := 0; i < 6; i++ {
		out[2+i] = byte(auth >> (8 * (5 - i)))
	}
	for _, p := range parts[3:] {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, errSDDLUnsupported
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}

// binaryToSDDL renders a self-relative binary descriptor as SDDL.
func binaryToSDDL(b []byte) (string, error) {
	if len(b) < sdHeaderSize || b[0] != descriptorRevision {
		return "", errSDDLUnsupported
	}
	control := binary.LittleEndian.Uint16(b[2:])
	if control&sdSelfRelative == 0 {
		return "", errSDDLUnsupported
	}
	off := func(at int) int { return int(binary.LittleEndian.Uint32(b[at:])) }
	var sb strings.Builder
	if o := off(4); o != 0 {
		sid, _, err := sidAt(b, o)
		if err != nil {
			return "", err
		}
		sb.WriteString("O:" + sid)
	}
	if o := off(8); o != 0 {
		sid, _, err := sidAt(b, o)
		if err != nil {
			return "", err
		}
		sb.WriteString("G:" + sid)
	}
	if control&sdDACLPresent != 0 {
		s, err := aclString(b, off(16), control, false)
		if err != nil {
			return "", err
		}
		sb.WriteString("D:" + s)
	}
	if control&sdSACLPresent != 0 {
		s, err := aclString(b, off(12), control>>1, true)
		if err != nil {
			return "", err
		}
		sb.WriteString("S:" + s)
	} else {
		// Azure's descriptors always carry a (null) SACL.
		sb.WriteString("S:NO_ACCESS_CONTROL")
	}
	return sb.String(), nil
}

func aclString(b []byte, o int, flags uint16, audit bool) (string, error) {
	var sb strings.Builder
	if flags&sdDACLProtected != 0 {
		sb.WriteString("P")
	}
	if flags&sdDACLAutoInhReq != 0 {
		sb.WriteString("AR")
	}
	if flags&sdDACLAutoInh != 0 {
		sb.WriteString("AI")
	}
	if o == 0 {
		sb.WriteString("NO_ACCESS_CONTROL")
		return sb.String(), nil
	}
	if o < 0 || o+aclHeaderSize > len(b) {
		return "", errSDDLUnsupported
	}
	size := int(binary.LittleEndian.Uint16(b[o+2:]))
	count := int(binary.LittleEndian.Uint16(b[o+4:]))
	if size < aclHeaderSize || o+size > len(b) {
		return "", errSDDLUnsupported
	}
	at := o + aclHeaderSize
	for i := 0; i < count; i++ {
		if at+aceHeaderSize+4 > o+size {
			return "", errSDDLUnsupported
		}
		typ, fl := b[at], b[at+1]
		n := int(binary.LittleEndian.Uint16(b[at+2:]))
		if n < aceHeaderSize+4+sidHeaderSize || at+n > o+size {
			return "", errSDDLUnsupported
		}
		var code string
		for c, t := range aceTypeCodes {
			if t == typ {
				code = c
			}
		}
		if code == "" || (typ >= aceTypeAudit) != audit {
			return "", errSDDLUnsupported
		}
		mask := binary.LittleEndian.Uint32(b[at+4:])
		sid, _, err := sidAt(b[:at+n], at+8)
		if err != nil {
			return "", err
		}
		var flags strings.Builder
		for _, l := range aceFlagLetters {
			if fl&l.bit != 0 {
				flags.WriteString(l.code)
			}
		}
		fmt.Fprintf(&sb, "(%s;%s;%s;;;%s)", code, flags.String(), rightsString(mask), sid)
		at += n
	}
	return sb.String(), nil
}

func rightsString(mask uint32) string {
	for _, r := range rightComposites[:4] {
		if r.mask == mask {
			return r.code
		}
	}
	var sb strings.Builder
	left := mask
	for _, r := range rightLetters {
		if left&r.mask != 0 {
			sb.WriteString(r.code)
			left &^= r.mask
		}
	}
	if left != 0 || mask == 0 {
		return "0x" + strconv.FormatUint(uint64(mask), 16)
	}
	return sb.String()
}

// sidAt renders the SID at offset o as SDDL (an alias when well known).
func sidAt(b []byte, o int) (string, int, error) {
	if o < 0 || o+sidHeaderSize > len(b) || b[o] != 1 {
		return "", 0, errSDDLUnsupported
	}
	n := int(b[o+1])
	end := o + sidHeaderSize + 4*n
	if n > maxSubAuthorities || end > len(b) {
		return "", 0, errSDDLUnsupported
	}
	var auth uint64
	for i := 0; i < 6; i++ {
		auth = auth<<8 | uint64(b[o+2+i])
	}
	s := "S-1-" + strconv.FormatUint(auth, 10)
	for i := 0; i < n; i++ {
		s += "-" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[o+sidHeaderSize+4*i:])), 10)
	}
	for alias, v := range sidAliases() {
		if v == s {
			return alias, end, nil
		}
	}
	return s, end, nil
}
