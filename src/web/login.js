// POST /login (or the form's data-action) with JSON, then on to the page asked
// for in ?redirectTo= or ?redirect= (same origin only), else the form's data-home.
'use strict';
(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  // Parsed with the URL parser against this page's origin (it drops tabs and newlines, reads
  // "\\" as "/"): only a target on this origin is followed, and as the parsed URL's whole href
  // (its pathname alone could be "//evil.example"). Issue 17 finding 4.
  function target() {
    const home = form.dataset.home || '/';
    const params = new URLSearchParams(location.search);
    const t = params.get('redirectTo') || params.get('redirect');
    if (!t) return home;
    let u;
    try { u = new URL(t, location.origin); } catch (e) { return home; }
    return u.origin === location.origin && (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : home;
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
