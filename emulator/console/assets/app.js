// azemu console. Every action is a real REST call to the emulator (Blob,
// Files, Key Vault, ARM, the admin clock), sent through the console's
// backend, which adds the credentials. No framework, no build step.
'use strict';

const V = { storage: '2025-01-05', arm: '2024-01-01', kvArm: '2023-07-01', msi: '2023-01-31', roles: '2022-04-01', kv: '7.5' };
// Key Vault Crypto Service Encryption User: what a storage account's identity needs on an RBAC vault.
const ROLE_ENCRYPTION_USER = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';
const KEY_ROLES = [ROLE_ENCRYPTION_USER, '14b46e9e-c2b7-41b4-b07b-48a6ebf60603', '00482a5a-887f-4fb3-b363-3b7fe8e74483'];
const CMK_PERMS = ['get', 'wrapKey', 'unwrapKey'];

// What an error code means, in words (the services' own messages are terse).
const HINTS = {
  KeyVaultPolicyError: 'The key vault must have soft delete and purge protection turned on before its keys can protect a storage account. Turn purge protection on in Key vaults → the vault.',
  KeyVaultAuthenticationFailure: 'The account\'s managed identity could not use the key: give the identity get, wrapKey and unwrapKey on the vault (an access policy, or the Key Vault Crypto Service Encryption User role on an RBAC vault), and check that the key exists and is enabled.',
  KeyVaultEncryptionKeyNotFound: 'Storage cannot unwrap the account encryption key: the vault key is disabled, deleted or expired. Enable or recover it in the Key chain view.',
  KeyVaultAccessTokenCannotBeAcquired: 'The account\'s identity has lost access to the key (access policy or role removed, or the identity is gone). Restore the access in the Key chain view.',
  KeyVaultVaultNotFound: 'The key vault holding the account\'s key is deleted. Recover it in the Key chain view.',
  Forbidden: 'The caller lacks the permission this operation needs (access policy or role).',
  VaultAlreadyExists: 'Vault names are unique, and a deleted vault keeps its name until it is purged.',
};

const state = { info: null, log: [], logSeq: 0, gen: 0, timers: [], accounts: null };

// ---------- small helpers ----------

function el(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') n.textContent = v;
    else if (k === 'class') n.className = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (k === 'value') n.value = v;
    else if (k === 'checked') n.checked = !!v;
    else n.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return n;
}

const $ = (sel, root) => (root || document).querySelector(sel);
const enc = (s) => encodeURIComponent(s);
const encPath = (p) => p.split('/').map(encodeURIComponent).join('/');
const sub = () => '/subscriptions/' + state.info.subscription;
const group = () => state.info.resourceGroup;
const fmtTime = (s) => (s ? new Date(typeof s === 'number' ? s * 1000 : s).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const fmtSize = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
const lastSeg = (id) => (id || '').split('/').filter(Boolean).pop() || '';

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function toast(msg, bad) {
  const t = el('div', { class: 'toast' + (bad ? ' bad' : ''), text: msg });
  $('#toasts').append(t);
  setTimeout(() => t.remove(), bad ? 7000 : 3500);
}

// call sends one request through the console's API and returns
// { ok, status, headers, text, json, xml, code, message }.
async function call(method, path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-Azemu-Console'] = '1';
  let res;
  try {
    res = await fetch('/api' + path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    return { ok: false, status: 0, code: 'NetworkError', message: 'The console did not answer: ' + e.message, headers: new Headers() };
  }
  const r = { ok: res.ok, status: res.status, headers: res.headers, text: '', json: null, xml: null, code: '', message: '' };
  if (method !== 'HEAD') r.text = await res.text();
  const ct = res.headers.get('content-type') || '';
  if (r.text && ct.includes('json')) {
    try { r.json = JSON.parse(r.text); } catch (e) { /* not JSON after all */ }
  } else if (r.text && ct.includes('xml')) {
    r.xml = new DOMParser().parseFromString(r.text, 'application/xml');
  }
  if (!res.ok) {
    r.code = res.headers.get('x-ms-error-code') || '';
    if (r.json && r.json.error) {
      r.code = r.code || (typeof r.json.error === 'string' ? r.json.error : r.json.error.code) || '';
      r.message = r.json.error.message || r.json.error_description || '';
    } else if (r.xml) {
      r.code = r.code || xmlText(r.xml, 'Code');
      r.message = xmlText(r.xml, 'Message').split('\n')[0];
    }
    if (!r.message) r.message = res.statusText || 'HTTP ' + res.status;
  }
  return r;
}

const xmlText = (doc, tag) => { const n = doc.getElementsByTagName(tag)[0]; return n ? n.textContent : ''; };
const armPath = (path, ver) => '/arm' + path + (path.includes('?') ? '&' : '?') + 'api-version=' + ver;
const arm = (method, path, ver, json) => call(method, armPath(path, ver), { json });
const kv = (method, vault, path, json) => call(method, `/kv/${enc(vault)}/${path}${path.includes('?') ? '&' : '?'}api-version=${V.kv}`, { json });
const storageCall = (svc, method, account, path, opts = {}) =>
  call(method, `/${svc}/${account}/${path}`, Object.assign({}, opts, { headers: Object.assign({ 'x-ms-version': V.storage }, opts.headers || {}) }));

function errorBox(r, what) {
  const hint = HINTS[r.code];
  return el('div', { class: 'error-box', 'data-code': r.code },
    el('strong', { text: (what ? what + ': ' : '') + (r.status ? r.status + ' ' : '') + (r.code || 'error') }),
    r.message, hint ? el('div', { class: 'hint', text: hint }) : null);
}

// act runs an action, reports its failure in words, and re-renders.
async function act(label, fn, after) {
  try {
    const r = await fn();
    if (r && r.ok === false) {
      toast(`${label} failed: ${r.status} ${r.code} — ${r.message}`, true);
      return r;
    }
    toast(label + ' — done');
    return r;
  } finally {
    if (after) await after(); else render();
  }
}

function table(cols, rows, empty) {
  if (!rows.length) return el('div', { class: 'empty', text: empty || 'Nothing here yet.' });
  return el('table', {}, el('thead', {}, el('tr', {}, cols.map((c) => el('th', { text: c })))), el('tbody', {}, rows));
}

function panel(title, ...kids) {
  return el('section', { class: 'panel' }, title ? el('h2', { text: title }) : null, kids);
}

function crumbs(...parts) {
  return el('div', { class: 'crumbs' }, parts.map((p, i) => [i ? ' / ' : '', p]));
}

function every(ms, fn) {
  const id = setInterval(fn, ms);
  state.timers.push(id);
}

// ---------- data ----------

async function listAccounts() {
  const r = await arm('GET', sub() + '/providers/Microsoft.Storage/storageAccounts', V.arm);
  state.accounts = r.ok ? r.json.value : [];
  return r;
}

async function getAccount(name) {
  await listAccounts();
  const a = state.accounts.find((x) => x.name === name);
  if (!a) return null;
  const r = await arm('GET', a.id, V.arm);
  return r.ok ? r.json : a;
}

async function listVaults() {
  const r = await arm('GET', sub() + '/providers/Microsoft.KeyVault/vaults', V.kvArm);
  return r.ok ? r.json.value : [];
}

async function listIdentities() {
  const r = await arm('GET', sub() + '/providers/Microsoft.ManagedIdentity/userAssignedIdentities', V.msi);
  return r.ok ? r.json.value : [];
}

function connectionString(a, key) {
  const parts = ['DefaultEndpointsProtocol=' + (state.info.blob || state.info.file).split(':')[0], 'AccountName=' + a.name, 'AccountKey=' + key];
  if (state.info.blob) parts.push(`BlobEndpoint=${state.info.blob}/${a.name}`);
  if (state.info.file) parts.push(`FileEndpoint=${state.info.file}/${a.name}`);
  return parts.join(';') + ';';
}

function keySourceBadge(a) {
  const e = (a.properties && a.properties.encryption) || {};
  return e.keySource === 'Microsoft.Keyvault'
    ? el('span', { class: 'badge info', text: 'Customer-managed key' })
    : el('span', { class: 'badge', text: 'Microsoft-managed key' });
}

// ---------- Storage ----------

async function viewStorage(gen) {
  await listAccounts();
  if (gen !== state.gen) return;
  const name = el('input', { type: 'text', id: 'new-account-name', placeholder: 'account name (3-24 lowercase letters, digits)', class: 'wide' });
  const rows = state.accounts.map((a) => el('tr', { 'data-account': a.name },
    el('td', {}, el('a', { href: '#/storage/' + a.name, text: a.name })),
    el('td', { text: a.kind }),
    el('td', {}, keySourceBadge(a)),
    el('td', { class: 'mono', text: (a.properties.primaryEndpoints || {}).blob || '' }),
    el('td', { class: 'actions' },
      el('a', { class: 'button small', href: '#/encryption/' + a.name, text: 'Encryption' }), ' ',
      el('button', { class: 'small danger', text: 'Delete', onclick: () => confirm(`Delete storage account ${a.name} and everything in it?`) && act('Delete account ' + a.name, () => arm('DELETE', a.id, V.arm)) }))));
  return [
    el('h1', { text: 'Storage accounts' }),
    el('p', { class: 'muted', text: `Subscription ${state.info.subscription}, resource group ${group()}.` }),
    el('section', { class: 'panel flush' }, table(['Name', 'Kind', 'Encryption', 'Blob endpoint', ''], rows, 'No storage accounts.')),
    panel('Create a storage account',
      el('div', { class: 'form-line' }, name,
        el('button', { class: 'primary', id: 'create-account', text: 'Create', onclick: () => {
          const n = name.value.trim();
          return act('Create account ' + n, () => arm('PUT', `${sub()}/resourceGroups/${group()}/providers/Microsoft.Storage/storageAccounts/${n}`, V.arm,
            { location: 'local', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }));
        } }))),
  ];
}

async function viewAccount(gen, name, tab) {
  const a = await getAccount(name);
  if (gen !== state.gen) return;
  if (!a) return [crumbs(el('a', { href: '#/storage', text: 'Storage' })), errorBox({ status: 404, code: 'ResourceNotFound', message: `No storage account ${name}.` })];
  const keys = await arm('POST', a.id + '/listKeys', V.arm);
  if (gen !== state.gen) return;
  const ep = a.properties.primaryEndpoints || {};
  const keyRows = keys.ok ? keys.json.keys.map((k) => el('tr', {},
    el('td', { text: k.keyName }),
    el('td', {}, secret(k.value)),
    el('td', {}, secret(connectionString(a, k.value))),
    el('td', { class: 'actions' }, el('button', { class: 'small', text: 'Rotate', onclick: () => act('Regenerate ' + k.keyName, () => arm('POST', a.id + '/regenerateKey', V.arm, { keyName: k.keyName })) })))) : [];
  const tabs = el('div', { class: 'tabs' },
    el('a', { href: `#/storage/${name}`, class: tab !== 'shares' ? 'active' : '', text: 'Containers' }),
    el('a', { href: `#/storage/${name}/shares`, class: tab === 'shares' ? 'active' : '', text: 'File shares' }),
    el('a', { href: `#/encryption/${name}`, text: 'Encryption' }));
  const body = tab === 'shares' ? await sharesPanel(a) : await containersPanel(a);
  if (gen !== state.gen) return;
  return [
    crumbs(el('a', { href: '#/storage', text: 'Storage' }), name),
    el('h1', { text: name }),
    el('div', { class: 'grid2' },
      panel('Endpoints', el('dl', { class: 'props' },
        el('dt', { text: 'Blob' }), el('dd', { class: 'mono', text: ep.blob || '—' }),
        el('dt', { text: 'File' }), el('dd', { class: 'mono', text: ep.file || '—' }),
        el('dt', { text: 'Encryption' }), el('dd', {}, keySourceBadge(a)),
        el('dt', { text: 'Resource id' }), el('dd', { class: 'mono', text: a.id }))),
      el('section', { class: 'panel flush' }, el('h2', { text: 'Access keys' }), keys.ok ? table(['Key', 'Value', 'Connection string', ''], keyRows) : errorBox(keys, 'listKeys'))),
    tabs, body,
  ];
}

function secret(value) {
  const shown = el('span', { class: 'secret', text: '••••••••••••' });
  let open = false;
  return el('span', {}, shown, ' ', el('button', { class: 'small', text: 'Show', onclick: (ev) => {
    open = !open;
    shown.textContent = open ? value : '••••••••••••';
    ev.target.textContent = open ? 'Hide' : 'Show';
  } }), ' ', el('button', { class: 'small', text: 'Copy', onclick: () => navigator.clipboard && navigator.clipboard.writeText(value).then(() => toast('Copied')) }));
}

async function containersPanel(a) {
  const r = await storageCall('blob', 'GET', a.name, '?comp=list');
  const name = el('input', { type: 'text', id: 'new-container-name', placeholder: 'container name' });
  const rows = r.ok ? [...r.xml.getElementsByTagName('Container')].map((c) => {
    const n = xmlText(c, 'Name');
    return el('tr', { 'data-container': n },
      el('td', {}, el('a', { href: `#/blob/${a.name}/${enc(n)}`, text: n })),
      el('td', { text: xmlText(c, 'Last-Modified') }),
      el('td', { text: xmlText(c, 'PublicAccess') || 'private' }),
      el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Delete', onclick: () => act('Delete container ' + n, () => storageCall('blob', 'DELETE', a.name, enc(n) + '?restype=container')) })));
  }) : [];
  return [
    el('section', { class: 'panel flush' }, el('h2', { text: 'Containers' }), r.ok ? table(['Name', 'Last modified', 'Public access', ''], rows, 'No containers.') : errorBox(r, 'List Containers')),
    panel('Create a container', el('div', { class: 'form-line' }, name,
      el('button', { class: 'primary', id: 'create-container', text: 'Create', onclick: () => act('Create container ' + name.value, () => storageCall('blob', 'PUT', a.name, enc(name.value.trim()) + '?restype=container')) }))),
  ];
}

async function sharesPanel(a) {
  const r = await storageCall('file', 'GET', a.name, '?comp=list');
  const name = el('input', { type: 'text', id: 'new-share-name', placeholder: 'share name' });
  const rows = r.ok ? [...r.xml.getElementsByTagName('Share')].map((s) => {
    const n = xmlText(s, 'Name');
    return el('tr', { 'data-share': n },
      el('td', {}, el('a', { href: `#/file/${a.name}/${enc(n)}/`, text: n })),
      el('td', { text: xmlText(s, 'Quota') + ' GiB' }),
      el('td', { text: xmlText(s, 'Last-Modified') }),
      el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Delete', onclick: () => act('Delete share ' + n, () => storageCall('file', 'DELETE', a.name, enc(n) + '?restype=share')) })));
  }) : [];
  return [
    el('section', { class: 'panel flush' }, el('h2', { text: 'File shares' }), r.ok ? table(['Name', 'Quota', 'Last modified', ''], rows, 'No file shares.') : errorBox(r, 'List Shares')),
    panel('Create a file share', el('div', { class: 'form-line' }, name,
      el('button', { class: 'primary', id: 'create-share', text: 'Create', onclick: () => act('Create share ' + name.value, () => storageCall('file', 'PUT', a.name, enc(name.value.trim()) + '?restype=share')) }))),
  ];
}

// metadataEditor edits x-ms-meta-* as lines "name=value".
function metadataEditor(headers, save) {
  const lines = [];
  headers.forEach((v, k) => { if (k.startsWith('x-ms-meta-')) lines.push(k.slice(10) + '=' + v); });
  const ta = el('textarea', { id: 'meta-text', value: lines.join('\n'), placeholder: 'name=value, one a line' });
  return el('div', {}, el('label', { class: 'block', text: 'Metadata' }), ta,
    el('div', { class: 'form-line' }, el('button', { class: 'small', id: 'meta-save', text: 'Save metadata', onclick: () => {
      const h = {};
      for (const line of ta.value.split('\n')) {
        const i = line.indexOf('=');
        if (i > 0) h['x-ms-meta-' + line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
      return act('Save metadata', () => save(h));
    } })));
}

function propsList(headers, names) {
  return el('dl', { class: 'props' }, names.filter((n) => headers.get(n)).map((n) => [el('dt', { text: n }), el('dd', { class: 'mono', text: headers.get(n) })]));
}

// preview reads an object's bytes (the real Get Blob / Get File) and shows
// small text; a refusal shows its status and code.
async function preview(svc, account, path, headers, box) {
  const r = await storageCall(svc, 'GET', account, path, { headers: { 'x-ms-range': 'bytes=0-65535' } });
  box.replaceChildren();
  if (!r.ok) { box.append(errorBox(r, svc === 'blob' ? 'Get Blob' : 'Get File')); return; }
  const type = (headers && headers.get('content-type')) || r.headers.get('content-type') || '';
  if (/^(text\/|application\/(json|xml|javascript))/.test(type) || type === '') {
    box.append(el('pre', { class: 'preview', id: 'content-preview', text: r.text }));
  } else {
    box.append(el('p', { class: 'muted', text: `Read ${r.headers.get('content-length')} bytes of ${type}: use Download to save it.` }));
  }
}

async function viewContainer(gen, account, container, prefix, openName) {
  const q = `?restype=container&comp=list&delimiter=%2F&prefix=${enc(prefix)}&include=metadata`;
  const r = await storageCall('blob', 'GET', account, enc(container) + q);
  if (gen !== state.gen) return;
  const base = `#/blob/${account}/${enc(container)}`;
  const detail = el('div', { id: 'blob-detail' });
  const open = async (name) => {
    const path = enc(container) + '/' + encPath(name);
    detail.replaceChildren(panel(name, el('p', { class: 'muted', text: 'Loading…' })));
    const h = await storageCall('blob', 'HEAD', account, path);
    const box = el('div', { id: 'blob-preview' });
    detail.replaceChildren(panel(name,
      el('div', { class: 'row' },
        el('a', { class: 'button', id: 'blob-download', href: `/api/blob/${account}/${path}`, download: lastSeg(name), text: 'Download' }),
        el('button', { class: 'danger', text: 'Delete', onclick: () => act('Delete ' + name, () => storageCall('blob', 'DELETE', account, path)) })),
      h.ok ? [el('h3', { text: 'Properties' }), propsList(h.headers, ['content-type', 'content-length', 'last-modified', 'etag', 'content-md5', 'x-ms-blob-type', 'x-ms-access-tier', 'x-ms-server-encrypted', 'x-ms-creation-time']),
        metadataEditor(h.headers, (meta) => storageCall('blob', 'PUT', account, path + '?comp=metadata', { headers: meta }))] : errorBox(h, 'Get Blob Properties'),
      el('h3', { text: 'Content' }), box));
    await preview('blob', account, path, h.ok ? h.headers : null, box);
  };
  let rows = [];
  if (r.ok) {
    rows = [...r.xml.getElementsByTagName('BlobPrefix')].map((p) => {
      const n = xmlText(p, 'Name');
      return el('tr', {}, el('td', {}, el('a', { href: `${base}?prefix=${enc(n)}`, text: '📁 ' + n.slice(prefix.length) })), el('td', {}), el('td', {}), el('td', {}), el('td', {}));
    }).concat([...r.xml.getElementsByTagName('Blob')].map((b) => {
      const n = xmlText(b, 'Name');
      return el('tr', { 'data-blob': n },
        el('td', {}, el('a', { href: '#', text: n.slice(prefix.length), onclick: (ev) => { ev.preventDefault(); open(n); } })),
        el('td', { class: 'num', text: fmtSize(+xmlText(b, 'Content-Length')) }),
        el('td', { text: xmlText(b, 'Content-Type') }),
        el('td', { text: xmlText(b, 'Last-Modified') }),
        el('td', { class: 'actions' }, el('button', { class: 'small open', text: 'Open', onclick: () => open(n) })));
    }));
  }
  const file = el('input', { type: 'file', id: 'upload-file', multiple: true });
  const newName = el('input', { type: 'text', id: 'new-blob-name', placeholder: 'blob name', value: prefix });
  const newText = el('textarea', { id: 'new-blob-text', placeholder: 'text content' });
  const upload = async () => {
    for (const f of file.files) {
      await act('Upload ' + f.name, () => storageCall('blob', 'PUT', account, enc(container) + '/' + encPath(prefix + f.name),
        { body: f, headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-blob-content-type': f.type || 'application/octet-stream' } }), () => {});
    }
    render();
  };
  const prefixParts = prefix.split('/').filter(Boolean);
  // A blob can be opened by name even when listing fails (List Blobs needs
  // the account key too, so a revoked key refuses it).
  const byName = el('input', { type: 'text', id: 'open-blob-name', placeholder: 'blob name', value: openName || '' });
  if (openName) setTimeout(() => open(openName));
  return [
    crumbs(el('a', { href: '#/storage', text: 'Storage' }), el('a', { href: '#/storage/' + account, text: account }),
      el('a', { href: base, text: container }), prefixParts.map((p, i) => [' / ', el('a', { href: `${base}?prefix=${enc(prefixParts.slice(0, i + 1).join('/') + '/')}`, text: p })])),
    el('h1', { text: container }),
    el('div', { class: 'row toolbar' }, el('label', {}, 'Prefix ', el('input', { type: 'text', id: 'blob-prefix', value: prefix, onchange: (ev) => { location.hash = `${base}?prefix=${enc(ev.target.value)}`; } })),
      el('span', { class: 'spacer' }), el('label', {}, 'Open by name ', byName), el('button', { id: 'open-blob', text: 'Open', onclick: () => byName.value.trim() && open(byName.value.trim()) })),
    el('section', { class: 'panel flush' }, r.ok ? table(['Name', 'Size', 'Content type', 'Last modified', ''], rows, 'No blobs with this prefix.') : errorBox(r, 'List Blobs')),
    detail,
    el('div', { class: 'grid2' },
      panel('Upload files', el('div', { class: 'form-line' }, file, el('button', { class: 'primary', id: 'upload', text: 'Upload', onclick: upload }))),
      panel('Create a text blob', newName, newText, el('div', { class: 'form-line' },
        el('button', { class: 'primary', id: 'create-blob', text: 'Create', onclick: () => act('Put Blob ' + newName.value,
          () => storageCall('blob', 'PUT', account, enc(container) + '/' + encPath(newName.value.trim()),
            { body: newText.value, headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'text/plain; charset=utf-8' } })) })))),
  ];
}

async function viewShare(gen, account, share, dir) {
  const dirPath = dir ? encPath(dir.replace(/\/$/, '')) : '';
  const base = `#/file/${account}/${enc(share)}/`;
  const r = await storageCall('file', 'GET', account, enc(share) + (dirPath ? '/' + dirPath : '') + '?restype=directory&comp=list');
  if (gen !== state.gen) return;
  const here = (n) => (dir ? dir.replace(/\/$/, '') + '/' : '') + n;
  const detail = el('div', { id: 'file-detail' });
  const open = async (name) => {
    const path = enc(share) + '/' + encPath(name);
    const h = await storageCall('file', 'HEAD', account, path);
    const box = el('div', { id: 'file-preview' });
    detail.replaceChildren(panel(name,
      el('div', { class: 'row' },
        el('a', { class: 'button', href: `/api/file/${account}/${path}`, download: lastSeg(name), text: 'Download' }),
        el('button', { class: 'danger', text: 'Delete', onclick: () => act('Delete ' + name, () => storageCall('file', 'DELETE', account, path)) })),
      h.ok ? [el('h3', { text: 'Properties' }), propsList(h.headers, ['content-type', 'content-length', 'last-modified', 'etag', 'x-ms-type', 'x-ms-server-encrypted', 'x-ms-file-creation-time', 'x-ms-file-attributes']),
        metadataEditor(h.headers, (meta) => storageCall('file', 'PUT', account, path + '?comp=metadata', { headers: meta }))] : errorBox(h, 'Get File Properties'),
      el('h3', { text: 'Content' }), box));
    await preview('file', account, path, h.ok ? h.headers : null, box);
  };
  let rows = [];
  if (r.ok) {
    rows = [...r.xml.getElementsByTagName('Directory')].map((d) => {
      const n = xmlText(d, 'Name');
      return el('tr', { 'data-dir': n }, el('td', {}, el('a', { href: base + encPath(here(n)) + '/', text: '📁 ' + n })), el('td', {}),
        el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Delete', onclick: () => act('Delete directory ' + n, () => storageCall('file', 'DELETE', account, enc(share) + '/' + encPath(here(n)) + '?restype=directory')) })));
    }).concat([...r.xml.getElementsByTagName('File')].map((f) => {
      const n = xmlText(f, 'Name');
      return el('tr', { 'data-file': n },
        el('td', {}, el('a', { href: '#', text: n, onclick: (ev) => { ev.preventDefault(); open(here(n)); } })),
        el('td', { class: 'num', text: fmtSize(+xmlText(f, 'Content-Length')) }),
        el('td', { class: 'actions' }, el('button', { class: 'small open', text: 'Open', onclick: () => open(here(n)) })));
    }));
  }
  const dirName = el('input', { type: 'text', id: 'new-dir-name', placeholder: 'directory name' });
  const file = el('input', { type: 'file', id: 'upload-file', multiple: true });
  const upload = async () => {
    for (const f of file.files) {
      const path = enc(share) + '/' + encPath(here(f.name));
      await act('Upload ' + f.name, async () => {
        // Create File sets the size; Put Range writes at most 4 MiB a call.
        let c = await storageCall('file', 'PUT', account, path, { headers: { 'x-ms-type': 'file', 'x-ms-content-length': String(f.size), 'x-ms-content-type': f.type || 'application/octet-stream' } });
        for (let off = 0; c.ok && off < f.size; off += 4 << 20) {
          const end = Math.min(f.size, off + (4 << 20));
          c = await storageCall('file', 'PUT', account, path + '?comp=range', { body: f.slice(off, end), headers: { 'x-ms-range': `bytes=${off}-${end - 1}`, 'x-ms-write': 'update' } });
        }
        return c;
      }, () => {});
    }
    render();
  };
  const parts = (dir || '').split('/').filter(Boolean);
  return [
    crumbs(el('a', { href: '#/storage', text: 'Storage' }), el('a', { href: `#/storage/${account}/shares`, text: account }),
      el('a', { href: base, text: share }), parts.map((p, i) => [' / ', el('a', { href: base + encPath(parts.slice(0, i + 1).join('/')) + '/', text: p })])),
    el('h1', { text: share + (dir ? ' / ' + dir.replace(/\/$/, '') : '') }),
    el('section', { class: 'panel flush' }, r.ok ? table(['Name', 'Size', ''], rows, 'This directory is empty.') : errorBox(r, 'List Directories and Files')),
    detail,
    el('div', { class: 'grid2' },
      panel('Upload files', el('div', { class: 'form-line' }, file, el('button', { class: 'primary', id: 'upload', text: 'Upload', onclick: upload }))),
      panel('Create a directory', el('div', { class: 'form-line' }, dirName,
        el('button', { class: 'primary', id: 'create-dir', text: 'Create', onclick: () => act('Create directory ' + dirName.value,
          () => storageCall('file', 'PUT', account, enc(share) + '/' + encPath(here(dirName.value.trim())) + '?restype=directory')) })))),
  ];
}

// ---------- Key vaults ----------

async function viewVaults(gen) {
  const vaults = await listVaults();
  const deleted = await arm('GET', sub() + '/providers/Microsoft.KeyVault/deletedVaults', V.kvArm);
  if (gen !== state.gen) return;
  const rows = vaults.map((v) => el('tr', { 'data-vault': v.name },
    el('td', {}, el('a', { href: '#/vaults/' + v.name, text: v.name })),
    el('td', { class: 'mono', text: v.properties.vaultUri }),
    el('td', {}, flag(v.properties.enableSoftDelete, 'Soft delete ' + (v.properties.softDeleteRetentionInDays || 90) + ' days', 'No soft delete')),
    el('td', {}, flag(v.properties.enablePurgeProtection, 'Purge protection', 'No purge protection')),
    el('td', { text: v.properties.enableRbacAuthorization ? 'Azure RBAC' : 'Access policies' }),
    el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Delete', onclick: () => confirm(`Delete vault ${v.name}?`) && act('Delete vault ' + v.name, () => arm('DELETE', v.id, V.kvArm)) }))));
  const drows = deleted.ok ? deleted.json.value.map((d) => el('tr', { 'data-deleted-vault': d.name },
    el('td', { text: d.name }), el('td', { text: fmtTime(d.properties.deletionDate) }), el('td', { text: fmtTime(d.properties.scheduledPurgeDate) }),
    el('td', { class: 'actions' },
      el('button', { class: 'small good', text: 'Recover', onclick: () => act('Recover vault ' + d.name, () => recoverVault(d)) }), ' ',
      el('button', { class: 'small danger', text: 'Purge', onclick: () => act('Purge vault ' + d.name, () => arm('POST', `${sub()}/providers/Microsoft.KeyVault/locations/${d.properties.location}/deletedVaults/${d.name}/purge`, V.kvArm)) })))) : [];
  const name = el('input', { type: 'text', id: 'new-vault-name', placeholder: 'vault name' });
  const purge = el('input', { type: 'checkbox', id: 'new-vault-purge', checked: true });
  const rbac = el('input', { type: 'checkbox', id: 'new-vault-rbac' });
  return [
    el('h1', { text: 'Key vaults' }),
    el('section', { class: 'panel flush' }, table(['Name', 'Vault URI', 'Soft delete', 'Purge protection', 'Permission model', ''], rows, 'No vaults.')),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Deleted vaults' }), table(['Name', 'Deleted', 'Purge scheduled', ''], drows, 'No deleted vaults.')),
    panel('Create a key vault', el('div', { class: 'form-line' }, name,
      el('label', {}, purge, 'Purge protection'), el('label', {}, rbac, 'Azure RBAC permission model'),
      el('button', { class: 'primary', id: 'create-vault', text: 'Create', onclick: () => act('Create vault ' + name.value, () =>
        arm('PUT', `${sub()}/resourceGroups/${group()}/providers/Microsoft.KeyVault/vaults/${name.value.trim()}`, V.kvArm, {
          location: 'local', properties: { tenantId: '00000000-0000-4000-8000-000000000000', sku: { family: 'A', name: 'standard' },
            enableSoftDelete: true, enablePurgeProtection: purge.checked || undefined, enableRbacAuthorization: rbac.checked,
            accessPolicies: rbac.checked ? [] : [{ tenantId: '00000000-0000-4000-8000-000000000000', objectId: '00000000-0000-4000-8000-000000000002',
              permissions: { keys: ['all'], secrets: ['all'], certificates: ['all'] } }] } })) }))),
  ];
}

function flag(on, yes, no) { return el('span', { class: 'badge ' + (on ? 'ok' : 'bad'), text: on ? yes : no }); }

function recoverVault(d) {
  const id = d.properties.vaultId;
  return arm('PUT', id, V.kvArm, { location: d.properties.location, properties: { createMode: 'recover', tenantId: '00000000-0000-4000-8000-000000000000', sku: { family: 'A', name: 'standard' } } });
}

async function viewVault(gen, name) {
  const vaults = await listVaults();
  const v = vaults.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (gen !== state.gen) return;
  if (!v) return [crumbs(el('a', { href: '#/vaults', text: 'Key vaults' }), name), errorBox({ status: 404, code: 'VaultNotFound', message: `No vault ${name} (it may be deleted: see Key vaults).` })];
  const [keys, deleted, roles, idents] = await Promise.all([kv('GET', name, 'keys'), kv('GET', name, 'deletedkeys'),
    arm('GET', v.id + '/providers/Microsoft.Authorization/roleAssignments', V.roles), listIdentities()]);
  if (gen !== state.gen) return;
  const who = principalNames(idents);
  const p = v.properties;
  const keyRows = keys.ok ? keys.json.value.map((k) => {
    const kn = lastSeg(k.kid);
    const versions = el('tr', { class: 'versions' });
    let shown = false;
    return [el('tr', { 'data-key': kn },
      el('td', {}, el('strong', { text: kn })),
      el('td', {}, flag(k.attributes.enabled, 'Enabled', 'Disabled')),
      el('td', { text: fmtTime(k.attributes.created) }),
      el('td', { text: fmtTime(k.attributes.updated) }),
      el('td', { text: k.attributes.exp ? fmtTime(k.attributes.exp) : 'never' }),
      el('td', { class: 'actions' },
        el('button', { class: 'small', text: 'Versions', onclick: async () => {
          shown = !shown;
          versions.replaceChildren();
          if (shown) versions.append(el('td', { colspan: 6 }, await versionsTable(name, kn)));
        } }), ' ',
        el('button', { class: 'small', text: 'Rotate', onclick: () => act('Rotate ' + kn, () => kv('POST', name, `keys/${enc(kn)}/rotate`)) }), ' ',
        el('button', { class: 'small danger', 'data-act': 'delete-key', text: 'Delete', onclick: () => act('Delete key ' + kn, () => kv('DELETE', name, 'keys/' + enc(kn))) }))), versions];
  }) : [];
  const delRows = deleted.ok ? deleted.json.value.map((k) => {
    const kn = lastSeg(k.kid || k.recoveryId);
    return el('tr', { 'data-deleted-key': kn }, el('td', { text: kn }), el('td', { text: fmtTime(k.deletedDate) }), el('td', { text: fmtTime(k.scheduledPurgeDate) }),
      el('td', { class: 'actions' },
        el('button', { class: 'small good', text: 'Recover', onclick: () => act('Recover key ' + kn, () => kv('POST', name, `deletedkeys/${enc(kn)}/recover`)) }), ' ',
        el('button', { class: 'small danger', text: 'Purge', onclick: () => act('Purge key ' + kn, () => kv('DELETE', name, 'deletedkeys/' + enc(kn))) })));
  }) : [];
  const polRows = (p.accessPolicies || []).map((ap) => el('tr', { 'data-policy': ap.objectId },
    el('td', {}, el('div', { class: 'mono', text: ap.objectId }), el('div', { class: 'muted', text: who[ap.objectId] || '' })),
    el('td', { text: ((ap.permissions || {}).keys || []).join(', ') }),
    el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Remove', onclick: () => act('Remove access policy', () => arm('PUT', v.id + '/accessPolicies/remove', V.kvArm, { properties: { accessPolicies: [ap] } })) }))));
  const roleRows = roles.ok ? roles.json.value.map((ra) => el('tr', { 'data-role-principal': ra.properties.principalId },
    el('td', {}, el('div', { class: 'mono', text: ra.properties.principalId }), el('div', { class: 'muted', text: who[ra.properties.principalId] || '' })),
    el('td', { text: roleName(ra.properties.roleDefinitionId) }),
    el('td', { class: 'mono', text: ra.properties.scope }),
    el('td', { class: 'actions' }, el('button', { class: 'small danger', text: 'Remove', onclick: () => act('Remove role assignment', () => arm('DELETE', ra.id, V.roles)) })))) : [];
  const keyName = el('input', { type: 'text', id: 'new-key-name', placeholder: 'key name' });
  const keySize = el('select', { id: 'new-key-size' }, ['2048', '3072', '4096'].map((s) => el('option', { value: s, text: 'RSA ' + s })));
  const principal = el('select', { id: 'grant-principal' }, principalOptions(idents));
  const perms = el('input', { type: 'text', id: 'grant-perms', value: CMK_PERMS.join(','), class: 'wide' });
  const roleSel = el('select', { id: 'grant-role' }, [[ROLE_ENCRYPTION_USER, 'Key Vault Crypto Service Encryption User'], ['14b46e9e-c2b7-41b4-b07b-48a6ebf60603', 'Key Vault Crypto Officer'],
    ['12338af0-0e69-4776-bea7-57ae8d297424', 'Key Vault Crypto User'], ['00482a5a-887f-4fb3-b363-3b7fe8e74483', 'Key Vault Administrator'], ['21090545-7ca7-4776-b22c-e363652d74d2', 'Key Vault Reader']]
    .map(([g, n]) => el('option', { value: g, text: n })));
  const grant = p.enableRbacAuthorization
    ? el('div', { class: 'form-line' }, principal, roleSel, el('button', { class: 'primary', id: 'grant-submit', text: 'Assign role', onclick: () => act('Assign role', () => assignRole(v, principal.value, roleSel.value)) }))
    : el('div', { class: 'form-line' }, principal, perms, el('button', { class: 'primary', id: 'grant-submit', text: 'Add access policy', onclick: () => act('Add access policy', () => addPolicy(v, principal.value, perms.value.split(',').map((s) => s.trim()).filter(Boolean))) }));
  return [
    crumbs(el('a', { href: '#/vaults', text: 'Key vaults' }), v.name),
    el('h1', { text: v.name }),
    panel('Settings', el('dl', { class: 'props' },
      el('dt', { text: 'Vault URI' }), el('dd', { class: 'mono', text: p.vaultUri }),
      el('dt', { text: 'Soft delete' }), el('dd', {}, flag(p.enableSoftDelete, `On, ${p.softDeleteRetentionInDays || 90} days retention`, 'Off')),
      el('dt', { text: 'Purge protection' }), el('dd', {}, flag(p.enablePurgeProtection, 'On', 'Off'), ' ',
        p.enablePurgeProtection ? null : el('button', { class: 'small', id: 'enable-purge-protection', text: 'Turn on (irreversible)', onclick: () => act('Turn on purge protection', () => arm('PATCH', v.id, V.kvArm, { properties: { enablePurgeProtection: true } })) })),
      el('dt', { text: 'Permission model' }), el('dd', { text: p.enableRbacAuthorization ? 'Azure role-based access control' : 'Vault access policy' }))),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Keys' }), keys.ok ? table(['Name', 'State', 'Created', 'Updated', 'Expires', ''], keyRows, 'No keys.') : errorBox(keys, 'Get Keys')),
    panel('Create a key', el('div', { class: 'form-line' }, keyName, keySize,
      el('button', { class: 'primary', id: 'create-key', text: 'Create', onclick: () => act('Create key ' + keyName.value, () => kv('POST', name, `keys/${enc(keyName.value.trim())}/create`, { kty: 'RSA', key_size: +keySize.value })) }))),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Deleted keys' }), deleted.ok ? table(['Name', 'Deleted', 'Purge scheduled', ''], delRows, 'No deleted keys.') : errorBox(deleted, 'Get Deleted Keys')),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Access policies' }), p.enableRbacAuthorization ? el('div', { class: 'empty', text: 'This vault uses Azure RBAC: access policies are ignored.' }) : table(['Principal', 'Key permissions', ''], polRows, 'No access policies.')),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Role assignments' }), roles.ok ? table(['Principal', 'Role', 'Scope', ''], roleRows, 'No role assignments.') : errorBox(roles, 'List role assignments')),
    panel(p.enableRbacAuthorization ? 'Assign a role' : 'Add an access policy', grant),
  ];
}

async function versionsTable(vault, key) {
  const r = await kv('GET', vault, `keys/${enc(key)}/versions`);
  if (!r.ok) return errorBox(r, 'Get Key Versions');
  const rows = r.json.value.map((k) => {
    const ver = lastSeg(k.kid);
    const on = k.attributes.enabled;
    return el('tr', { 'data-version': ver }, el('td', { class: 'mono', text: ver }), el('td', {}, flag(on, 'Enabled', 'Disabled')), el('td', { text: fmtTime(k.attributes.created) }),
      el('td', { class: 'actions' }, el('button', { class: 'small ' + (on ? 'danger' : 'good'), text: on ? 'Disable' : 'Enable',
        onclick: () => act((on ? 'Disable ' : 'Enable ') + key + '/' + ver, () => kv('PATCH', vault, `keys/${enc(key)}/${ver}`, { attributes: { enabled: !on } })) })));
  });
  return table(['Version', 'State', 'Created', ''], rows);
}

function principalNames(idents) {
  const m = { '00000000-0000-4000-8000-000000000002': 'development principal' };
  for (const i of idents) m[i.properties.principalId] = 'identity ' + i.name;
  for (const a of state.accounts || []) if (a.identity && a.identity.principalId) m[a.identity.principalId] = 'account ' + a.name + ' (system-assigned)';
  return m;
}

function principalOptions(idents) {
  const opts = [];
  for (const a of state.accounts || []) if (a.identity && a.identity.principalId) opts.push([a.identity.principalId, `${a.name} (system-assigned identity)`]);
  for (const i of idents) opts.push([i.properties.principalId, `${i.name} (user-assigned identity)`]);
  opts.push(['00000000-0000-4000-8000-000000000002', 'development principal']);
  return opts.map(([v, t]) => el('option', { value: v, text: t }));
}

function roleName(defId) {
  const g = lastSeg(defId);
  return { [ROLE_ENCRYPTION_USER]: 'Key Vault Crypto Service Encryption User', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603': 'Key Vault Crypto Officer',
    '12338af0-0e69-4776-bea7-57ae8d297424': 'Key Vault Crypto User', '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
    '21090545-7ca7-4776-b22c-e363652d74d2': 'Key Vault Reader' }[g] || g;
}

function addPolicy(v, objectId, keys) {
  return arm('PUT', v.id + '/accessPolicies/add', V.kvArm, { properties: { accessPolicies: [{ tenantId: v.properties.tenantId, objectId, permissions: { keys } }] } });
}

function assignRole(v, principalId, roleGuid) {
  return arm('PUT', `${v.id}/providers/Microsoft.Authorization/roleAssignments/${uuid()}`, V.roles, { properties: {
    roleDefinitionId: `${sub()}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`, principalId, principalType: 'ServicePrincipal' } });
}

// ---------- Encryption (the portal's blade) ----------

async function viewEncryption(gen, name) {
  await listAccounts();
  if (gen !== state.gen) return;
  if (!name) {
    return [el('h1', { text: 'Encryption' }), el('p', { class: 'muted', text: 'Pick a storage account.' }),
      el('section', { class: 'panel flush' }, table(['Account', 'Key source', ''], state.accounts.map((a) => el('tr', {},
        el('td', {}, el('a', { href: '#/encryption/' + a.name, text: a.name })), el('td', {}, keySourceBadge(a)),
        el('td', { class: 'actions' }, el('a', { class: 'button small', href: '#/encryption/' + a.name, text: 'Open' })))), 'No storage accounts.'))];
  }
  const a = await getAccount(name);
  const [vaults, idents] = await Promise.all([listVaults(), listIdentities()]);
  if (gen !== state.gen) return;
  if (!a) return errorBox({ status: 404, code: 'ResourceNotFound', message: 'No storage account ' + name });
  const e = a.properties.encryption || {};
  const kvp = e.keyvaultproperties || {};
  const cmk = e.keySource === 'Microsoft.Keyvault';
  const ident = a.identity || {};

  const srcMMK = el('input', { type: 'radio', name: 'src', id: 'src-mmk', checked: !cmk });
  const srcCMK = el('input', { type: 'radio', name: 'src', id: 'src-cmk', checked: cmk });
  const modeSel = el('input', { type: 'radio', name: 'mode', id: 'mode-select', checked: true });
  const modeURI = el('input', { type: 'radio', name: 'mode', id: 'mode-uri' });
  const vaultSel = el('select', { id: 'enc-vault' }, el('option', { value: '', text: '— select a vault —' }),
    vaults.map((v) => el('option', { value: v.name, text: v.name + (v.properties.enablePurgeProtection ? '' : ' (no purge protection)') })));
  const keySel = el('select', { id: 'enc-key' }, el('option', { value: '', text: '— select a key —' }));
  const verSel = el('select', { id: 'enc-version' }, el('option', { value: '', text: 'Latest (automatic rotation)' }));
  const uri = el('input', { type: 'text', id: 'enc-uri', class: 'wide uri', placeholder: 'https://<vault>' + state.info.vaultSuffix + '/keys/<name>[/<version>]' });
  const identSel = el('select', { id: 'enc-identity' },
    el('option', { value: 'system', text: 'System-assigned identity' + (ident.principalId ? '' : ' (will be turned on)') }),
    idents.map((i) => el('option', { value: i.id, text: 'User-assigned: ' + i.name })));
  const grant = el('input', { type: 'checkbox', id: 'enc-grant', checked: true });
  let result = el('div', { id: 'enc-result' });
  if (state.flash) { result = state.flash; state.flash = null; }

  if (cmk) {
    const vn = kvp.keyvaulturi ? new URL(kvp.keyvaulturi).hostname.split('.')[0] : '';
    vaultSel.value = vn;
    uri.value = (kvp.keyvaulturi || '').replace(/\/$/, '') + '/keys/' + (kvp.keyname || '') + (kvp.keyversion ? '/' + kvp.keyversion : '');
    if (e.identity && e.identity.userAssignedIdentity) identSel.value = [...identSel.options].find((o) => o.value.toLowerCase() === e.identity.userAssignedIdentity.toLowerCase())?.value || 'system';
    loadKeys(vn, kvp.keyname, kvp.keyversion);
  }
  async function loadKeys(vault, pick, pickVer) {
    keySel.replaceChildren(el('option', { value: '', text: '— select a key —' }));
    verSel.replaceChildren(el('option', { value: '', text: 'Latest (automatic rotation)' }));
    if (!vault) return;
    const r = await kv('GET', vault, 'keys');
    if (!r.ok) { result.replaceChildren(errorBox(r, 'List keys of ' + vault)); return; }
    for (const k of r.json.value) keySel.append(el('option', { value: lastSeg(k.kid), text: lastSeg(k.kid) + (k.attributes.enabled ? '' : ' (disabled)') }));
    if (pick) { keySel.value = pick; await loadVersions(vault, pick, pickVer); }
  }
  async function loadVersions(vault, key, pickVer) {
    verSel.replaceChildren(el('option', { value: '', text: 'Latest (automatic rotation)' }));
    if (!key) return;
    const r = await kv('GET', vault, `keys/${enc(key)}/versions`);
    if (r.ok) for (const k of r.json.value) verSel.append(el('option', { value: lastSeg(k.kid), text: lastSeg(k.kid) }));
    if (pickVer) verSel.value = pickVer;
  }
  vaultSel.addEventListener('change', () => loadKeys(vaultSel.value));
  keySel.addEventListener('change', () => loadVersions(vaultSel.value, keySel.value));

  const save = async () => {
    const steps = el('ul', { class: 'steps' });
    result.replaceChildren(steps);
    const step = (text) => { const li = el('li', { class: 'run', text }); steps.append(li); return li; };
    const fail = (li, r, what) => { li.className = 'bad'; result.append(errorBox(r, what)); result.className = 'bad'; };
    result.className = '';
    if (srcMMK.checked) {
      const li = step('Switch to Microsoft-managed keys');
      const r = await arm('PATCH', a.id, V.arm, { properties: { encryption: { keySource: 'Microsoft.Storage', services: { blob: { enabled: true }, file: { enabled: true } } } } });
      if (!r.ok) return fail(li, r, 'Update storage account');
      li.className = 'ok'; result.className = 'ok'; toast('Encryption saved'); return;
    }
    // 1. The key: from the picker or the URI.
    let vaultName, keyName, keyVersion;
    if (modeURI.checked) {
      const m = /^https:\/\/([a-z0-9-]+)\.vault\.[^/]+\/keys\/([^/]+)(?:\/([^/?]+))?\/?$/i.exec(uri.value.trim());
      if (!m) { result.append(errorBox({ code: 'InvalidKeyUri', message: 'A key URI looks like https://<vault>' + state.info.vaultSuffix + '/keys/<name> or …/keys/<name>/<version>.' })); return; }
      [, vaultName, keyName, keyVersion] = m;
    } else {
      vaultName = vaultSel.value; keyName = keySel.value; keyVersion = verSel.value;
      if (!vaultName || !keyName) { result.append(errorBox({ code: 'KeyRequired', message: 'Select a vault and a key.' })); return; }
    }
    const vault = vaults.find((v) => v.name.toLowerCase() === vaultName.toLowerCase());
    // 2. The identity.
    let principal, uai = '';
    const li1 = step('Managed identity');
    let acct = a;
    if (identSel.value === 'system') {
      if (!ident.principalId) {
        const types = ident.userAssignedIdentities ? 'SystemAssigned,UserAssigned' : 'SystemAssigned';
        const r = await arm('PATCH', a.id, V.arm, { identity: { type: types, userAssignedIdentities: ident.userAssignedIdentities ? Object.fromEntries(Object.keys(ident.userAssignedIdentities).map((k) => [k, {}])) : undefined } });
        if (!r.ok) return fail(li1, r, 'Turn on the system-assigned identity');
        acct = r.json;
      }
      principal = acct.identity.principalId;
      li1.textContent = 'System-assigned identity ' + principal;
    } else {
      uai = identSel.value;
      const u = idents.find((i) => i.id === uai);
      principal = u.properties.principalId;
      const has = ident.userAssignedIdentities && Object.keys(ident.userAssignedIdentities).some((k) => k.toLowerCase() === uai.toLowerCase());
      if (!has) {
        const r = await arm('PATCH', a.id, V.arm, { identity: { type: ident.principalId ? 'SystemAssigned,UserAssigned' : 'UserAssigned', userAssignedIdentities: { [uai]: {} } } });
        if (!r.ok) return fail(li1, r, 'Assign the user-assigned identity');
      }
      li1.textContent = 'User-assigned identity ' + u.name + ' (' + principal + ')';
    }
    li1.className = 'ok';
    // 3. Access to the key, as the portal grants it.
    if (grant.checked && vault) {
      const li = step(vault.properties.enableRbacAuthorization ? 'Assign Key Vault Crypto Service Encryption User on ' + vault.name : 'Access policy get, wrapKey, unwrapKey on ' + vault.name);
      const r = vault.properties.enableRbacAuthorization ? await assignRole(vault, principal, ROLE_ENCRYPTION_USER) : await addPolicy(vault, principal, CMK_PERMS);
      if (!r.ok && r.code !== 'RoleAssignmentExists') return fail(li, r, 'Grant access');
      li.className = 'ok';
    }
    // 4. The account's encryption setting (the management plane validates the key).
    const li = step(`Use key ${keyName}${keyVersion ? '/' + keyVersion : ''} of ${vaultName}`);
    const body = { properties: { encryption: { keySource: 'Microsoft.Keyvault', services: { blob: { enabled: true }, file: { enabled: true } },
      keyvaultproperties: { keyname: keyName, keyversion: keyVersion || '', keyvaulturi: `https://${vaultName.toLowerCase()}${state.info.vaultSuffix}` } } } };
    if (uai) body.properties.encryption.identity = { userAssignedIdentity: uai };
    const r = await arm('PATCH', a.id, V.arm, body);
    if (!r.ok) return fail(li, r, 'Update storage account');
    li.className = 'ok';
    result.className = 'ok';
    result.append(el('p', {}, 'Saved. The account key is now wrapped by ', el('code', { text: r.json.properties.encryption.keyvaultproperties.currentVersionedKeyIdentifier || keyName }), '. ',
      el('a', { href: '#/chain', text: 'See the key chain →' })));
    // Redraw with the new setting, keeping the steps just taken in view.
    state.flash = result;
    render();
  };


  return [
    crumbs(el('a', { href: '#/storage', text: 'Storage' }), el('a', { href: '#/storage/' + name, text: name }), 'Encryption'),
    el('h1', { text: 'Encryption — ' + name }),
    panel('Current setting', el('dl', { class: 'props' },
      el('dt', { text: 'Encryption type' }), el('dd', { id: 'enc-current', 'data-source': e.keySource || '' }, keySourceBadge(a)),
      cmk ? [el('dt', { text: 'Key vault' }), el('dd', { class: 'mono', text: kvp.keyvaulturi }),
        el('dt', { text: 'Key' }), el('dd', { class: 'mono', text: kvp.keyname + (kvp.keyversion ? ' / ' + kvp.keyversion : ' (latest version)') }),
        el('dt', { text: 'Wrapped by' }), el('dd', { class: 'mono', text: kvp.currentVersionedKeyIdentifier || '—' }),
        el('dt', { text: 'Identity' }), el('dd', { class: 'mono', text: (e.identity && e.identity.userAssignedIdentity) || ('system-assigned ' + (ident.principalId || '')) })] : [],
      el('dt', { text: 'Services' }), el('dd', { text: 'Blob and Files, encrypted at rest (AES-256-GCM)' }))),
    panel('Change',
      el('label', { class: 'block', text: 'Encryption type' }),
      el('div', { class: 'radio-group' }, el('label', {}, srcMMK, 'Microsoft-managed keys'), el('label', {}, srcCMK, 'Customer-managed keys')),
      el('label', { class: 'block', text: 'Encryption key' }),
      el('div', { class: 'radio-group' }, el('label', {}, modeSel, 'Select from key vault'), el('div', { class: 'form-line' }, vaultSel, keySel, verSel),
        el('label', {}, modeURI, 'Enter key URI'), el('div', { class: 'form-line' }, uri)),
      el('label', { class: 'block', text: 'Identity type' }), identSel,
      el('div', { class: 'form-line' }, el('label', {}, grant, 'Grant the identity access to the key (get, wrapKey, unwrapKey), as the portal does')),
      el('div', { class: 'form-line' }, el('button', { class: 'primary', id: 'enc-save', text: 'Save', onclick: save })),
      result),
  ];
}

// ---------- The chain ----------

async function chainFor(a, vaults, deletedVaults, idents) {
  const e = a.properties.encryption || {};
  if (e.keySource !== 'Microsoft.Keyvault') return { cmk: false };
  const kvp = e.keyvaultproperties || {};
  const vaultName = new URL(kvp.keyvaulturi).hostname.split('.')[0];
  const current = kvp.currentVersionedKeyIdentifier || '';
  const version = kvp.keyversion || lastSeg(current);
  const c = { cmk: true, account: a, vaultName, keyName: kvp.keyname, version, current };
  // Identity
  const uai = e.identity && e.identity.userAssignedIdentity;
  if (uai) {
    const u = idents.find((i) => i.id.toLowerCase() === uai.toLowerCase());
    c.identity = { ok: !!u, what: lastSeg(uai) + ' (user-assigned)', principal: u && u.properties.principalId, state: u ? 'exists' : 'deleted' };
  } else {
    const p = a.identity && a.identity.principalId;
    c.identity = { ok: !!p, what: 'system-assigned', principal: p, state: p ? 'on' : 'turned off' };
  }
  // Vault
  const v = vaults.find((x) => x.name.toLowerCase() === vaultName.toLowerCase());
  const dv = deletedVaults.find((x) => x.name.toLowerCase() === vaultName.toLowerCase());
  c.vault = { ok: !!v, v, dv, what: vaultName, state: v ? 'exists' : dv ? 'deleted (recoverable)' : 'not found' };
  // Key
  if (v) {
    const r = await kv('GET', vaultName, `keys/${enc(c.keyName)}/${version}`);
    if (r.ok) {
      const at = r.json.attributes;
      const expired = at.exp && at.exp * 1000 <= Date.parse(state.clock || new Date().toISOString());
      c.key = { ok: at.enabled && !expired, exists: true, enabled: at.enabled, state: !at.enabled ? 'disabled' : expired ? 'expired' : 'enabled' };
    } else {
      const d = await kv('GET', vaultName, 'deletedkeys/' + enc(c.keyName));
      c.key = { ok: false, exists: false, deleted: d.ok, state: d.ok ? 'deleted (recoverable)' : r.status + ' ' + r.code };
    }
  } else {
    c.key = { ok: false, exists: false, state: 'vault unavailable' };
  }
  // Access
  const p = c.identity.principal;
  if (!v) c.access = { ok: false, state: 'vault unavailable' };
  else if (v.properties.enableRbacAuthorization) {
    const r = await arm('GET', v.id + '/providers/Microsoft.Authorization/roleAssignments', V.roles);
    const ra = r.ok ? r.json.value.find((x) => x.properties.principalId === p && KEY_ROLES.includes(lastSeg(x.properties.roleDefinitionId))) : null;
    c.access = { ok: !!ra, rbac: true, ra, what: ra ? roleName(ra.properties.roleDefinitionId) : 'Azure RBAC', state: ra ? 'role assigned' : 'no role for the identity' };
  } else {
    const ap = (v.properties.accessPolicies || []).find((x) => x.objectId === p);
    const keys = ap ? ((ap.permissions || {}).keys || []).map((s) => s.toLowerCase()) : [];
    const ok = keys.includes('all') || CMK_PERMS.every((x) => keys.includes(x.toLowerCase()));
    c.access = { ok, rbac: false, ap, what: 'access policy', state: ap ? (ok ? keys.join(', ') : 'missing ' + CMK_PERMS.filter((x) => !keys.includes(x.toLowerCase())).join(', ')) : 'no policy for the identity' };
  }
  c.ok = c.identity.ok && c.vault.ok && c.key.ok && c.access.ok;
  return c;
}

function linkCard(kind, title, what, ok, stateText, acts) {
  return el('div', { class: `link ${kind} ${ok ? 'ok' : 'bad'}`, 'data-link': kind },
    el('div', { class: 'title', text: title }), el('div', { class: 'what', text: what }), el('div', { class: 'state', text: (ok ? '● ' : '✗ ') + stateText }),
    acts && acts.length ? el('div', { class: 'acts' }, acts) : null);
}

const button = (label, actName, cls, fn) => el('button', { class: 'small ' + cls, 'data-act': actName, text: label, onclick: () => act(label, fn) });

function chainCard(c, a) {
  if (!c.cmk) {
    return panel(null, el('div', { class: 'row' }, el('h2', { text: a.name }), el('span', { class: 'spacer' }), keySourceBadge(a)),
      el('div', { class: 'chain', 'data-chain': a.name }, linkCard('account', 'Account encryption key', 'wrapped by the root key', true, 'Microsoft-managed: nothing to revoke')),
      el('p', { class: 'muted' }, 'Switch to a customer-managed key in ', el('a', { href: '#/encryption/' + a.name, text: 'Encryption' }), ' to see the chain.'));
  }
  const v = c.vault.v;
  const kpath = `keys/${enc(c.keyName)}/${c.version}`;
  const keyActs = [];
  if (c.key.exists) {
    keyActs.push(c.key.enabled ? button('Disable key', 'disable-key', 'danger', () => kv('PATCH', c.vaultName, kpath, { attributes: { enabled: false } }))
      : button('Enable key', 'enable-key', 'good', () => kv('PATCH', c.vaultName, kpath, { attributes: { enabled: true } })));
    keyActs.push(button('Delete key', 'delete-key', 'danger', () => kv('DELETE', c.vaultName, 'keys/' + enc(c.keyName))));
  } else if (c.key.deleted) {
    keyActs.push(button('Recover key', 'recover-key', 'good', () => kv('POST', c.vaultName, `deletedkeys/${enc(c.keyName)}/recover`)));
  }
  const vaultActs = v ? [button('Delete vault', 'delete-vault', 'danger', () => arm('DELETE', v.id, V.kvArm))]
    : c.vault.dv ? [button('Recover vault', 'recover-vault', 'good', () => recoverVault(c.vault.dv))] : [];
  const accessActs = [];
  if (v && c.identity.principal) {
    if (c.access.rbac) {
      accessActs.push(c.access.ra ? button('Remove role', 'remove-access', 'danger', () => arm('DELETE', c.access.ra.id, V.roles))
        : button('Assign role', 'grant-access', 'good', () => assignRole(v, c.identity.principal, ROLE_ENCRYPTION_USER)));
    } else {
      accessActs.push(c.access.ap ? button('Remove access policy', 'remove-access', 'danger', () => arm('PUT', v.id + '/accessPolicies/remove', V.kvArm, { properties: { accessPolicies: [c.access.ap] } }))
        : button('Grant access policy', 'grant-access', 'good', () => addPolicy(v, c.identity.principal, CMK_PERMS)));
    }
  }
  const arrow = () => el('div', { class: 'arrow', text: '←' });
  return panel(null,
    el('div', { class: 'row' }, el('h2', { text: a.name }), el('span', { class: 'spacer' }),
      el('span', { class: 'badge ' + (c.ok ? 'ok' : 'bad'), 'data-chain-state': c.ok ? 'ok' : 'broken', text: c.ok ? 'Data readable' : 'Revoked: reads fail with 403' })),
    el('div', { class: 'chain', 'data-chain': a.name },
      linkCard('account', 'Account encryption key', lastSeg(c.current) ? `wrapped by ${c.keyName}/${lastSeg(c.current).slice(0, 8)}…` : 'wrapped by the vault key', c.ok, c.ok ? 'storage can unwrap it' : 'storage cannot unwrap it'),
      arrow(), linkCard('key', 'Vault key', c.keyName + (kvpVersionless(c) ? ' (latest)' : ''), c.key.ok, c.key.state, keyActs),
      arrow(), linkCard('vault', 'Key vault', c.vaultName, c.vault.ok, c.vault.state, vaultActs),
      arrow(), linkCard('identity', 'Identity', c.identity.what, c.identity.ok, c.identity.principal ? c.identity.state + ' · ' + c.identity.principal.slice(0, 8) + '…' : c.identity.state),
      arrow(), linkCard('access', 'Access', c.access.what || '', c.access.ok, c.access.state, accessActs)));
}

const kvpVersionless = (c) => !((c.account.properties.encryption.keyvaultproperties || {}).keyversion);

async function viewChain(gen) {
  await listAccounts();
  const [vaults, deleted, idents] = await Promise.all([listVaults(), arm('GET', sub() + '/providers/Microsoft.KeyVault/deletedVaults', V.kvArm), listIdentities()]);
  const dv = deleted.ok ? deleted.json.value : [];
  const accounts = [...state.accounts].sort((x, y) => ((y.properties.encryption || {}).keySource === 'Microsoft.Keyvault') - ((x.properties.encryption || {}).keySource === 'Microsoft.Keyvault'));
  const chains = await Promise.all(accounts.map((a) => chainFor(a, vaults, dv, idents)));
  if (gen !== state.gen) return;
  const recent = el('div', { id: 'chain-log' });
  const showRecent = () => recent.replaceChildren(logTable(filterLog({ console: true }).slice(0, 8), true));
  showRecent();
  every(1000, () => gen === state.gen && showRecent());
  every(4000, () => gen === state.gen && !document.hidden && refreshChain(gen));
  return [
    el('h1', { text: 'Key chain' }),
    el('p', { class: 'muted', text: 'For each account: the account encryption key is wrapped by the vault key, which lives in the vault, which the account\'s identity may use when its access allows. Break any link and storage reads fail; restore it and every byte comes back.' }),
    el('div', { id: 'chains' }, accounts.map((a, i) => chainCard(chains[i], a))),
    el('section', { class: 'panel flush' }, el('h2', { text: 'Latest requests' }), recent),
  ];
}

// refreshChain redraws only the chains, keeping the page in place.
async function refreshChain(gen) {
  await listAccounts();
  const [vaults, deleted, idents] = await Promise.all([listVaults(), arm('GET', sub() + '/providers/Microsoft.KeyVault/deletedVaults', V.kvArm), listIdentities()]);
  const dv = deleted.ok ? deleted.json.value : [];
  const accounts = [...state.accounts].sort((x, y) => ((y.properties.encryption || {}).keySource === 'Microsoft.Keyvault') - ((x.properties.encryption || {}).keySource === 'Microsoft.Keyvault'));
  const chains = await Promise.all(accounts.map((a) => chainFor(a, vaults, dv, idents)));
  const box = $('#chains');
  if (gen !== state.gen || !box) return;
  box.replaceChildren(...accounts.map((a, i) => chainCard(chains[i], a)));
}

// ---------- Request log ----------

const logFilter = { text: '', service: '', errors: false, console: false };

async function pollLog() {
  try {
    const res = await fetch('/api/log?after=' + state.logSeq, { cache: 'no-store' });
    if (!res.ok) return;
    const { entries } = await res.json();
    if (entries.length) {
      state.logSeq = entries[0].seq;
      const fresh = new Set(entries.map((e) => e.seq));
      state.log = entries.concat(state.log).slice(0, 2000);
      state.fresh = fresh;
      if (state.onLog) state.onLog();
    }
  } catch (e) { /* the emulator is stopping */ }
}

// filterLog applies the filters; by default the console's own successful
// reads are hidden (its pages read a lot), its failures and writes shown.
function filterLog(f) {
  const t = (f.text || '').toLowerCase();
  return state.log.filter((e) => {
    if (!f.console && e.console && e.status < 400 && (e.method === 'GET' || e.method === 'HEAD')) return false;
    if (f.service && e.service !== f.service) return false;
    if (f.errors && e.status < 400) return false;
    if (t && ![e.operation, e.resource, e.caller, e.code, String(e.status), e.service].some((x) => (x || '').toLowerCase().includes(t))) return false;
    return true;
  });
}

function logTable(entries, compact) {
  const rows = entries.map((e) => el('tr', { class: (e.status >= 400 ? 'fail ' : '') + (state.fresh && state.fresh.has(e.seq) ? 'fresh' : ''), 'data-seq': e.seq, 'data-code': e.code || '', 'data-op': e.operation },
    el('td', { class: 'time', text: new Date(e.time).toISOString().slice(11, 23) }),
    el('td', { text: e.service }),
    el('td', { class: 'caller' }, e.caller, e.console ? el('span', { class: 'badge tag', text: 'console' }) : null),
    el('td', { class: 'op' }, e.operation.split('/').map((part, i) => (i ? ['/', el('wbr'), part] : part))),
    el('td', {}, el('span', { class: 'status s' + String(e.status)[0], text: e.status })),
    el('td', { class: 'code', text: e.code || '' }),
    compact ? null : el('td', { class: 'res mono', title: e.method + ' ' + e.resource, text: e.method + ' ' + e.resource }),
    compact ? null : el('td', { class: 'num', text: e.durationMs.toFixed(1) + ' ms' })));
  const cols = compact ? ['Time (UTC)', 'Service', 'Caller', 'Operation', 'Status', 'Error code'] : ['Time (UTC)', 'Service', 'Caller', 'Operation', 'Status', 'Error code', 'Request', 'Duration'];
  return el('table', { class: 'log' }, el('thead', {}, el('tr', {}, cols.map((c) => el('th', { text: c })))), el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: cols.length, class: 'muted', text: 'No requests match.' }))));
}

function viewLog(gen) {
  state.fresh = null; // only what arrives while the log is shown flashes
  const box = el('div', { id: 'log-table' });
  const count = el('span', { class: 'muted' });
  const draw = () => {
    if (gen !== state.gen) return;
    const list = filterLog(logFilter);
    count.textContent = `${list.length} of ${state.log.length} requests`;
    box.replaceChildren(logTable(list.slice(0, 400)));
  };
  state.onLog = draw;
  const text = el('input', { type: 'text', id: 'log-filter', placeholder: 'filter: operation, path, caller, code, status', class: 'wide', value: logFilter.text, oninput: (ev) => { logFilter.text = ev.target.value; draw(); } });
  const svc = el('select', { id: 'log-service', onchange: (ev) => { logFilter.service = ev.target.value; draw(); } },
    ['', 'blob', 'file', 'keyvault', 'management', 'identity', 'admin'].map((s) => el('option', { value: s, text: s || 'all services' })));
  svc.value = logFilter.service;
  const errs = el('input', { type: 'checkbox', id: 'log-errors', checked: logFilter.errors, onchange: (ev) => { logFilter.errors = ev.target.checked; draw(); } });
  const own = el('input', { type: 'checkbox', id: 'log-console', checked: logFilter.console, onchange: (ev) => { logFilter.console = ev.target.checked; draw(); } });
  setTimeout(draw);
  return [
    el('h1', { text: 'Request log' }),
    el('p', { class: 'muted', text: 'Every request the emulator serves (Blob, Files, Key Vault, tokens, management), newest first. No secrets are kept: no Authorization header, token or SAS signature.' }),
    panel(null, el('div', { class: 'row' }, text, svc, el('label', {}, errs, 'Failures only'), el('label', {}, own, 'Include the console\'s own reads'), el('span', { class: 'spacer' }), count,
      el('button', { class: 'small', text: 'Clear view', onclick: () => { state.log = []; draw(); } }))),
    el('section', { class: 'panel flush' }, box),
  ];
}

// ---------- the clock ----------

async function refreshClock() {
  const r = await call('GET', '/clock');
  if (r.ok && r.json) {
    state.clock = r.json.now;
    $('#clock-now').textContent = fmtTime(r.json.now);
  }
}

async function advance(seconds, label) {
  const r = await call('POST', '/clock/advance', { json: { seconds } });
  if (!r.ok) toast(`Advance the clock failed: ${r.status} ${r.code} — ${r.message}`, true);
  else toast('Clock moved forward ' + label);
  await refreshClock();
  render();
}

// ---------- routing ----------

async function render() {
  const gen = ++state.gen;
  state.timers.forEach(clearInterval);
  state.timers = [];
  state.onLog = null;
  const hash = location.hash.replace(/^#\/?/, '') || 'storage';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const seg = path.split('/').map(decodeURIComponent);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === (seg[0] === 'blob' || seg[0] === 'file' ? 'storage' : seg[0]));
  let out;
  try {
    switch (seg[0]) {
      case 'storage': out = seg[1] ? await viewAccount(gen, seg[1], seg[2]) : await viewStorage(gen); break;
      case 'blob': out = await viewContainer(gen, seg[1], seg[2], params.get('prefix') || '', params.get('open')); break;
      case 'file': out = await viewShare(gen, seg[1], seg[2], seg.slice(3).join('/')); break;
      case 'vaults': out = seg[1] ? await viewVault(gen, seg[1]) : await viewVaults(gen); break;
      case 'encryption': out = await viewEncryption(gen, seg[1]); break;
      case 'chain': out = await viewChain(gen); break;
      case 'log': out = viewLog(gen); break;
      default: out = [el('h1', { text: 'Not found' })];
    }
  } catch (e) {
    out = errorBox({ code: 'ConsoleError', message: String(e && e.stack || e) });
  }
  if (gen !== state.gen || out === undefined) return;
  $('#view').replaceChildren(...[out].flat(Infinity).filter(Boolean));
  document.body.dataset.view = seg[0];
  document.body.dataset.ready = String(gen);
}

async function main() {
  const r = await fetch('/api/info');
  state.info = await r.json();
  $('#advance-day').addEventListener('click', () => advance(86400, '1 day'));
  $('#advance-90').addEventListener('click', () => advance(90 * 86400, '90 days'));
  window.addEventListener('hashchange', render);
  await pollLog();
  setInterval(pollLog, 1000);
  refreshClock();
  setInterval(refreshClock, 10000);
  render();
}

main();
