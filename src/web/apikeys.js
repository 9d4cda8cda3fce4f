// The API Keys page: list / add / delete through /api/auth/keys with the session cookie.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#keys tbody');

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401) {
      location.assign('/login?redirectTo=' + encodeURIComponent('/org/apikeys'));
      throw new Error('not signed in');
    }
    let data = null;
    try { data = await res.json(); } catch (e) { /* empty */ }
    if (!res.ok) throw new Error((data && data.message) || ('HTTP ' + res.status));
    return data;
  }

  function showError(e) {
    $('page-error').textContent = e.message;
    $('page-error').hidden = false;
  }

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  async function refresh() {
    const keys = await api('GET', '/api/auth/keys' + ($('include-expired').checked ? '?includeExpired=true' : ''));
    tbody.replaceChildren();
    for (const k of keys) {
      const tr = document.createElement('tr');
      tr.dataset.keyId = String(k.id);
      tr.append(cell(k.name), cell(k.role), cell(k.expiration ? new Date(k.expiration).toLocaleString() : 'Never'),
        cell(k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'Never'));
      const td = document.createElement('td');
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'delete';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', 'Delete ' + k.name);
      del.addEventListener('click', async () => {
        try {
          await api('DELETE', '/api/auth/keys/' + k.id);
          await refresh();
        } catch (e) { showError(e); }
      });
      td.append(del);
      tr.append(td);
      tbody.append(tr);
    }
    $('no-keys').hidden = keys.length > 0;
  }

  $('create-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('page-error').hidden = true;
    try {
      const created = await api('POST', '/api/auth/keys', {
        name: $('key-name').value,
        role: $('key-role').value,
        secondsToLive: Number($('key-ttl').value) || 0,
      });
      $('new-key-value').textContent = created.key;
      $('new-key').hidden = false;
      $('key-name').value = '';
      await refresh();
    } catch (e) { showError(e); }
  });

  $('include-expired').addEventListener('change', () => refresh().catch(showError));

  api('GET', '/api/org').then((org) => { $('org-name').textContent = org.name + ' · API keys'; }).catch(() => {});
  refresh().catch(showError);
})();
