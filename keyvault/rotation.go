package keyvault

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// isoDuration is an ISO-8601 duration as Key Vault rotation policies use it:
// P[nY][nM][nW][nD][T[nH][nM][nS]].
type isoDuration struct {
	years, months, days int
	clock               time.Duration
}

func (d isoDuration) addTo(t time.Time) time.Time {
	return t.AddDate(d.years, d.months, d.days).Add(d.clock)
}

func (d isoDuration) subFrom(t time.Time) time.Time {
	return t.AddDate(-d.years, -d.months, -d.days).Add(-d.clock)
}

// approx is the duration in days, months as 30 and years as 365 days, for
// minimum checks.
func (d isoDuration) approx() time.Duration {
	return time.Duration(d.years*365+d.months*30+d.days)*24*time.Hour + d.clock
}

// parseDuration parses an ISO-8601 duration. Fuzzed.
func parseDuration(s string) (isoDuration, error) {
	var d isoDuration
	bad := badParam("Invalid ISO-8601 duration '%s'.", s)
	if len(s) < 3 || len(s) > 32 || (s[0] != 'P' && s[0] != 'p') {
		return d, bad
	}
	rest, inTime, any := s[1:], false, false
	for rest != "" {
		if rest[0] == 'T' || rest[0] == 't' {
			if inTime {
				return d, bad
			}
			inTime, rest = true, rest[1:]
			if rest == "" {
				return d, bad
			}
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i > 6 || i == len(rest) {
			return d, bad
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return d, bad
		}
		unit := strings.ToUpper(rest[i : i+1])
		rest = rest[i+1:]
		any = true
		switch {
		case !inTime && unit == "Y":
			d.years += n
		case !inTime && unit == "M":
			d.months += n
		case !inTime && unit == "W":
			d.days += 7 * n
		case !inTime && unit == "D":
			d.days += n
		case inTime && unit == "H":
			d.clock += time.Duration(n) * time.Hour
		case inTime && unit == "M":
			d.clock += time.Duration(n) * time.Minute
		case inTime && unit == "S":
			d.clock += time.Duration(n) * time.Second
		default:
			return d, bad
		}
	}
	if !any {
		return d, bad
	}
	return d, nil
}

// DefaultRotationPolicy is what a key without a policy reports: notify 30
// days before expiry, as Key Vault answers.
func defaultRotationPolicy() RotationPolicy {
	return RotationPolicy{LifetimeActions: []LifetimeAction{{TimeBeforeExpiry: "P30D", Action: "Notify"}}}
}

// validatePolicy applies Key Vault's rules: each action has exactly one
// trigger, Rotate at most once, Notify only before expiry, expiryTime at least
// 28 days, timeAfterCreate and timeBeforeExpiry at least 7 days, and a
// timeBeforeExpiry trigger needs an expiryTime shorter than... (not checked).
func validatePolicy(p *RotationPolicy) error {
	if len(p.LifetimeActions) > 2 {
		return badParam("A rotation policy can have at most two lifetime actions.")
	}
	var exp isoDuration
	if p.ExpiryTime != "" {
		d, err := parseDuration(p.ExpiryTime)
		if err != nil {
			return err
		}
		if d.approx() < 28*24*time.Hour {
			return badParam("The expiryTime of a rotation policy must be at least 28 days (P28D).")
		}
		exp = d
	}
	seen := map[string]bool{}
	for i := range p.LifetimeActions {
		a := &p.LifetimeActions[i]
		switch strings.ToLower(a.Action) {
		case "rotate":
			a.Action = "Rotate"
		case "notify":
			a.Action = "Notify"
		default:
			return badParam("Invalid lifetime action type '%s'; use Rotate or Notify.", a.Action)
		}
		if seen[a.Action] {
			return badParam("A rotation policy can have only one %s action.", a.Action)
		}
		seen[a.Action] = true
		if (a.TimeAfterCreate == "") == (a.TimeBeforeExpiry == "") {
			return badParam("A lifetime action needs exactly one of timeAfterCreate and timeBeforeExpiry.")
		}
		if a.Action == "Notify" && a.TimeBeforeExpiry == "" {
			return badParam("A Notify action supports only a timeBeforeExpiry trigger.")
		}
		for _, t := range []string{a.TimeAfterCreate, a.TimeBeforeExpiry} {
			if t == "" {
				continue
			}
			d, err := parseDuration(t)
			if err != nil {
				return err
			}
			if d.approx() < 7*24*time.Hour {
				return badParam("The trigger time '%s' must be at least 7 days (P7D).", t)
			}
			if p.ExpiryTime != "" && t == a.TimeAfterCreate && d.approx() > exp.approx()-7*24*time.Hour {
				return badParam("timeAfterCreate must be at least 7 days shorter than the expiryTime.")
			}
		}
	}
	if !seen["Notify"] {
		// Key Vault always keeps a Notify action: a policy set without one
		// comes back with the default "notify 30 days before expiry".
		p.LifetimeActions = append(p.LifetimeActions, LifetimeAction{TimeBeforeExpiry: "P30D", Action: "Notify"})
	}
	return nil
}

// rotationDue reports whether a Rotate action of k's policy is due at now.
func rotationDue(k *keyState, now time.Time) bool {
	if k.policy == nil {
		return false
	}
	kv := k.latest()
	if kv == nil {
		return false
	}
	for _, a := range k.policy.LifetimeActions {
		if a.Action != "Rotate" {
			continue
		}
		if a.TimeAfterCreate != "" {
			if d, err := parseDuration(a.TimeAfterCreate); err == nil && !now.Before(d.addTo(kv.created)) {
				return true
			}
		}
		if a.TimeBeforeExpiry != "" && kv.exp != nil {
			if d, err := parseDuration(a.TimeBeforeExpiry); err == nil && !now.Before(d.subFrom(*kv.exp)) {
				return true
			}
		}
	}
	return false
}

// GetRotationPolicy returns a key's rotation policy, or the default one
// (permission getrotationpolicy).
func (s *Service) GetRotationPolicy(_ context.Context, c Caller, vault, name string) (RotationPolicy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, k, err := s.lookup(c, vault, name, PermGetRotationPolicy)
	if err != nil {
		return RotationPolicy{}, err
	}
	if k.policy == nil {
		return defaultRotationPolicy(), nil
	}
	return clonePolicy(*k.policy), nil
}

func clonePolicy(p RotationPolicy) RotationPolicy {
	p.LifetimeActions = append([]LifetimeAction(nil), p.LifetimeActions...)
	return p
}

// SetRotationPolicy replaces a key's rotation policy (permission
// setrotationpolicy). Rotate actions fire in Tick on the emulator clock.
func (s *Service) SetRotationPolicy(ctx context.Context, c Caller, vault, name string, p RotationPolicy) (RotationPolicy, error) {
	p = clonePolicy(p)
	if err := validatePolicy(&p); err != nil {
		return RotationPolicy{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, k, err := s.lookup(c, vault, name, PermSetRotationPolicy)
	if err != nil {
		return RotationPolicy{}, err
	}
	now := s.clock()
	p.Created, p.Updated = &now, &now
	if k.policy != nil && k.policy.Created != nil {
		p.Created = k.policy.Created
	}
	nk := *k
	nk.policy = &p
	if err := s.putKey(ctx, v, &nk); err != nil {
		return RotationPolicy{}, err
	}
	return clonePolicy(p), nil
}
