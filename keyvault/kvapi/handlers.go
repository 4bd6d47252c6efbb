package kvapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/azemu/azemu/keyvault"
)

func keyURL(base, name, version string) string {
	u := base + "/keys/" + url.PathEscape(name)
	if version != "" {
		u += "/" + version
	}
	return u
}

func bundleOut(base string, kb keyvault.KeyBundle) keyBundleJSON {
	k := kb.Key
	k.KID = keyURL(base, kb.Name, kb.Version)
	return keyBundleJSON{Key: k, Attributes: attrsOut(kb.Attributes), Tags: kb.Tags, ReleasePolicy: releasePolicyOut(kb.ReleasePolicy),
		Managed: managedOut(kb.Managed)}
}

func deletedOut(base string, d keyvault.DeletedKeyBundle) deletedKeyBundleJSON {
	out := deletedKeyBundleJSON{keyBundleJSON: bundleOut(base, d.KeyBundle)}
	if d.Recoverable {
		out.RecoveryID = base + "/deletedkeys/" + url.PathEscape(d.Name)
		out.DeletedDate, out.ScheduledPurgeDate = unix(d.DeletedDate), unix(d.ScheduledPurgeDate)
	}
	return out
}

func listOptions(r *http.Request) (keyvault.ListOptions, error) {
	q := r.URL.Query()
	var o keyvault.ListOptions
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 25 {
			return o, badRequest("Invalid value for maxresults: '" + m + "'. It must be an integer between 1 and 25.")
		}
		o.MaxResults = n
	}
	o.Token = q.Get("$skiptoken")
	return o, nil
}

func nextLink(r *http.Request, req request, path, token string, o keyvault.ListOptions) *string {
	if token == "" {
		return nil
	}
	// Spelled as Key Vault spells it: api-version first, a literal
	// "$skiptoken" (the token is base64url, safe in a query), then maxresults.
	s := req.base + path + "?api-version=" + url.QueryEscape(req.apiVer) + "&$skiptoken=" + url.QueryEscape(token)
	if o.MaxResults != 0 {
		s += "&maxresults=" + strconv.Itoa(o.MaxResults)
	}
	return &s
}

// CreateKey: POST /keys/{name}/create (https://learn.microsoft.com/rest/api/keyvault/keys/create-key)
func (s *server) CreateKey(w http.ResponseWriter, r *http.Request, req request) error {
	var in keyCreateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	rp, err := releasePolicyIn(in.ReleasePolicy)
	if err != nil {
		return err
	}
	p := keyvault.CreateKeyParams{Kty: in.Kty, Curve: in.Curve, KeyOps: in.KeyOps, Tags: in.Tags,
		Attributes: attrsIn(in.Attributes), ReleasePolicy: rp}
	if in.KeySize != nil {
		if *in.KeySize <= 0 {
			return badRequest("Invalid key_size.")
		}
		p.KeySize = *in.KeySize
	}
	if in.PublicExponent != nil {
		if *in.PublicExponent <= 0 {
			return badRequest("Invalid public_exponent.")
		}
		p.PublicExponent = *in.PublicExponent
	}
	kb, err := s.svc.CreateKey(r.Context(), req.caller, req.vault, req.name, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// ImportKey: PUT /keys/{name} (https://learn.microsoft.com/rest/api/keyvault/keys/import-key)
func (s *server) ImportKey(w http.ResponseWriter, r *http.Request, req request) error {
	var in keyImportJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Key == nil {
		return badRequest("The key (JsonWebKey) is required.")
	}
	rp, err := releasePolicyIn(in.ReleasePolicy)
	if err != nil {
		return err
	}
	p := keyvault.ImportKeyParams{Key: *in.Key, HSM: in.HSM != nil && *in.HSM, Attributes: attrsIn(in.Attributes),
		Tags: in.Tags, ReleasePolicy: rp}
	kb, err := s.svc.ImportKey(r.Context(), req.caller, req.vault, req.name, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// GetKey: GET /keys/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/keys/get-key)
func (s *server) GetKey(w http.ResponseWriter, r *http.Request, req request) error {
	kb, err := s.svc.GetKey(r.Context(), req.caller, req.key())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// GetKeyAttestation: GET /keys/{name}/{version}/attestation (7.6): Managed HSM only.
func (s *server) GetKeyAttestation(_ http.ResponseWriter, _ *http.Request, _ request) error {
	return badRequest("Key attestation is only available for keys in a Managed HSM.")
}

// UpdateKey: PATCH /keys/{name}/{version?} (https://learn.microsoft.com/rest/api/keyvault/keys/update-key)
func (s *server) UpdateKey(w http.ResponseWriter, r *http.Request, req request) error {
	var in keyUpdateJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	rp, err := releasePolicyIn(in.ReleasePolicy)
	if err != nil {
		return err
	}
	p := keyvault.UpdateKeyParams{KeyOps: in.KeyOps, Attributes: attrsIn(in.Attributes), Tags: in.Tags, ReleasePolicy: rp}
	kb, err := s.svc.UpdateKey(r.Context(), req.caller, req.key(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// GetKeys: GET /keys (https://learn.microsoft.com/rest/api/keyvault/keys/get-keys)
func (s *server) GetKeys(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListKeys(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[keyItemJSON]{Value: []keyItemJSON{}, NextLink: nextLink(r, req, "/keys", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, keyItemJSON{KID: keyURL(req.base, it.Name, ""), Attributes: attrsOut(it.Attributes), Tags: it.Tags})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GetKeyVersions: GET /keys/{name}/versions (https://learn.microsoft.com/rest/api/keyvault/keys/get-key-versions)
func (s *server) GetKeyVersions(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListKeyVersions(r.Context(), req.caller, req.vault, req.name, o)
	if err != nil {
		return err
	}
	out := listJSON[keyItemJSON]{Value: []keyItemJSON{}, NextLink: nextLink(r, req, "/keys/"+url.PathEscape(req.name)+"/versions", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, keyItemJSON{KID: keyURL(req.base, it.Name, it.Version), Attributes: attrsOut(it.Attributes), Tags: it.Tags})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DeleteKey: DELETE /keys/{name} (https://learn.microsoft.com/rest/api/keyvault/keys/delete-key)
func (s *server) DeleteKey(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.DeleteKey(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedOut(req.base, d))
	return nil
}

// GetDeletedKey: GET /deletedkeys/{name}
func (s *server) GetDeletedKey(w http.ResponseWriter, r *http.Request, req request) error {
	d, err := s.svc.GetDeletedKey(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deletedOut(req.base, d))
	return nil
}

// GetDeletedKeys: GET /deletedkeys
func (s *server) GetDeletedKeys(w http.ResponseWriter, r *http.Request, req request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := s.svc.ListDeletedKeys(r.Context(), req.caller, req.vault, o)
	if err != nil {
		return err
	}
	out := listJSON[deletedKeyItemJSON]{Value: []deletedKeyItemJSON{}, NextLink: nextLink(r, req, "/deletedkeys", p.Next, o)}
	for _, it := range p.Items {
		out.Value = append(out.Value, deletedKeyItemJSON{
			keyItemJSON: keyItemJSON{KID: keyURL(req.base, it.Name, ""), Attributes: attrsOut(it.Attributes), Tags: it.Tags},
			RecoveryID:  req.base + "/deletedkeys/" + url.PathEscape(it.Name),
			DeletedDate: it.DeletedDate.Unix(), ScheduledPurgeDate: it.ScheduledPurgeDate.Unix(),
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// RecoverDeletedKey: POST /deletedkeys/{name}/recover
func (s *server) RecoverDeletedKey(w http.ResponseWriter, r *http.Request, req request) error {
	kb, err := s.svc.RecoverDeletedKey(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// PurgeDeletedKey: DELETE /deletedkeys/{name} → 204
func (s *server) PurgeDeletedKey(w http.ResponseWriter, r *http.Request, req request) error {
	if err := s.svc.PurgeDeletedKey(r.Context(), req.caller, req.vault, req.name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// BackupKey: POST /keys/{name}/backup
func (s *server) BackupKey(w http.ResponseWriter, r *http.Request, req request) error {
	blob, err := s.svc.BackupKey(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	v := keyvault.Base64URL(blob)
	writeJSON(w, http.StatusOK, valueJSON{Value: &v})
	return nil
}

// RestoreKey: POST /keys/restore
func (s *server) RestoreKey(w http.ResponseWriter, r *http.Request, req request) error {
	var in valueJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Value == nil || len(*in.Value) == 0 {
		return badRequest("The backup blob (value) is required.")
	}
	kb, err := s.svc.RestoreKey(r.Context(), req.caller, req.vault, *in.Value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// RotateKey: POST /keys/{name}/rotate
func (s *server) RotateKey(w http.ResponseWriter, r *http.Request, req request) error {
	kb, err := s.svc.RotateKey(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bundleOut(req.base, kb))
	return nil
}

// KeyOperation: POST /keys/{name}/{version?}/{encrypt|decrypt|wrapkey|unwrapkey|sign|verify|release}
func (s *server) KeyOperation(w http.ResponseWriter, r *http.Request, req request) error {
	ctx := r.Context()
	switch req.op {
	case "sign":
		var in signJSON
		if err := decode(r, &in); err != nil {
			return err
		}
		if in.Alg == "" || in.Value == nil {
			return badRequest("alg and value are required.")
		}
		res, err := s.svc.Sign(ctx, req.caller, req.key(), in.Alg, *in.Value)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, keyOperationResultJSON{KID: keyURL(req.base, res.Name, res.Version), Value: res.Value})
		return nil
	case "verify":
		var in verifyJSON
		if err := decode(r, &in); err != nil {
			return err
		}
		if in.Alg == "" || in.Digest == nil || in.Signature == nil {
			return badRequest("alg, digest and value are required.")
		}
		ok, err := s.svc.Verify(ctx, req.caller, req.key(), in.Alg, *in.Digest, *in.Signature)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, verifyResultJSON{Value: ok})
		return nil
	case "release":
		return badRequest("Secure key release is not supported by azemu: keys are never exportable.")
	}
	var in keyOperationJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Alg == "" || in.Value == nil {
		return badRequest("alg and value are required.")
	}
	p := keyvault.KeyOperationParams{Algorithm: in.Alg, Value: *in.Value, IV: in.IV, AAD: in.AAD, Tag: in.Tag}
	var res keyvault.KeyOperationResult
	var err error
	switch req.op {
	case "encrypt":
		res, err = s.svc.Encrypt(ctx, req.caller, req.key(), p)
	case "decrypt":
		res, err = s.svc.Decrypt(ctx, req.caller, req.key(), p)
	case "wrapkey":
		if len(p.IV)+len(p.AAD)+len(p.Tag) > 0 {
			return badRequest("iv, aad and tag are not valid for wrapKey.")
		}
		res, err = s.svc.WrapKey(ctx, req.caller, req.key(), p.Algorithm, p.Value)
	case "unwrapkey":
		if len(p.IV)+len(p.AAD)+len(p.Tag) > 0 {
			return badRequest("iv, aad and tag are not valid for unwrapKey.")
		}
		res, err = s.svc.UnwrapKey(ctx, req.caller, req.key(), p.Algorithm, p.Value)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyOperationResultJSON{KID: keyURL(req.base, res.Name, res.Version), Value: res.Value})
	return nil
}

// GetKeyRotationPolicy: GET /keys/{name}/rotationpolicy
func (s *server) GetKeyRotationPolicy(w http.ResponseWriter, r *http.Request, req request) error {
	p, err := s.svc.GetRotationPolicy(r.Context(), req.caller, req.vault, req.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyOut(req, p))
	return nil
}

// UpdateKeyRotationPolicy: PUT /keys/{name}/rotationpolicy
func (s *server) UpdateKeyRotationPolicy(w http.ResponseWriter, r *http.Request, req request) error {
	var in rotationPolicyJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	p := keyvault.RotationPolicy{}
	if in.Attributes != nil {
		p.ExpiryTime = in.Attributes.ExpiryTime
	}
	for _, a := range in.LifetimeActions {
		p.LifetimeActions = append(p.LifetimeActions, keyvault.LifetimeAction{
			TimeAfterCreate: a.Trigger.TimeAfterCreate, TimeBeforeExpiry: a.Trigger.TimeBeforeExpiry, Action: a.Action.Type})
	}
	out, err := s.svc.SetRotationPolicy(r.Context(), req.caller, req.vault, req.name, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyOut(req, out))
	return nil
}

func policyOut(req request, p keyvault.RotationPolicy) rotationPolicyJSON {
	out := rotationPolicyJSON{ID: keyURL(req.base, req.name, "") + "/rotationpolicy", LifetimeActions: []lifetimeActionJSON{},
		Attributes: &policyAttrsJSON{ExpiryTime: p.ExpiryTime, Created: unixp(p.Created), Updated: unixp(p.Updated)}}
	for _, a := range p.LifetimeActions {
		var la lifetimeActionJSON
		la.Trigger.TimeAfterCreate, la.Trigger.TimeBeforeExpiry = a.TimeAfterCreate, a.TimeBeforeExpiry
		la.Action.Type = a.Action
		out.LifetimeActions = append(out.LifetimeActions, la)
	}
	return out
}

// GetRandomBytes: POST /rng
func (s *server) GetRandomBytes(w http.ResponseWriter, r *http.Request, req request) error {
	var in rngJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Count == nil {
		return badRequest("count is required.")
	}
	b, err := s.svc.GetRandomBytes(r.Context(), req.caller, req.vault, *in.Count)
	if err != nil {
		return err
	}
	v := keyvault.Base64URL(b)
	writeJSON(w, http.StatusOK, valueJSON{Value: &v})
	return nil
}
