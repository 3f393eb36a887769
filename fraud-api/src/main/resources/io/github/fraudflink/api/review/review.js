// The analyst review queue: reads /v1/review, posts verdicts to /v1/labels, shows an account's or a terminal's
// recent decisions. The API key stays in this tab's sessionStorage only.
(function () {
  'use strict';
  const KEY = 'fraud-api-key';
  const $ = (id) => document.getElementById(id);

  function apiKey() { return sessionStorage.getItem(KEY); }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers['Authorization'] = 'Bearer ' + apiKey();
    if (opts.body) { opts.headers['Content-Type'] = 'application/json'; }
    const r = await fetch(path, opts);
    const body = await r.json().catch(() => ({}));
    if (r.status === 401) { showLogin('The API key was refused: ' + (body.message || r.status)); throw new Error('unauthorized'); }
    if (!r.ok) { throw new Error(body.message || ('HTTP ' + r.status)); }
    return body;
  }

  function text(v) { return v === null || v === undefined ? '' : String(v); }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'class') { e.className = v; } else if (k.startsWith('on')) { e.addEventListener(k.slice(2), v); } else { e.setAttribute(k, v); }
    });
    (children || []).forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(text(c))));
    return e;
  }
  function status(msg, isError) { $('status').textContent = msg; $('status').className = isError ? 'error' : ''; }

  function showLogin(message) {
    $('queue').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('api-key').focus();
  }

  async function load() {
    $('login').hidden = true;
    $('queue').hidden = false;
    status('loading ...');
    try {
      const data = await api('/v1/review?limit=100&order=' + encodeURIComponent($('order').value));
      render(data.items);
      status(data.items.length + ' to review, ' + new Date().toLocaleTimeString());
    } catch (e) {
      if (e.message !== 'unauthorized') { status('could not load the queue: ' + e.message, true); }
    }
  }

  function reasons(list) {
    if (!list || !list.length) { return ''; }
    return el('ul', { class: 'reasons' }, list.map((r) =>
      el('li', {}, [r.feature + ' = ' + Number(r.value).toPrecision(4) + ' (+' + Number(r.contribution).toFixed(2) + ')'])));
  }

  function render(items) {
    const body = $('items').querySelector('tbody');
    body.replaceChildren();
    $('empty').hidden = items.length > 0;
    items.forEach((t) => {
      const row = el('tr', { 'data-transaction-id': t.transaction_id, 'data-account-id': t.account_id }, [
        el('td', { class: 'num' }, [Number(t.score).toFixed(4)]),
        el('td', { class: 'band-' + t.decision }, [t.decision]),
        el('td', { class: 'num' }, [Number(t.amount).toFixed(2) + (t.currency ? ' ' + t.currency : '')]),
        el('td', {}, [t.event_time]),
        el('td', {}, [el('a', { class: 'link account-link', onclick: () => history('accounts', t.account_id) }, [t.account_id])]),
        el('td', {}, [t.terminal_id ? el('a', { class: 'link terminal-link', onclick: () => history('terminals', t.terminal_id) }, [t.terminal_id]) : text(t.merchant_id)]),
        el('td', {}, [t.model + ' ' + t.model_version]),
        el('td', {}, [reasons(t.reasons)]),
        el('td', {}, [
          el('button', { type: 'button', class: 'fraud label-fraud', onclick: (ev) => verdict(t, true, ev.target.closest('tr')) }, ['Fraud']),
          ' ',
          el('button', { type: 'button', class: 'legit label-legit', onclick: (ev) => verdict(t, false, ev.target.closest('tr')) }, ['Legitimate']),
        ]),
      ]);
      body.append(row);
    });
  }

  async function verdict(t, isFraud, row) {
    row.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const label = {
        transaction_id: t.transaction_id, account_id: t.account_id, terminal_id: t.terminal_id || t.merchant_id,
        event_time: t.event_time, is_fraud: isFraud, labelled_at: new Date().toISOString(), source: 'analyst',
      };
      await api('/v1/labels', { method: 'POST', body: JSON.stringify(label) });
      row.classList.add('done');
      row.setAttribute('data-labelled', isFraud ? 'fraud' : 'legitimate');
      status('labelled ' + t.transaction_id + (isFraud ? ' fraud' : ' legitimate'));
    } catch (e) {
      row.querySelectorAll('button').forEach((b) => { b.disabled = false; });
      if (e.message !== 'unauthorized') { status('the label was not accepted: ' + e.message, true); }
    }
  }

  async function history(kind, id) {
    try {
      const data = await api('/v1/' + kind + '/' + encodeURIComponent(id) + '/transactions?limit=20');
      $('history-title').textContent = (kind === 'accounts' ? 'Account ' : 'Terminal ') + id + ': latest ' + data.items.length;
      const body = $('history').querySelector('tbody');
      body.replaceChildren(...data.items.map((t) => el('tr', { 'data-transaction-id': t.transaction_id }, [
        el('td', {}, [t.event_time]), el('td', { class: 'num' }, [Number(t.amount).toFixed(2)]), el('td', {}, [t.account_id]),
        el('td', {}, [t.terminal_id]), el('td', { class: 'num' }, [Number(t.score).toFixed(4)]),
        el('td', { class: 'band-' + t.decision }, [t.decision]),
        el('td', {}, [t.label ? (t.label.is_fraud ? 'fraud' : 'legitimate') + ' (' + t.label.source + ')' : '']),
      ])));
      $('history').hidden = false;
    } catch (e) {
      if (e.message !== 'unauthorized') { status('could not load the history: ' + e.message, true); }
    }
  }

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $('api-key').value.trim());
    load();
  });
  $('logout').addEventListener('click', () => { sessionStorage.removeItem(KEY); showLogin(''); });
  $('refresh').addEventListener('click', load);
  $('order').addEventListener('change', load);
  $('history-close').addEventListener('click', () => { $('history').hidden = true; });
  if (apiKey()) { load(); } else { showLogin(''); }
}());
