// POST /login (or the form's data-action) with JSON, then on to the page asked
// for in ?redirectTo= or ?redirect= (same site only), else the form's data-home.
'use strict';
(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  function target() {
    const params = new URLSearchParams(location.search);
    const t = params.get('redirectTo') || params.get('redirect');
    return t && t.startsWith('/') && !t.startsWith('//') && !t.startsWith('/\\') ? t : form.dataset.home || '/org/apikeys';
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const res = await fetch(form.dataset.action || '/login', {
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
