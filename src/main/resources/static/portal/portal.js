// The account portal: one page over the management API, with the session key from its link
// (POST /api/v1/accounts/{acct}/portal-access). Every value from the API goes into the page as text, never as markup.
'use strict';

const STORE = 'hookpost.portal';
const ATTEMPTS_PAGE = 20;
const EVENTS_PAGE = 25;
const STATUS_ORDER = ['delivered', 'failed', 'pending', 'held', 'discarded'];
let session = null;         // {account, key, readOnly}
let eventTypes = null;      // the catalog, read once
let current = null;         // the endpoint shown, as the API gave it
const endpointAttempts = {load: 0, cursor: null};  // the endpoint's attempts, read a page at a time (nextPage)
let shownEvent = null;      // the id of the event shown on its page
let shownDelivery = null;   // the delivery whose attempts the event's page lists: {id, target}
const deliveryAttempts = {load: 0, cursor: null};
let eventsType = '';        // the events list's type filter
let eventsCursor = null;
let nextMessage = null;     // what to say once the page has moved to another view
let view = 0;               // counts the views shown: an answer for an earlier one is dropped

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

/**
 * A JSON.parse reviver that keeps every number as its source text, so that JSON.stringify writes it back as it came:
 * an event's payload shows as delivered (12345678901234567890 not rounded, 1E+400 not null). Browsers without JSON's
 * source text access (before Chrome 114, Firefox 135) show numbers as JavaScript reads them.
 */
function exactNumbers(key, value, context) {
  return typeof value === 'number' && context && context.source !== undefined && JSON.rawJSON
    ? JSON.rawJSON(context.source) : value;
}

/**
 * An answer read as usual, but for the parts {@code keep} copies from the second reading, whose numbers are kept as
 * they came (exactNumbers): elsewhere the page counts and compares numbers, which those are not.
 */
function readExactly(keep) {
  return (text) => {
    const answer = JSON.parse(text);
    keep(answer, JSON.parse(text, exactNumbers));
    return answer;
  };
}

/** An event's answer with its payload as delivered. */
const readEvent = readExactly((event, exact) => { event.payload = exact.payload; });
/** The catalog with its types' schemas and examples as written: the rules their data follows, and what a test sends. */
const readCatalog = readExactly((types, exact) => types.forEach((type, i) => {
  type.schema = exact[i].schema;
  type.example = exact[i].example;
}));

function api(method, path, body, read = JSON.parse) {
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
      let json = null;
      try {
        json = text ? read(text) : null;
      } catch (notJson) {
        // a proxy's error page, say: the status tells enough
      }
      if (response.status === 401) {
        const ended = 'Your session has ended. Open the portal again from the link you were given.';
        signOut(ended);
        throw Object.assign(new Error(ended), {status: 401});
      }
      if (!response.ok || (text && json === null)) {
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

function signOut(text, isError = true) {
  sessionStorage.removeItem(STORE);
  session = null;
  current = null;
  shownEvent = null;
  view++;
  $('#who').hidden = true;
  $('#nav').hidden = true;
  $('#sign-out').hidden = true;
  show('#sign-in');
  say(text, isError);
}

/** Moves to another view (a hash route), saying something there. */
function navigate(hash, message) {
  if (location.hash === hash) {
    say(message || '');
    route();
  } else {
    nextMessage = message || null;
    location.hash = hash;
  }
}

function show(selector) {
  for (const section of ['#sign-in', '#endpoints-view', '#form-view', '#endpoint-view', '#events-view',
    '#event-view', '#event-types-view']) {
    $(section).hidden = section !== selector;
  }
  const onCatalog = location.hash.startsWith('#/event-types');
  const onEvents = location.hash.startsWith('#/events');
  $('#nav-event-types').classList.toggle('here', onCatalog);
  $('#nav-events').classList.toggle('here', onEvents);
  $('#nav-endpoints').classList.toggle('here', !onEvents && !onCatalog);
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

/** A link to an event's page, for the tables that name events. */
function eventLink(id) {
  const link = element('a', id);
  link.href = '#/events/' + encodeURIComponent(id);
  return link;
}

/** What a delivery's last attempt got: the HTTP status, or the error. */
function lastAnswer(delivery) {
  return delivery.lastResponseStatus ? 'HTTP ' + delivery.lastResponseStatus : (delivery.lastError || '');
}

function events(endpoint) {
  const all = endpoint.eventTypes.concat(endpoint.categories.map((c) => 'category: ' + c));
  return all.length === 0 || (all.length === 1 && all[0] === '*') ? 'All events' : all.join(', ');
}

function status(endpoint) {
  const shown = endpoint.active
    ? element('span', 'Active', 'status-active')
    : element('span', endpoint.disabledReason ? 'Disabled: ' + endpoint.disabledReason : 'Paused', 'status-disabled');
  if (!endpoint.failingSince) {
    return shown;
  }
  const failures = endpoint.consecutiveFailures;
  const both = element('span');
  both.append(shown, ' ', element('span', 'failing since ' + when(endpoint.failingSince) + ' (' + failures
    + (failures === 1 ? ' failed attempt' : ' failed attempts in a row') + ')', 'failed status-failing'));
  return both;
}

// --- the list of endpoints -------------------------------------------------------------------------------------

function showEndpoints() {
  const mine = ++view;
  current = null;
  shownEvent = null;
  show('#endpoints-view');
  return api('GET', '/endpoints').then((page) => {
    if (mine !== view) {
      return;
    }
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
  return api('GET', '/api/v1/event-types', undefined, readCatalog).then((catalog) => {
    eventTypes = catalog;
    return eventTypes;
  });
}

/** A checkbox with its label, for the endpoint form. */
function choice(name, value, text, checked, title) {
  const label = element('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = name;
  box.value = value;
  box.checked = checked;
  label.append(box, ' ' + text);
  if (title) {
    label.title = title;
  }
  return label;
}

/** The form for another endpoint (#/new) or to change one (#/endpoints/{id}/edit), read afresh. */
function editEndpoint(id) {
  const mine = ++view;
  current = null;
  show(null);
  return api('GET', '/endpoints/' + encodeURIComponent(id)).then((endpoint) => {
    if (mine === view) {
      return openEndpointForm(endpoint, mine);
    }
    return null;
  });
}

function openEndpointForm(endpoint, mine) {
  if (mine === undefined) {
    mine = ++view;
    current = null;
    show(null);
  }
  const form = $('#endpoint-form');
  form.reset();
  form.querySelector('button[type=submit]').disabled = false;
  form.dataset.endpointId = endpoint ? endpoint.id : '';
  $('#endpoint-form-title').textContent = endpoint ? 'Edit endpoint' : 'Add endpoint';
  return loadEventTypes().then((catalog) => {
    if (mine !== view) {
      return;
    }
    const chosen = new Set(endpoint ? endpoint.eventTypes.filter((t) => t !== '*') : []);
    const chosenCategories = new Set(endpoint ? endpoint.categories : []);
    // with the endpoint's own categories the catalog no longer lists (their types archived): saving keeps them
    const categories = Array.from(new Set(catalog.map((type) => type.category).filter((c) => c)
      .concat(Array.from(chosenCategories)))).sort();
    $('#category-choices').replaceChildren(...categories.map((category) =>
      choice('category', category, 'All of ' + category, chosenCategories.has(category), null)));
    $('#event-type-choices').replaceChildren(...catalog.map((type) =>
      choice('eventType', type.name, type.name, chosen.delete(type.name), type.description)));
    const settings = $('#delivery-settings');
    settings.open = false;
    const oauth = endpoint && endpoint.oauth;
    // what the endpoint has, to tell on saving whether the admin changed it
    form.dataset.oauth = oauth ? JSON.stringify(oauth) : '';
    form.elements.oauthTokenUrl.value = oauth ? oauth.tokenUrl : '';
    form.elements.oauthClientId.value = oauth ? oauth.clientId : '';
    form.elements.oauthClientSecret.value = '';
    form.elements.oauthScope.value = oauth && oauth.scope ? oauth.scope : '';
    form.elements.oauthAudience.value = oauth && oauth.audience ? oauth.audience : '';
    form.elements.oauthClientAuthentication.value = oauth ? oauth.clientAuthentication : 'basic';
    $('#oauth-settings').open = !!oauth;
    if (endpoint) {
      form.elements.url.value = endpoint.url;
      form.elements.description.value = endpoint.description || '';
      form.elements.otherTypes.value = Array.from(chosen).join(', ');
      form.elements.channels.value = endpoint.channels.join(', ');
      form.elements.headers.value = Object.entries(endpoint.headers || {})
        .map(([name, value]) => name + ': ' + value).join('\n');
      form.elements.filter.value = endpoint.filter || '';
      form.elements.retrySchedule.value = (endpoint.retrySchedule || []).join(', ');
      form.elements.disableAfterFailures.value = endpoint.disableAfterFailures || '';
      form.elements.rateLimit.value = endpoint.rateLimit || '';
      // settings of the endpoint's own are in sight
      settings.open = !!(endpoint.filter || endpoint.retrySchedule || endpoint.disableAfterFailures
        || endpoint.rateLimit);
    }
    show('#form-view');
    form.elements.url.focus();
  });
}

/** A number field's value: blank is null, digits a number, anything else as written (for the API to refuse). */
function wholeNumber(text) {
  const value = text.trim();
  return value === '' ? null : /^-?[0-9]{1,9}$/.test(value) ? Number(value) : value;
}

/**
 * The OAuth client the form asks for: an object, null to take it away (token URL blanked on an edit), undefined to
 * leave it as it is (unchanged, secret not typed), or false when the client changed without its secret typed again.
 */
function oauthOf(form) {
  const field = (name) => form.elements[name].value.trim();
  const had = form.dataset.endpointId && form.dataset.oauth ? JSON.parse(form.dataset.oauth) : null;
  if (!field('oauthTokenUrl')) {
    return had ? null : undefined;
  }
  const oauth = {tokenUrl: field('oauthTokenUrl'), clientId: field('oauthClientId'),
    clientSecret: form.elements.oauthClientSecret.value, scope: field('oauthScope') || null,
    audience: field('oauthAudience') || null, clientAuthentication: form.elements.oauthClientAuthentication.value};
  if (oauth.clientSecret) {
    return oauth;
  }
  const same = had && ['tokenUrl', 'clientId', 'scope', 'audience', 'clientAuthentication']
    .every((name) => (had[name] || null) === oauth[name]);
  if (same) {
    return undefined;
  }
  if (!had) {
    delete oauth.clientSecret; // the API says it is required
    return oauth;
  }
  say('Type the client secret again to change the OAuth client.', true);
  return false;
}

function saveEndpoint(event) {
  event.preventDefault();
  const form = event.target;
  const types = Array.from(form.querySelectorAll('input[name=eventType]:checked')).map((box) => box.value)
    .concat(form.elements.otherTypes.value.split(',').map((t) => t.trim()).filter((t) => t));
  const categories = Array.from(form.querySelectorAll('input[name=category]:checked')).map((box) => box.value);
  const headers = {};
  for (const line of form.elements.headers.value.split('\n').map((l) => l.trim()).filter((l) => l)) {
    const colon = line.indexOf(':');
    if (colon < 1) {
      say('Write each custom header as "Name: value" ("' + line + '" is not).', true);
      return;
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const channels = form.elements.channels.value.split(',').map((c) => c.trim()).filter((c) => c);
  const id = form.dataset.endpointId;
  const body = {url: form.elements.url.value.trim(), description: form.elements.description.value.trim() || null,
    eventTypes: types, categories};
  if (channels.length > 0 || id) {
    // on an edit, none left means none: events whatever their channels
    body.channels = channels;
  }
  if (Object.keys(headers).length > 0 || id) {
    // on an edit, none left means none: null puts the endpoint back to no custom headers
    body.headers = Object.keys(headers).length > 0 ? headers : null;
  }
  // a blank delivery setting is the default (null on an edit puts it back); the API judges what is written
  const schedule = form.elements.retrySchedule.value.split(',').map((d) => d.trim()).filter((d) => d);
  const settings = {filter: form.elements.filter.value.trim() || null,
    retrySchedule: schedule.length > 0 ? schedule : null,
    disableAfterFailures: wholeNumber(form.elements.disableAfterFailures.value),
    rateLimit: wholeNumber(form.elements.rateLimit.value)};
  for (const [name, value] of Object.entries(settings)) {
    if (value !== null || id) {
      body[name] = value;
    }
  }
  const oauth = oauthOf(form);
  if (oauth === false) {
    return;
  }
  if (oauth !== undefined) {
    body.oauth = oauth;
  }
  const mine = view;
  // one save at a time from this form (a second click or Enter would add the endpoint twice); a form opened afresh
  // (another view) is free at once
  const save = form.querySelector('button[type=submit]');
  if (save.disabled) {
    return;
  }
  save.disabled = true;
  const saving = id ? api('PATCH', '/endpoints/' + encodeURIComponent(id), body) : api('POST', '/endpoints', body);
  // the admin may have left the form meanwhile: its outcome then shows nowhere else
  saving.then((endpoint) => {
    if (mine === view) {
      navigate('#/endpoints/' + encodeURIComponent(endpoint.id),
        id ? 'Endpoint saved.' : 'Endpoint added. Its signing secret is on its page.');
    }
  }).catch((error) => { if (mine === view) { fail(error); } })
    .finally(() => { if (mine === view) { save.disabled = false; } });
}

// --- one endpoint ----------------------------------------------------------------------------------------------

function endpointPath(endpoint, suffix) {
  return '/endpoints/' + encodeURIComponent(endpoint.id) + (suffix || '');
}

/**
 * Whether this endpoint, as read for the page now shown, is still on it: the admin may have moved on, or the page may
 * have read it again, while a call was under way.
 */
function stillShown(endpoint) {
  return current === endpoint && !$('#endpoint-view').hidden;
}

/** Whether the admin is still on this endpoint's page (read again or not), for what an action says when it is done. */
function stillOn(endpoint) {
  return current !== null && current.id === endpoint.id && !$('#endpoint-view').hidden;
}

function showEndpoint(id) {
  // nothing of another endpoint shown before stays on the page (nor in reach of its buttons) while this one loads;
  // the same one, shown again after a change, stays in view
  const mine = ++view;
  if (!current || current.id !== id || $('#endpoint-view').hidden) {
    current = null;
    show(null);
    $('#recover-form').reset();
    $('#replay-missing-form').reset();
    $('#rotate-form').reset();
    resetTestForm();
    $('#failed-attempts-only').checked = false;
  }
  $('#attempt-detail').hidden = true;
  $('#secret').textContent = '••••••••••••••••';
  $('#secret-grace').hidden = true;
  return api('GET', '/endpoints/' + encodeURIComponent(id)).then((endpoint) => {
    if (mine !== view) {
      return null;
    }
    current = endpoint;
    show('#endpoint-view');
    $('#endpoint-url').textContent = endpoint.url;
    const details = $('#endpoint-details');
    details.replaceChildren();
    const facts = [['Status', status(endpoint)], ['Description', endpoint.description || '—'],
      ['Events', events(endpoint)],
      ['Channels', endpoint.channels.length > 0 ? endpoint.channels.join(', ') : 'all (events whatever their channels)'],
      ['Signature', endpoint.keyType === 'ed25519' ? endpoint.signatureScheme + ', Ed25519 (v1a)'
        : endpoint.signatureScheme],
      ['Payload filter', endpoint.filter || 'none'],
      ['Retry schedule', endpoint.retrySchedule ? endpoint.retrySchedule.join(', ') : 'the default'],
      ['Disabled after', endpoint.disableAfterFailures
        ? endpoint.disableAfterFailures + ' failed attempts in a row' : 'the default number of failed attempts'],
      ['Rate limit', endpoint.rateLimit ? endpoint.rateLimit + ' a second' : 'none'],
      ['OAuth 2.0', endpoint.oauth ? 'a token from ' + endpoint.oauth.tokenUrl + ' for client '
        + endpoint.oauth.clientId : 'none'],
      ['Endpoint id', endpoint.id], ['Created', when(endpoint.createdAt)]];
    for (const [name, value] of facts) {
      const dd = element('dd');
      dd.append(value instanceof Node ? value : String(value));
      details.append(element('dt', name), dd);
    }
    // an Ed25519 endpoint's receivers verify with its public key; the private key never leaves Hookpost
    $('#secret-title').textContent = endpoint.keyType === 'ed25519' ? 'Public key' : 'Signing secret';
    const writes = !session.readOnly;
    $('#enable-endpoint').hidden = !writes || endpoint.active;
    $('#disable-endpoint').hidden = !writes || !endpoint.active;
    fromNewest(endpointAttempts, '#attempts');
    return Promise.all([showStats(endpoint), showFailed(endpoint), showAttempts(endpoint)]);
  }).catch(goneTo(mine, '#/'));
}

// --- test events ------------------------------------------------------------------------------------------------

/**
 * The test form afresh: webhook.test chosen, then the catalog's types by category to choose from, their examples read
 * anew (an operator may have changed a type since the page read the catalog).
 */
function resetTestForm() {
  const form = $('#test-form');
  form.reset();
  const select = form.elements.type;
  select.replaceChildren(new Option('webhook.test', 'webhook.test'));
  fillTestData();
  eventTypes = null;
  return loadEventTypes().then((catalog) => {
    if (select.options.length > 1) {
      return; // an earlier call filled it
    }
    const byCategory = new Map();
    for (const type of catalog) {
      if (type.name !== 'webhook.test') {
        const category = type.category || 'Without a category';
        byCategory.set(category, (byCategory.get(category) || []).concat([type]));
      }
    }
    for (const [category, types] of byCategory) {
      const group = document.createElement('optgroup');
      group.label = category;
      group.append(...types.map((type) => new Option(type.name, type.name)));
      select.append(group);
    }
    if (!form.elements.data.value) {
      fillTestData();
    }
  }).catch(() => null); // the form still sends webhook.test
}

/** The chosen type's example from the catalog as the data to send, or a word on what blank sends. */
function fillTestData() {
  const form = $('#test-form');
  const name = form.elements.type.value;
  const type = (eventTypes || []).find((entry) => entry.name === name);
  const data = form.elements.data;
  const example = type && type.example;
  data.value = example ? JSON.stringify(example, null, 2) : '';
  if (example) {
    data.placeholder = "Blank: the catalog's example of the type";
  } else if (name === 'webhook.test') {
    data.placeholder = 'Blank: a short message naming the endpoint';
  } else {
    data.placeholder = 'The catalog has no example of this type: write the data to send';
  }
}

/** The data the admin wrote, its numbers as written; undefined when blank. Throws, saying why, when it is no object. */
function testData(text) {
  if (!text.trim()) {
    return undefined;
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (notJson) {
    throw new Error('The data is not JSON: ' + notJson.message);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error('The data must be a JSON object, such as {"host": "web-1"}.');
  }
  return JSON.parse(text, exactNumbers);
}

/**
 * What a page's loading does with an error: nothing once the admin has moved on; a 404 (deleted meanwhile, or a wrong
 * address) goes to the list with the API's words; others are shown.
 */
function goneTo(mine, list) {
  return (error) => {
    if (mine !== view) {
      return;
    }
    if (error.status === 404) {
      navigate(list, error.message);
      return;
    }
    throw error;
  };
}

function showStats(endpoint) {
  return api('GET', endpointPath(endpoint, '/stats?interval=hour')).then((stats) => {
    if (!stillShown(endpoint)) {
      return;
    }
    showActivity(stats.series);
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

/** The hourly attempts as bars, succeeded below failed, scaled to the busiest hour. */
function showActivity(series) {
  const most = Math.max(1, ...series.map((point) => point.succeeded + point.failed));
  const chart = $('#activity');
  chart.replaceChildren();
  for (const point of series) {
    const bar = element('div', null, 'hour');
    const hour = new Date(point.start).toLocaleString([], {month: 'short', day: 'numeric', hour: '2-digit',
      minute: '2-digit'});
    bar.title = hour + ': ' + point.succeeded + ' succeeded, ' + point.failed + ' failed';
    const ok = element('div', null, 'ok');
    ok.style.height = (100 * point.succeeded / most) + '%';
    const bad = element('div', null, 'bad');
    bad.style.height = (100 * point.failed / most) + '%';
    bar.append(ok, bad);
    chart.append(bar);
  }
  $('#activity-from').textContent = series.length ? when(series[0].start) : '';
  $('#activity-to').textContent = 'now';
}

function showFailed(endpoint) {
  const query = '/deliveries?status=failed&limit=20&endpointId=' + encodeURIComponent(endpoint.id);
  return api('GET', query).then((page) => {
    if (!stillShown(endpoint)) {
      return;
    }
    const body = $('#failed-deliveries tbody');
    body.replaceChildren();
    for (const delivery of page.data) {
      const retry = element('button', 'Retry');
      retry.type = 'button';
      retry.dataset.writes = '';
      retry.hidden = !!session.readOnly;
      retry.addEventListener('click', () => busy(retry, endpoint, () =>
        api('POST', '/deliveries/' + encodeURIComponent(delivery.id) + '/retry', {})
          .then(() => tell(endpoint, 'Delivery ' + delivery.id + ' is being sent again.'))
          .then(() => showFailed(endpoint))));
      const tr = row([eventLink(delivery.eventId), delivery.attempts, lastAnswer(delivery), when(delivery.createdAt),
        retry]);
      tr.dataset.deliveryId = delivery.id;
      body.append(tr);
    }
    $('#no-failed').hidden = page.data.length > 0;
    $('#failed-deliveries').hidden = page.data.length === 0;
  });
}

/** The endpoint's attempts, the next page of them (only the failed ones while "Failed only" is ticked). */
function showAttempts(endpoint) {
  const failedOnly = $('#failed-attempts-only').checked;
  $('#no-attempts').textContent = failedOnly ? 'No failed attempts.' : 'No attempts yet.';
  return nextPage(endpointAttempts, endpointPath(endpoint, '/attempts?limit=' + ATTEMPTS_PAGE
    + (failedOnly ? '&status=failed' : '')), '#attempts', () => stillShown(endpoint),
  (attempt) => attemptRow(attempt, eventLink(attempt.eventId), '#attempt'));
}

/** A list read a page at a time is read again from its newest rows: an answer for the reading before is dropped. */
function fromNewest(list, table) {
  list.load++;
  list.cursor = null;
  $(table + ' tbody').replaceChildren();
}

/**
 * Adds the next page of a list of attempts (`path`, with its limit) to its table (`table`; "Older attempts" is
 * `#more-` and the table's name, "none yet" `#no-` and its name), a row each from `rowOf`, while `still()` says the
 * page is still on it. The button is off while a page is on its way, so one cursor is never asked for twice; an
 * answer for an earlier reading of the list (fromNewest since) is dropped.
 */
function nextPage(list, path, table, still, rowOf) {
  const load = list.load;
  const name = table.slice(1);
  const more = $('#more-' + name);
  more.disabled = true;
  const query = path + (list.cursor ? '&cursor=' + encodeURIComponent(list.cursor) : '');
  return api('GET', query).then((page) => {
    if (load !== list.load || !still()) {
      return;
    }
    const body = $(table + ' tbody');
    body.append(...page.data.map(rowOf));
    list.cursor = page.nextCursor;
    more.hidden = !page.nextCursor;
    $('#no-' + name).hidden = body.children.length > 0;
    $(table).hidden = body.children.length === 0;
  }).finally(() => {
    if (load === list.load) {
      more.disabled = false;
    }
  });
}

function headerLines(headers) {
  return Object.entries(headers || {}).map(([name, value]) => name + ': ' + value).join('\n');
}

/**
 * An attempt's row in a list: when, what the list says of it (`about`), its result, duration and trigger, and a button
 * that shows its request and answer in the list's detail box (the ids starting with `detail`).
 */
function attemptRow(attempt, about, detail) {
  const result = attempt.responseStatus ? 'HTTP ' + attempt.responseStatus : (attempt.error || 'no answer');
  const open = element('button', 'View');
  open.type = 'button';
  open.addEventListener('click', () => showAttempt(attempt, detail));
  const outcome = element('span', result, attempt.succeeded ? 'status-active' : 'failed');
  const tr = row([when(attempt.createdAt), about, outcome, attempt.durationMs + ' ms', attempt.trigger, open]);
  tr.dataset.attemptId = attempt.id;
  return tr;
}

function showAttempt(attempt, detail) {
  $(detail + '-id').textContent = attempt.id;
  $(detail + '-request').textContent = 'POST ' + attempt.url + '\n' + headerLines(attempt.requestHeaders) + '\n\n'
    + (attempt.requestBody === null ? '(the event\'s payload was deleted)' : attempt.requestBody || '');
  $(detail + '-response').textContent = attempt.responseStatus
    ? 'HTTP ' + attempt.responseStatus + '\n' + headerLines(attempt.responseHeaders) + '\n\n'
      + (attempt.responseBody || '')
    : (attempt.error || 'no answer');
  $(detail + '-detail').hidden = false;
  $(detail + '-detail').scrollIntoView();
}

/** A button's work on the endpoint shown when it was clicked; the button is off while the work is under way. */
function action(button, work) {
  button.addEventListener('click', () => {
    if (current) {
      busy(button, current, work);
    }
  });
}

/**
 * Runs an action's work on this endpoint, its button off meanwhile. What it says, or the error it meets, shows only
 * while the admin is still on the endpoint's page; the same button on another endpoint's page is free at once.
 */
function busy(button, endpoint, work) {
  button.disabled = true;
  const free = () => { if (!stillOn(endpoint)) { button.disabled = false; } };
  window.addEventListener('hashchange', free);
  return Promise.resolve(endpoint).then(work)
    .catch((error) => { if (stillOn(endpoint)) { fail(error); } })
    .finally(() => {
      button.disabled = false;
      window.removeEventListener('hashchange', free);
    });
}

/**
 * A form acting on the shown endpoint over a window that ends now (its select's seconds): {@code work(endpoint, since)}
 * resolves to what to say; the endpoint's history is read again after it.
 */
function windowForm(form, work) {
  $(form).addEventListener('submit', (event) => {
    event.preventDefault();
    const endpoint = current;
    if (!endpoint) {
      return;
    }
    const since = new Date(Date.now() - Number(event.target.elements.seconds.value) * 1000).toISOString();
    busy(event.target.querySelector('button'), endpoint, () => work(endpoint, since)
      .then((text) => tell(endpoint, text))
      .then(() => refreshHistory(endpoint)));
  });
}

/**
 * Replays the events of a window the endpoint never got, the API's batches one after another (it does at most 10,000
 * at a time and says where to go on); resolves to how many were replayed.
 */
function replayMissing(endpoint, since, replayed) {
  return api('POST', endpointPath(endpoint, '/replay-missing'), {since}).then((answer) =>
    answer.nextSince && stillOn(endpoint) ? replayMissing(endpoint, answer.nextSince, replayed + answer.replayed)
      : replayed + answer.replayed);
}

/** Says what an action on this endpoint did, unless the admin has moved on to another page. */
function tell(endpoint, text) {
  if (stillOn(endpoint)) {
    say(text);
  }
}

/** Shows the endpoint again after a change, unless the admin has moved on. */
function refresh(endpoint) {
  return stillOn(endpoint) ? showEndpoint(endpoint.id) : null;
}

/** Reads the endpoint's figures, failed deliveries and attempts again (after a test or a replay has had a moment). */
function refreshHistory(endpoint) {
  return new Promise((resolve) => setTimeout(resolve, 1500)).then(() => {
    if (!stillOn(endpoint)) {
      return null;
    }
    endpoint = current;
    fromNewest(endpointAttempts, '#attempts');
    return Promise.all([showStats(endpoint), showFailed(endpoint), showAttempts(endpoint)]);
  });
}

// --- the account's events ---------------------------------------------------------------------------------------

/** "2 delivered · 1 failed": an event's deliveries by status, as the list counts them. */
function deliverySummary(counts) {
  const parts = STATUS_ORDER.filter((status) => counts[status] > 0).map((status) => counts[status] + ' ' + status);
  return parts.length > 0 ? parts.join(' · ') : 'no endpoint';
}

function showEvents(type) {
  const mine = ++view;
  current = null;
  shownEvent = null;
  eventsType = type || '';
  eventsCursor = null;
  show('#events-view');
  $('#events-filter').elements.type.value = eventsType;
  $('#events tbody').replaceChildren();
  $('#events').hidden = true;
  $('#no-events').hidden = true;
  $('#more-events').hidden = true;
  // the catalog's types, offered as the filter is typed (wildcards may be typed too)
  loadEventTypes().then((catalog) => {
    $('#event-type-list').replaceChildren(...catalog.map((t) => {
      const option = document.createElement('option');
      option.value = t.name;
      return option;
    }));
  }).catch(() => null);
  return moreEvents(mine);
}

/** The next page of the events list, added below what is shown (the first page when none is). */
function moreEvents(mine) {
  let query = '/events?limit=' + EVENTS_PAGE;
  if (eventsType) {
    query += '&type=' + encodeURIComponent(eventsType);
  }
  if (eventsCursor) {
    query += '&cursor=' + encodeURIComponent(eventsCursor);
  }
  const more = $('#more-events');
  more.disabled = true;
  return api('GET', query).then((page) => {
    if (mine !== view) {
      return;
    }
    const body = $('#events tbody');
    for (const event of page.data) {
      const summary = element('span', deliverySummary(event.deliveryCounts),
        event.deliveryCounts.failed > 0 ? 'failed'
          : event.deliveryCounts.pending + event.deliveryCounts.held > 0 ? 'pending' : null);
      const tr = row([when(event.createdAt), event.type, eventLink(event.id), summary]);
      tr.dataset.eventId = event.id;
      body.append(tr);
    }
    eventsCursor = page.nextCursor;
    more.hidden = !page.nextCursor;
    $('#no-events').hidden = body.children.length > 0;
    $('#events').hidden = body.children.length === 0;
  }).finally(() => { more.disabled = false; });
}

/** The catalog of event types by category (those without one last), each with its schema and its events. */
function showEventTypes() {
  const mine = ++view;
  current = null;
  shownEvent = null;
  show('#event-types-view');
  eventTypes = null; // read afresh: the catalog may have grown since the page opened
  return loadEventTypes().then((catalog) => {
    if (mine !== view) {
      return;
    }
    // the types without a category last, under a heading of their own in italics (a category may be named "Other")
    const byCategory = new Map();
    for (const type of catalog) {
      const category = type.category || null;
      byCategory.set(category, (byCategory.get(category) || []).concat([type]));
    }
    const names = Array.from(byCategory.keys()).sort((a, b) =>
      (a === null) - (b === null) || (a || '').localeCompare(b || ''));
    const list = $('#event-types');
    list.replaceChildren();
    for (const category of names) {
      list.append(element('h3', category === null ? 'Without a category' : category,
        category === null ? 'uncategorised' : null));
      for (const type of byCategory.get(category)) {
        const card = element('div', null, 'event-type');
        card.dataset.eventType = type.name;
        card.append(element('h4', type.name));
        if (type.description) {
          card.append(element('p', type.description));
        }
        if (type.schema !== null) { // false (no data passes) and true (any data) are schemas too
          const schema = element('details', null, 'schema');
          schema.append(element('summary', 'Schema of its data'),
            element('pre', JSON.stringify(type.schema, null, 2)));
          card.append(schema);
        }
        if (type.example) {
          const example = element('details', null, 'example');
          example.append(element('summary', 'Example of its data'),
            element('pre', JSON.stringify(type.example, null, 2)));
          card.append(example);
        }
        const itsEvents = element('a', 'Its events');
        itsEvents.href = '#/events?type=' + encodeURIComponent(type.name);
        card.append(itsEvents);
        list.append(card);
      }
    }
    $('#no-event-types').hidden = catalog.length > 0;
  });
}

/** Whether the admin is still on this event's page. */
function stillOnEvent(id) {
  return shownEvent === id && !$('#event-view').hidden;
}

function showEvent(id) {
  const mine = ++view;
  current = null;
  if (shownEvent !== id || $('#event-view').hidden) {
    // nothing of another event stays on the page while this one loads
    shownEvent = null;
    shownDelivery = null;
    show(null);
  }
  return Promise.all([api('GET', '/events/' + encodeURIComponent(id), undefined, readEvent),
    api('GET', '/endpoints')])
    .then(([event, endpoints]) => {
      if (mine !== view) {
        return;
      }
      shownEvent = id;
      show('#event-view');
      $('#event-type').textContent = event.type;
      const details = $('#event-details');
      details.replaceChildren();
      const facts = [['Event id', event.id], ['Timestamp', when(event.timestamp)], ['Accepted', when(event.createdAt)],
        ['Source', event.source]];
      if (event.channels.length > 0) {
        facts.push(['Channels', event.channels.join(', ')]);
      }
      if (event.payloadDeletedAt) {
        facts.push(['Payload deleted', when(event.payloadDeletedAt)]);
      }
      for (const [name, value] of facts) {
        details.append(element('dt', name), element('dd', value));
      }
      $('#event-payload').textContent = event.payloadDeletedAt
        ? 'Deleted ' + when(event.payloadDeletedAt) + ': its deliveries are not sent again.'
        : JSON.stringify(event.payload, null, 2);
      const known = new Map((endpoints.data || endpoints).map((endpoint) => [endpoint.id, endpoint]));
      const body = $('#event-deliveries tbody');
      body.replaceChildren();
      for (const delivery of event.deliveries) {
        const endpoint = known.get(delivery.endpointId);
        let target = element('span', 'deleted endpoint ' + delivery.endpointId);
        if (endpoint) {
          const link = element('a', endpoint.url);
          link.href = '#/endpoints/' + encodeURIComponent(endpoint.id);
          target = element('span');
          target.append(link);
          if (!endpoint.active) {
            target.append(' ', element('span', '(disabled: enable it to send again)', 'status-disabled'));
          }
        }
        const status = element('span', delivery.status, delivery.status === 'delivered' ? 'status-active'
          : delivery.status === 'failed' ? 'failed' : 'pending');
        const again = element('button', 'Send again', 'send-again');
        again.type = 'button';
        // a delivery under way (pending), held by its disabled endpoint, or discarded with it is not sent from here,
        // nor one to an endpoint deleted or disabled, nor one of an event whose payload was deleted (the API would
        // refuse it)
        again.hidden = !!session.readOnly || !['delivered', 'failed'].includes(delivery.status)
          || !endpoint || !endpoint.active || !!event.payloadDeletedAt;
        again.addEventListener('click', () => sendAgain(again, id, delivery));
        const tries = element('button', 'Attempts', 'show-attempts');
        tries.type = 'button';
        tries.addEventListener('click', () => {
          shownDelivery = {id: delivery.id,
            target: endpoint ? endpoint.url : 'deleted endpoint ' + delivery.endpointId};
          openDeliveryAttempts(id).then(() => $('#delivery-attempts-section').scrollIntoView()).catch(fail);
        });
        const buttons = element('span');
        buttons.append(tries, ' ', again);
        const tr = row([target, status, delivery.attempts, lastAnswer(delivery), when(delivery.nextAttemptAt),
          buttons]);
        tr.dataset.deliveryId = delivery.id;
        body.append(tr);
      }
      $('#no-event-deliveries').hidden = event.deliveries.length > 0;
      $('#event-deliveries').hidden = event.deliveries.length === 0;
      // the attempts of a delivery opened before (this event shown again after a send) are read again
      if (!shownDelivery || !event.deliveries.some((delivery) => delivery.id === shownDelivery.id)) {
        shownDelivery = null;
        $('#delivery-attempts-section').hidden = true;
        return null;
      }
      return openDeliveryAttempts(id);
    }).catch(goneTo(mine, '#/events'));
}

/** Lists the attempts of the delivery chosen on the event's page (shownDelivery) from the newest. */
function openDeliveryAttempts(eventId) {
  fromNewest(deliveryAttempts, '#delivery-attempts');
  $('#delivery-attempts').hidden = true;
  $('#no-delivery-attempts').hidden = true;
  $('#more-delivery-attempts').hidden = true;
  $('#delivery-attempt-detail').hidden = true;
  $('#delivery-attempts-target').textContent = shownDelivery.target;
  $('#delivery-attempts-id').textContent = shownDelivery.id;
  $('#delivery-attempts-section').hidden = false;
  return moreDeliveryAttempts(eventId);
}

/** The next page of the chosen delivery's attempts, each with its number (1 is the first try). */
function moreDeliveryAttempts(eventId) {
  const delivery = shownDelivery;
  return nextPage(deliveryAttempts, '/deliveries/' + encodeURIComponent(delivery.id) + '/attempts?limit='
    + ATTEMPTS_PAGE, '#delivery-attempts', () => stillOnEvent(eventId) && shownDelivery === delivery,
  (attempt) => attemptRow(attempt, '#' + attempt.attemptNumber, '#delivery-attempt'));
}

/** Retries one delivery of the event shown; says so, and shows the event again a moment later, if still on it. */
function sendAgain(button, eventId, delivery) {
  button.disabled = true;
  api('POST', '/deliveries/' + encodeURIComponent(delivery.id) + '/retry', {})
    .then(() => {
      if (!stillOnEvent(eventId)) {
        return null;
      }
      say('Delivery ' + delivery.id + ' is being sent again.');
      return new Promise((resolve) => setTimeout(resolve, 1500))
        .then(() => (stillOnEvent(eventId) ? showEvent(eventId) : null));
    })
    .catch((error) => { if (stillOnEvent(eventId)) { fail(error); } })
    .finally(() => { button.disabled = false; });
}

// --- wiring ----------------------------------------------------------------------------------------------------

function route() {
  if (!session) {
    show('#sign-in');
    return;
  }
  const part = (pattern) => {
    const found = location.hash.match(pattern);
    return found ? decoded(found[1]) : null;
  };
  const one = part(/^#\/endpoints\/([^/]+)$/);
  const edit = part(/^#\/endpoints\/([^/]+)\/edit$/);
  const eventsOfType = part(/^#\/events(?:\?type=([^&]*))?$/);
  const oneEvent = part(/^#\/events\/([^/?]+)$/);
  let shown;
  if (location.hash === '#/event-types') {
    shown = showEventTypes();
  } else if (eventsOfType !== null) {
    shown = showEvents(eventsOfType);
  } else if (oneEvent) {
    shown = showEvent(oneEvent);
  } else if (location.hash === '#/new' && !session.readOnly) {
    shown = openEndpointForm(null);
  } else if (edit && !session.readOnly) {
    shown = editEndpoint(edit);
  } else if (one || edit) {
    // a read-only session's address of a form shows what it may see there: the endpoint's page
    history.replaceState(null, '', location.pathname + '#/endpoints/' + encodeURIComponent(one || edit));
    shown = showEndpoint(one || edit);
  } else {
    // the list, under its own address, for #/ and for any address the page does not know (#/new, read only)
    history.replaceState(null, '', location.pathname + '#/');
    shown = showEndpoints();
  }
  shown.catch(fail);
}

/** A part of the address as text, trimmed ('' when absent); null when it is not valid percent-encoding. */
function decoded(text) {
  try {
    return decodeURIComponent(text || '').trim();
  } catch (malformed) {
    return null;
  }
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
  $('#sign-out').addEventListener('click', () => {
    const button = $('#sign-out');
    button.disabled = true;
    // a portal session's key is revoked; an API key signed in with is only forgotten here (the API answers 409)
    api('DELETE', '/api/v1/session').catch(() => null)
      .then(() => signOut('You are signed out.', false))
      .finally(() => { button.disabled = false; });
  });
  $('#add-endpoint').addEventListener('click', () => navigate('#/new'));
  $('#edit-endpoint').addEventListener('click', () => {
    if (current) {
      navigate('#/endpoints/' + encodeURIComponent(current.id) + '/edit');
    }
  });
  $('#endpoint-form-cancel').addEventListener('click', () => {
    const id = $('#endpoint-form').dataset.endpointId;
    navigate(id ? '#/endpoints/' + encodeURIComponent(id) : '#/');
  });
  $('#endpoint-form').addEventListener('submit', saveEndpoint);
  $('#test-form').elements.type.addEventListener('change', fillTestData);
  $('#test-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const endpoint = current;
    const form = event.target;
    if (!endpoint) {
      return;
    }
    const type = form.elements.type.value;
    let data;
    try {
      data = testData(form.elements.data.value);
    } catch (notAnObject) {
      fail(notAnObject);
      return;
    }
    busy($('#send-test'), endpoint, () => api('POST', endpointPath(endpoint, '/test'), {type, data})
      .then(() => tell(endpoint, 'A ' + type + ' test event is on its way to ' + endpoint.url + '.'))
      .then(() => refreshHistory(endpoint)));
  });
  action($('#enable-endpoint'), (endpoint) => api('POST', endpointPath(endpoint, '/enable'), {})
    .then(() => tell(endpoint, 'Endpoint enabled: held deliveries are being sent.'))
    .then(() => refresh(endpoint)));
  action($('#disable-endpoint'), (endpoint) => api('PATCH', endpointPath(endpoint), {active: false})
    .then(() => tell(endpoint, 'Endpoint disabled: its deliveries are held until it is enabled.'))
    .then(() => refresh(endpoint)));
  action($('#delete-endpoint'), (endpoint) => {
    if (!confirm('Delete the endpoint ' + endpoint.url + '? Its pending deliveries are discarded.')) {
      return null;
    }
    return api('DELETE', endpointPath(endpoint)).then(() => navigate('#/', 'Endpoint deleted.'));
  });
  action($('#reveal-secret'), (endpoint) => api('GET', endpointPath(endpoint, '/secret')).then((secret) => {
    if (!stillOn(endpoint)) {
      return;
    }
    $('#secret').textContent = secret.secret;
    const grace = $('#secret-grace');
    grace.hidden = !secret.previousSecretExpiresAt;
    grace.textContent = secret.previousSecretExpiresAt
      ? 'The previous secret also signs until ' + when(secret.previousSecretExpiresAt) + '.' : '';
  }));
  $('#rotate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const endpoint = current;
    const grace = Number(event.target.elements.gracePeriodSeconds.value);
    const keyType = event.target.elements.keyType.value;
    if (!endpoint || !confirm('Rotate the signing secret of ' + endpoint.url + '? Receivers must use the new one.')) {
      return;
    }
    busy(event.target.querySelector('button'), endpoint, () =>
      api('POST', endpointPath(endpoint, '/rotate-secret'),
        keyType ? {gracePeriodSeconds: grace, keyType} : {gracePeriodSeconds: grace})
        .then(() => tell(endpoint, 'Secret rotated.'))
        .then(() => refresh(endpoint))
        .then(() => { if (stillOn(endpoint)) { $('#reveal-secret').click(); } }));
  });
  windowForm('#recover-form', (endpoint, since) => api('POST', endpointPath(endpoint, '/recover'), {since})
    .then((answer) => answer.recovered === 1 ? '1 delivery is being sent again.'
      : answer.recovered + ' deliveries are being sent again.'));
  windowForm('#replay-missing-form', (endpoint, since) => replayMissing(endpoint, since, 0)
    .then((replayed) => replayed === 0 ? 'It had every event of that time it subscribes to.'
      : replayed === 1 ? '1 event it never got is being sent.' : replayed + ' events it never got are being sent.'));
  $('#more-attempts').addEventListener('click', () => { if (current) { showAttempts(current).catch(fail); } });
  $('#failed-attempts-only').addEventListener('change', () => {
    if (current) {
      fromNewest(endpointAttempts, '#attempts');
      $('#attempt-detail').hidden = true;
      showAttempts(current).catch(fail);
    }
  });
  $('#more-delivery-attempts').addEventListener('click', () => {
    if (shownDelivery && shownEvent) {
      moreDeliveryAttempts(shownEvent).catch(fail);
    }
  });
  $('#events-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    const type = event.target.elements.type.value.trim();
    navigate('#/events' + (type ? '?type=' + encodeURIComponent(type) : ''));
  });
  $('#more-events').addEventListener('click', () => {
    const mine = view;
    moreEvents(mine).catch((error) => { if (mine === view) { fail(error); } });
  });
  window.addEventListener('hashchange', () => {
    say(nextMessage || '');
    nextMessage = null;
    route();
  });
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
    $('#nav').hidden = false;
    $('#sign-out').hidden = false;
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
