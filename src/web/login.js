// POST /login with JSON, then on to the page asked for (same site only).
'use strict';
(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  function target() {
    const t = new URLSearchParams(location.search).get('redirectTo');
    return t && t.startsWith('/') && !t.startsWith('//') && !t.startsWith('/\\') ? t : '/org/apikeys';
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const res = await fetch('/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: form.user.value, password: form.password.value }),
    });
    if (res.ok) {
      location.assign(target());
      return;
    }
    let message = 'Login failed';
    try { message = (await res.json()).message || message; } catch (e) { /* keep default */ }
    error.textContent = message;
    error.hidden = false;
  });
})();
