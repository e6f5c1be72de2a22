// The account portal: one page over the management API, with the session key from its link
// (POST /api/v1/accounts/{acct}/portal-access). Every value from the API goes into the page as text, never as markup.
'use strict';

const STORE = 'hookpost.portal';
const ATTEMPTS_PAGE = 20;
let session = null;         // {account, key, readOnly}
let eventTypes = null;      // the catalog, read once
let current = null;         // the endpoint shown, as the API gave it
let attemptsCursor = null;

const $ = (selector) => document.querySelector(selector);

function startSession() {
  const fragment = new URLSearchParams(location.hash.startsWith('#account=') ? location.hash.slice(1) : '');
  if (fragment.get('account') && fragment.get('key')) {
    session = {account: fragment.get('account'), key: fragment.get('key')};
    sessionStorage.setItem(STORE, JSON.stringify(session));
    // the key leaves the address bar (and the history) at once
    history.replaceState(null, '', location.pathname + '#/');
  } else {
    const stored = sessionStorage.getItem(STORE);
    session = stored ? JSON.parse(stored) : null;
  }
}

function api(method, path, body) {
  const options = {method, headers: {Authorization: 'Bearer ' + session.key, Accept: 'application/json'}};
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const url = path.startsWith('/api/') ? path
    : '/api/v1/accounts/' + encodeURIComponent(session.account) + path;
  return fetch(url, options).then((response) => {
    if (response.status === 204) {
      return null;
    }
    return response.text().then((text) => {
      const json = text ? JSON.parse(text) : null;
      if (response.status === 401) {
        signOut('Your session has ended. Open the portal again from the link you were given.');
      }
      if (!response.ok) {
        const error = new Error(json && json.detail ? json.detail : 'The request failed (' + response.status + ').');
        error.status = response.status;
        throw error;
      }
      return json;
    });
  });
}

function say(text, isError) {
  const message = $('#message');
  message.textContent = text;
  message.classList.toggle('error', !!isError);
  message.hidden = !text;
}

function fail(error) {
  say(error.message, true);
}

function signOut(text) {
  sessionStorage.removeItem(STORE);
  session = null;
  show('#sign-in');
  say(text, true);
}

function show(selector) {
  for (const view of ['#sign-in', '#endpoints-view', '#endpoint-view']) {
    $(view).hidden = view !== selector;
  }
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) {
      td.append(cell);
    } else {
      td.textContent = cell === null || cell === undefined ? '' : String(cell);
    }
    tr.append(td);
  }
  return tr;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function events(endpoint) {
  const all = endpoint.eventTypes.concat(endpoint.categories.map((c) => 'category: ' + c));
  return all.length === 0 || (all.length === 1 && all[0] === '*') ? 'All events' : all.join(', ');
}

function status(endpoint) {
  return endpoint.active
    ? element('span', 'Active', 'status-active')
    : element('span', endpoint.disabledReason ? 'Disabled: ' + endpoint.disabledReason : 'Paused', 'status-disabled');
}

// --- the list of endpoints -------------------------------------------------------------------------------------

function showEndpoints() {
  show('#endpoints-view');
  $('#endpoint-form').hidden = true;
  return api('GET', '/endpoints').then((page) => {
    const list = page.data || page;
    const body = $('#endpoints tbody');
    body.replaceChildren();
    for (const endpoint of list) {
      const link = element('a', endpoint.url);
      link.href = '#/endpoints/' + encodeURIComponent(endpoint.id);
      const tr = row([link, endpoint.description, events(endpoint), status(endpoint)]);
      tr.dataset.endpointId = endpoint.id;
      body.append(tr);
    }
    $('#no-endpoints').hidden = list.length > 0;
    $('#endpoints').hidden = list.length === 0;
  });
}

function loadEventTypes() {
  if (eventTypes) {
    return Promise.resolve(eventTypes);
  }
  return api('GET', '/api/v1/event-types').then((catalog) => {
    eventTypes = catalog.data || catalog;
    return eventTypes;
  });
}

function openEndpointForm(endpoint) {
  const form = $('#endpoint-form');
  form.reset();
  form.dataset.endpointId = endpoint ? endpoint.id : '';
  $('#endpoint-form-title').textContent = endpoint ? 'Edit endpoint' : 'Add endpoint';
  return loadEventTypes().then((catalog) => {
    const chosen = new Set(endpoint ? endpoint.eventTypes.filter((t) => t !== '*') : []);
    const choices = $('#event-type-choices');
    choices.replaceChildren();
    for (const type of catalog) {
      const label = element('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'eventType';
      box.value = type.name;
      box.checked = chosen.delete(type.name);
      label.append(box, ' ' + type.name);
      if (type.description) {
        label.title = type.description;
      }
      choices.append(label);
    }
    if (endpoint) {
      form.elements.url.value = endpoint.url;
      form.elements.description.value = endpoint.description || '';
      form.elements.otherTypes.value = Array.from(chosen).join(', ');
    }
    form.hidden = false;
    form.elements.url.focus();
  });
}

function saveEndpoint(event) {
  event.preventDefault();
  const form = event.target;
  const types = Array.from(form.querySelectorAll('input[name=eventType]:checked')).map((box) => box.value)
    .concat(form.elements.otherTypes.value.split(',').map((t) => t.trim()).filter((t) => t));
  const body = {url: form.elements.url.value.trim(), description: form.elements.description.value.trim() || null,
    eventTypes: types};
  const id = form.dataset.endpointId;
  const saving = id ? api('PATCH', '/endpoints/' + encodeURIComponent(id), body) : api('POST', '/endpoints', body);
  saving.then((endpoint) => {
    form.hidden = true;
    say(id ? 'Endpoint saved.' : 'Endpoint added. Its signing secret is on its page.');
    if (location.hash === '#/endpoints/' + encodeURIComponent(endpoint.id)) {
      route();
    } else {
      location.hash = '#/endpoints/' + encodeURIComponent(endpoint.id);
    }
  }).catch(fail);
}

// --- one endpoint ----------------------------------------------------------------------------------------------

function endpointPath(suffix) {
  return '/endpoints/' + encodeURIComponent(current.id) + (suffix || '');
}

function showEndpoint(id) {
  show('#endpoint-view');
  $('#endpoint-form').hidden = true;
  $('#attempt-detail').hidden = true;
  $('#secret').textContent = '••••••••••••••••';
  $('#secret-grace').hidden = true;
  return api('GET', '/endpoints/' + encodeURIComponent(id)).then((endpoint) => {
    current = endpoint;
    $('#endpoint-url').textContent = endpoint.url;
    const details = $('#endpoint-details');
    details.replaceChildren();
    const facts = [['Status', status(endpoint)], ['Description', endpoint.description || '—'],
      ['Events', events(endpoint)], ['Signature', endpoint.signatureScheme],
      ['Rate limit', endpoint.rateLimit ? endpoint.rateLimit + ' a second' : 'none'],
      ['Endpoint id', endpoint.id], ['Created', when(endpoint.createdAt)]];
    for (const [name, value] of facts) {
      const dd = element('dd');
      dd.append(value instanceof Node ? value : String(value));
      details.append(element('dt', name), dd);
    }
    const writes = !session.readOnly;
    $('#enable-endpoint').hidden = !writes || endpoint.active;
    $('#pause-endpoint').hidden = !writes || !endpoint.active;
    attemptsCursor = null;
    $('#attempts tbody').replaceChildren();
    return Promise.all([showStats(), showFailed(), showAttempts()]);
  }).catch((error) => {
    if (error.status === 404) {
      location.hash = '#/';
    }
    throw error;
  });
}

function showStats() {
  return api('GET', endpointPath('/stats')).then((stats) => {
    const list = $('#stats');
    list.replaceChildren();
    const figures = [['Delivered', stats.deliveries.delivered], ['Failed', stats.deliveries.failed],
      ['Pending', stats.deliveries.pending + stats.deliveries.held], ['Attempts', stats.attempts.total],
      ['Attempts failed', stats.attempts.failed]];
    for (const [name, value] of figures) {
      list.append(element('dt', name), element('dd', value));
    }
  });
}

function showFailed() {
  const query = '/deliveries?status=failed&limit=20&endpointId=' + encodeURIComponent(current.id);
  return api('GET', query).then((page) => {
    const body = $('#failed-deliveries tbody');
    body.replaceChildren();
    for (const delivery of page.data) {
      const retry = element('button', 'Retry');
      retry.type = 'button';
      retry.dataset.writes = '';
      retry.hidden = !!session.readOnly;
      retry.addEventListener('click', () => {
        retry.disabled = true;
        api('POST', '/deliveries/' + encodeURIComponent(delivery.id) + '/retry', {})
          .then(() => say('Delivery ' + delivery.id + ' is being sent again.'))
          .then(() => showFailed())
          .catch((error) => { retry.disabled = false; fail(error); });
      });
      const answer = delivery.lastResponseStatus ? 'HTTP ' + delivery.lastResponseStatus : (delivery.lastError || '');
      const tr = row([delivery.eventId, delivery.attempts, answer, when(delivery.createdAt), retry]);
      tr.dataset.deliveryId = delivery.id;
      body.append(tr);
    }
    $('#no-failed').hidden = page.data.length > 0;
    $('#failed-deliveries').hidden = page.data.length === 0;
  });
}

function showAttempts() {
  let query = endpointPath('/attempts?limit=' + ATTEMPTS_PAGE);
  if (attemptsCursor) {
    query += '&cursor=' + encodeURIComponent(attemptsCursor);
  }
  return api('GET', query).then((page) => {
    const body = $('#attempts tbody');
    for (const attempt of page.data) {
      const result = attempt.responseStatus ? 'HTTP ' + attempt.responseStatus : (attempt.error || 'no answer');
      const view = element('button', 'View');
      view.type = 'button';
      view.addEventListener('click', () => showAttempt(attempt));
      const tr = row([when(attempt.createdAt), attempt.eventId,
        element('span', result, attempt.succeeded ? 'status-active' : 'failed'),
        attempt.durationMs + ' ms', attempt.trigger, view]);
      tr.dataset.attemptId = attempt.id;
      body.append(tr);
    }
    attemptsCursor = page.nextCursor;
    $('#more-attempts').hidden = !page.nextCursor;
    $('#no-attempts').hidden = body.children.length > 0;
    $('#attempts').hidden = body.children.length === 0;
  });
}

function headerLines(headers) {
  return Object.entries(headers || {}).map(([name, value]) => name + ': ' + value).join('\n');
}

function showAttempt(attempt) {
  $('#attempt-id').textContent = attempt.id;
  $('#attempt-request').textContent = 'POST ' + attempt.url + '\n' + headerLines(attempt.requestHeaders) + '\n\n'
    + (attempt.requestBody || '');
  $('#attempt-response').textContent = attempt.responseStatus
    ? 'HTTP ' + attempt.responseStatus + '\n' + headerLines(attempt.responseHeaders) + '\n\n' + (attempt.responseBody || '')
    : (attempt.error || 'no answer');
  $('#attempt-detail').hidden = false;
  $('#attempt-detail').scrollIntoView();
}

function action(button, work) {
  button.addEventListener('click', () => {
    button.disabled = true;
    Promise.resolve().then(work).catch(fail).finally(() => { button.disabled = false; });
  });
}

// --- wiring ----------------------------------------------------------------------------------------------------

function route() {
  if (!session) {
    show('#sign-in');
    return;
  }
  const match = location.hash.match(/^#\/endpoints\/([^/]+)$/);
  const shown = match ? showEndpoint(decodeURIComponent(match[1])) : showEndpoints();
  shown.catch(fail);
}

function wire() {
  $('#sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    session = {account: form.elements.account.value.trim(), key: form.elements.key.value.trim()};
    sessionStorage.setItem(STORE, JSON.stringify(session));
    form.reset();
    say('');
    begin();
  });
  $('#add-endpoint').addEventListener('click', () => openEndpointForm(null).catch(fail));
  $('#edit-endpoint').addEventListener('click', () => {
    show('#endpoints-view');
    openEndpointForm(current).catch(fail);
  });
  $('#endpoint-form-cancel').addEventListener('click', () => { $('#endpoint-form').hidden = true; route(); });
  $('#endpoint-form').addEventListener('submit', saveEndpoint);
  action($('#send-test'), () => api('POST', endpointPath('/test'), {})
    .then(() => say('A webhook.test event is on its way to ' + current.url + '.'))
    .then(() => new Promise((resolve) => setTimeout(resolve, 1500)))
    .then(() => showEndpoint(current.id)));
  action($('#enable-endpoint'), () => api('POST', endpointPath('/enable'), {})
    .then(() => say('Endpoint enabled: held deliveries are being sent.'))
    .then(() => showEndpoint(current.id)));
  action($('#pause-endpoint'), () => api('PATCH', endpointPath(), {active: false})
    .then(() => say('Endpoint paused: its deliveries are held until it is enabled.'))
    .then(() => showEndpoint(current.id)));
  action($('#delete-endpoint'), () => {
    if (!confirm('Delete the endpoint ' + current.url + '? Its pending deliveries are discarded.')) {
      return null;
    }
    return api('DELETE', endpointPath()).then(() => {
      say('Endpoint deleted.');
      location.hash = '#/';
    });
  });
  action($('#reveal-secret'), () => api('GET', endpointPath('/secret')).then((secret) => {
    $('#secret').textContent = secret.secret;
    const grace = $('#secret-grace');
    grace.hidden = !secret.previousSecretExpiresAt;
    grace.textContent = secret.previousSecretExpiresAt
      ? 'The previous secret also signs until ' + when(secret.previousSecretExpiresAt) + '.' : '';
  }));
  $('#rotate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const grace = Number(event.target.elements.gracePeriodSeconds.value);
    if (!confirm('Rotate the signing secret? Receivers must use the new one.')) {
      return;
    }
    api('POST', endpointPath('/rotate-secret'), {gracePeriodSeconds: grace})
      .then(() => say('Secret rotated.'))
      .then(() => $('#reveal-secret').click())
      .catch(fail);
  });
  $('#more-attempts').addEventListener('click', () => showAttempts().catch(fail));
  window.addEventListener('hashchange', () => { say(''); route(); });
}

function begin() {
  // a read-only session learns so from the first change refused; ask the API what it may do instead
  session.readOnly = false;
  api('GET', '/api/v1/session').catch(() => null).then((about) => {
    if (!session) {
      return;
    }
    if (about) {
      session.readOnly = about.readOnly;
      $('#who').textContent = 'Account ' + session.account + (about.expiresAt
        ? ' · session until ' + when(about.expiresAt) : '') + (about.readOnly ? ' · read only' : '');
      $('#who').hidden = false;
    }
    for (const node of document.querySelectorAll('[data-writes]')) {
      node.hidden = session.readOnly;
    }
    if (!location.hash.startsWith('#/')) {
      history.replaceState(null, '', location.pathname + '#/');
    }
    route();
  });
}

startSession();
wire();
if (session) {
  begin();
} else {
  show('#sign-in');
}
