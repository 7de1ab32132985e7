// latentjam's browser surface: one page that speaks the OSC command table of docs/osc.md over the
// daemon's WebSocket (ws://HOST/osc, one OSC packet per binary message), with osc-js for the
// packets. No framework and no build step: this file is served as it is.
'use strict';

(function () {
  const VOICES = ['kick', 'snare', 'hat', 'loop'];
  const SLIDERS = 8;
  const SLOTS = 16;
  const THUMB_POINTS = 48;
  const LOG_LINES = 60;

  // Commands whose /done means the voice now plays a new sound: the page asks for its outline.
  const NEW_SOUND = new Set(['/jam/random', '/jam/prompt', '/jam/vary', '/jam/slot/recall',
    '/jam/example/select', '/jam/latent/set', '/jam/model/load', '/jam/xy', '/jam/load']);
  // Commands that change the examples (and so the map, the suggestions and the list).
  const EDITS = new Set(['/jam/label', '/jam/example/delete', '/jam/example/relabel', '/jam/undo',
    '/jam/load']);
  // Replies too frequent or too dull for the status line (they still go to the message log).
  const QUIET = new Set(['/jam/trigger', '/jam/xy', '/jam/subscribe', '/jam/focus']);

  const $ = (selector) => document.querySelector(selector);
  const el = (tag, props, children) => {
    const node = document.createElement(tag);
    if (props) Object.assign(node, props);
    for (const child of children || []) node.append(child);
    return node;
  };

  const state = {
    ws: null,
    retryMs: 500,
    reconnectTimer: null,
    focus: 'kick',
    examples: Object.fromEntries(VOICES.map((v) => [v, []])),
    examplesPaging: null, // {voice, first, rows} while a long list is read in parts
    map: { voice: null, points: [] },
    thumbs: new Map(), // example id -> peaks
    thumbsAsked: new Set(),
    selectedExample: null,
    waveform: { voice: null, id: null, peaks: [] },
    waveformInFlight: false,
    waveformAgain: false,
    mapInFlight: false,
    mapAgain: false,
    sliders: new Array(SLIDERS).fill(0.5),
    xy: [0.5, 0.5],
    dragging: null, // the control under a finger: 'xy' or a slider number
    slots: new Map(),
    trainings: {}, // voice -> {steps, step, losses: [[step, loss]], text, running}
    trainShown: null, // the voice whose training the panel shows: the last one heard from
  };

  // ---------------------------------------------------------------------------------------------
  // Sending

  // osc-js writes each character of a string as one byte: give it the UTF-8 bytes as characters so
  // that "très boomy" arrives as UTF-8.
  const encoder = new TextEncoder();
  function utf8(text) {
    let out = '';
    for (const byte of encoder.encode(String(text))) out += String.fromCharCode(byte);
    return out;
  }

  // send('/jam/vary', 'sfs', 'boomy', 0.6, 'kick'): the types are spelled out, so a number is
  // always the type docs/osc.md names (osc-js alone would type 1.0 as an integer).
  function send(address, types, ...values) {
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      showStatus('fail', `not connected to the daemon: ${address} was not sent`);
      return false;
    }
    const message = new OSC.TypedMessage(address);
    for (let i = 0; i < types.length; i++) {
      const type = types[i];
      let value = values[i];
      if (type === 's') value = utf8(value);
      else if (type === 'i') value = Math.round(Number(value));
      else if (type === 'f') value = Number(value);
      message.add(type, value);
    }
    ws.send(message.pack());
    logLine('→', address, values);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Connection

  function wsUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/osc`;
  }

  function setConn(stateName, text) {
    const conn = $('#conn');
    conn.dataset.state = stateName;
    conn.textContent = text;
    conn.title = `daemon: ${text}`;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (state.ws && state.ws.readyState <= WebSocket.OPEN) return;
    setConn('connecting', 'connecting');
    let ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    state.ws = ws;
    ws.onopen = () => {
      state.retryMs = 500;
      setConn('open', 'connected');
      showStatus('info', 'Connected.');
      state.waveformInFlight = state.mapInFlight = false;
      forgetThumbs(); // a restarted daemon may hold another session
      subscribe();
    };
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') return;
      receive(new DataView(event.data));
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      state.ws = null;
      setConn('closed', 'offline');
      showStatus('fail', 'The connection to the daemon dropped; reconnecting…');
      scheduleReconnect();
    };
    ws.onerror = () => {}; // onclose follows and reconnects
  }

  function subscribe() {
    state.subscribing = send('/jam/subscribe', '');
  }

  function scheduleReconnect() {
    if (state.reconnectTimer) return;
    const delay = state.retryMs;
    state.retryMs = Math.min(5000, Math.round(state.retryMs * 1.6));
    state.reconnectTimer = setTimeout(connect, delay);
  }

  // A phone that wakes up tries at once instead of waiting out the back-off.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !state.ws) connect();
  });
  window.addEventListener('online', () => { if (!state.ws) connect(); });

  // ---------------------------------------------------------------------------------------------
  // Receiving

  function receive(view) {
    try {
      if (view.byteLength >= 8 && view.getUint8(0) === 0x23 /* # */) {
        const bundle = new OSC.Bundle();
        bundle.unpack(view);
        walk(bundle.bundleElements);
      } else {
        const message = new OSC.Message();
        message.unpack(view);
        handle(message.address, message.args);
      }
    } catch (error) {
      logLine('!', 'unreadable packet', [String(error)]);
    }
  }

  function walk(elements) {
    for (const item of elements) {
      if (item.bundleElements) walk(item.bundleElements);
      else handle(item.address, item.args);
    }
  }

  const handlers = {
    '/done': (args) => onDone(String(args[0]), args.slice(1)),
    '/fail': (args) => onFail(String(args[0]), String(args[1] ?? '')),
    '/jam/warning': (args) => {
      const text = String(args[0] ?? '');
      showStatus('warn', `warning: ${text}`);
      // Dropped to make room for a seventeenth subscriber: subscribe again.
      if (text.startsWith('unsubscribed')) setTimeout(subscribe, 1000);
    },
    '/jam/tempo': ([bpm]) => {
      const input = $('#tempo');
      if (document.activeElement !== input) input.value = Number(bpm).toFixed(1).replace(/\.0$/, '');
    },
    '/jam/focus': ([voice]) => setFocus(String(voice), false),
    '/jam/xy': ([x, y]) => {
      if (state.dragging === 'xy') return;
      state.xy = [Number(x), Number(y)];
      drawXY();
    },
    '/jam/playing': ([on]) => { $('#play').classList.toggle('on', Number(on) > 0); },
    '/jam/label/text': ([text]) => { $('#label-current').textContent = text || '–'; },
    '/jam/prompt/text': ([text]) => { $('#prompt-current').textContent = text || '–'; },
    '/jam/beat': ([text]) => { $('#beat').textContent = String(text); },
    '/jam/gain': () => {},
    // The focused voice's count: tells a whole list from a part another client asked for (replies
    // to every client are copied to subscribers). The rows come from /jam/examples.reply.
    '/jam/examples/count': ([n]) => { state.exampleCount = { voice: state.focus, n: Number(n) }; },
    '/jam/examples.reply': onExamples,
    '/jam/words.reply': onWords,
    '/jam/waveform.reply': onWaveform,
    '/jam/example/waveform.reply': onThumb,
    '/jam/map.reply': onMap,
    '/jam/train/stage': ([voice, name]) => trainStage(String(voice), `${voice}: ${name}`, true),
    '/jam/train/progress': onTrainProgress,
    '/jam/train/done': ([voice, path]) => {
      trainStage(String(voice), `${voice}: done, the voice plays ${path}`, false);
      showStatus('ok', `training of ${voice} done: ${path}`);
      forgetThumbs();
      renderExamples();
      requestWaveform();
    },
    '/jam/train/fail': ([voice, reason]) => {
      trainStage(String(voice), `${voice}: failed: ${reason}`, false);
      showStatus('fail', `training of ${voice} failed: ${reason}`);
    },
  };

  function handle(address, args) {
    const quiet = address.startsWith('/jam/examples/row/') || address === '/jam/beat' ||
      address.startsWith('/jam/slider/') || address.endsWith('waveform.reply') ||
      address === '/jam/train/progress';
    if (!quiet) logLine('←', address, args);
    const slider = /^\/jam\/slider\/(\d)$/.exec(address);
    if (slider) return onSliderPush(Number(slider[1]), Number(args[0]));
    if (address.startsWith('/jam/examples/row/')) return;
    const handler = handlers[address];
    if (handler) handler(args);
  }

  function onDone(address, rest) {
    if (address === '/jam/subscribe') {
      // Ours (the first after asking; other clients' subscriptions are copied here too): the state
      // dump has arrived, now the voice's list, map, suggestions and sound.
      if (state.subscribing) {
        state.subscribing = false;
        requestVoice();
      }
      return;
    }
    if (NEW_SOUND.has(address) || address.startsWith('/jam/slider/')) {
      requestWaveform();
      if (!address.startsWith('/jam/slider/') && address !== '/jam/xy') requestMap();
    }
    // Another session or another model: the examples' sounds are not those drawn.
    if (address === '/jam/load' || address === '/jam/model/load') forgetThumbs();
    if (EDITS.has(address)) {
      send('/jam/examples', 's', state.focus);
      send('/jam/words', 's', state.focus);
      requestMap();
    }
    if (address === '/jam/slot/store') {
      const slot = Number(rest[0]);
      if (state.pendingSlot && state.pendingSlot[0] === slot) {
        state.slots.set(slot, state.pendingSlot[1]);
        renderSlots();
      }
    }
    if (address === '/jam/train') {
      const voice = String(rest[0] ?? state.focus);
      state.trainings[voice] = { steps: 0, step: 0, losses: [], text: '', running: true };
      trainStage(voice, `${voice}: started, into ${rest[1] ?? ''}`, true);
    }
    if (QUIET.has(address) || address.startsWith('/jam/slider/')) return;
    showStatus('ok', `/done ${address}${rest.length ? ' ' + rest.join(' ') : ''}`);
  }

  function onFail(address, reason) {
    if (address === '/jam/waveform') {
      state.waveformInFlight = false;
      if (reason.includes(`voice ${state.focus} has no sound yet`)) {
        // A voice nobody has played yet: an empty outline and a hint, not an error.
        const canvas = $('#waveform');
        state.waveform = { voice: state.focus, id: null, peaks: [] };
        drawPeaks(canvas, [], '#6fd3ff');
        canvas.dataset.soundId = '';
        canvas.dataset.points = '0';
        canvas.dataset.state = 'empty';
        $('#waveform-hint').hidden = false;
        if (state.waveformAgain) requestWaveform();
        return;
      }
    }
    if (address === '/jam/map') state.mapInFlight = false;
    if (address === '/jam/examples' && /part/.test(reason) && !state.examplesPaging) {
      // Too long for one reply: read it in parts.
      state.examplesPaging = { voice: state.focus, first: 1, rows: [] };
      send('/jam/examples', 'sii', state.focus, 1, 50);
      return;
    }
    showStatus('fail', `/fail ${address}: ${reason}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Voices

  function setFocus(voice, tell) {
    if (!VOICES.includes(voice)) return;
    const changed = voice !== state.focus;
    state.focus = voice;
    for (const tab of document.querySelectorAll('#voices [data-voice]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.voice === voice));
    }
    document.body.dataset.focus = voice;
    if (tell) send('/jam/focus', 's', voice);
    if (changed || tell) {
      renderExamples();
      requestVoice();
    }
  }

  function requestVoice() {
    const voice = state.focus;
    send('/jam/examples', 's', voice);
    send('/jam/words', 's', voice);
    requestWaveform();
    requestMap();
  }

  // One outline request at a time; a request while one is out is sent when its answer arrives.
  function requestWaveform() {
    if (state.waveformInFlight) { state.waveformAgain = true; return; }
    const canvas = $('#waveform');
    const points = Math.max(64, Math.min(1024, Math.round(canvas.clientWidth || 256)));
    if (send('/jam/waveform', 'si', state.focus, points)) {
      state.waveformInFlight = true;
      state.waveformAgain = false;
      clearTimeout(state.waveformTimer);
      state.waveformTimer = setTimeout(() => { state.waveformInFlight = false; }, 3000);
    }
  }

  function requestMap() {
    if (state.mapInFlight) { state.mapAgain = true; return; }
    if (send('/jam/map', 's', state.focus)) {
      state.mapInFlight = true;
      state.mapAgain = false;
      clearTimeout(state.mapTimer);
      state.mapTimer = setTimeout(() => { state.mapInFlight = false; }, 3000);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Waveforms

  function fitCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    return canvas.getContext('2d');
  }

  function drawPeaks(canvas, peaks, color) {
    const g = fitCanvas(canvas);
    const w = canvas.width;
    const h = canvas.height;
    g.clearRect(0, 0, w, h);
    g.fillStyle = color;
    const mid = h / 2;
    if (!peaks.length) {
      g.fillRect(0, mid, w, 1);
      return;
    }
    const step = w / peaks.length;
    for (let i = 0; i < peaks.length; i++) {
      const peak = Math.max(0, Math.min(1, Number(peaks[i]) || 0));
      const half = Math.max(0.5, peak * (mid - 1));
      g.fillRect(Math.floor(i * step), mid - half, Math.max(1, Math.ceil(step) - (step > 3 ? 1 : 0)), 2 * half);
    }
  }

  function onWaveform(args) {
    const [voice, id, ...peaks] = args;
    state.waveformInFlight = false;
    if (String(voice) === state.focus) {
      state.waveform = { voice: String(voice), id: Number(id), peaks };
      const canvas = $('#waveform');
      drawPeaks(canvas, peaks, '#6fd3ff');
      canvas.dataset.soundId = String(id);
      canvas.dataset.points = String(peaks.length);
      canvas.dataset.voice = String(voice);
      canvas.dataset.state = 'drawn';
      $('#waveform-hint').hidden = true;
    }
    if (state.waveformAgain) requestWaveform();
  }

  function onThumb(args) {
    const [id, ...peaks] = args;
    state.thumbs.set(Number(id), peaks);
    const canvas = document.querySelector(`#examples li[data-id="${Number(id)}"] canvas`);
    if (canvas) {
      drawPeaks(canvas, peaks, '#9aa4b5');
      canvas.dataset.points = String(peaks.length);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Examples

  function onExamples(args) {
    const voice = String(args[0]);
    const rows = [];
    for (let i = 1; i + 1 < args.length; i += 2) rows.push({ id: Number(args[i]), text: String(args[i + 1]) });
    const paging = state.examplesPaging;
    if (paging && paging.voice === voice) {
      paging.rows.push(...rows);
      if (rows.length === 50) {
        paging.first += 50;
        send('/jam/examples', 'sii', voice, paging.first, 50);
        return;
      }
      state.examplesPaging = null;
      state.examples[voice] = paging.rows;
    } else if (VOICES.includes(voice)) {
      const count = state.exampleCount;
      if (count && count.voice === voice && rows.length < count.n && voice === state.focus &&
          (state.partialLists = (state.partialLists || 0) + 1) <= 3) {
        // Part of the list (another client reading it in parts): ask for the whole.
        if (!state.examplesAsked) {
          state.examplesAsked = true;
          setTimeout(() => { state.examplesAsked = false; }, 1000);
          send('/jam/examples', 's', voice);
        }
        return;
      }
      state.examples[voice] = rows;
      state.partialLists = 0;
    }
    if (voice === state.focus) renderExamples();
  }

  function forgetThumbs() {
    state.thumbs.clear();
    state.thumbsAsked.clear();
  }

  function renderExamples() {
    const list = $('#examples');
    const rows = state.examples[state.focus] || [];
    const editing = list.querySelector('li.editing');
    if (editing) return; // do not pull the row from under a relabel in progress
    // Rows are kept by id (a reply that changes one row leaves the others, and a finger on them,
    // alone); newest first.
    const old = new Map([...list.children].map((li) => [Number(li.dataset.id), li]));
    const keep = new Set();
    rows.slice().reverse().forEach((row, index) => {
      let item = old.get(row.id);
      if (!item || item.dataset.text !== row.text) {
        const fresh = exampleRow(row);
        if (item) item.replaceWith(fresh);
        item = fresh;
      }
      keep.add(item);
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    for (const item of old.values()) if (!keep.has(item)) item.remove();
    $('#examples-count').textContent = String(rows.length);
    $('#examples-empty').hidden = rows.length > 0;
    for (const row of rows) {
      if (state.thumbs.has(row.id)) {
        onThumb([row.id, ...state.thumbs.get(row.id)]);
      } else if (!state.thumbsAsked.has(row.id)) {
        state.thumbsAsked.add(row.id);
        send('/jam/example/waveform', 'ii', row.id, THUMB_POINTS);
      }
    }
  }

  function exampleRow(row) {
    const item = el('li', { className: row.id === state.selectedExample ? 'selected' : '' });
    item.dataset.id = String(row.id);
    item.dataset.text = row.text;
    const thumb = el('canvas', { className: 'thumb', title: 'play this example' });
    const text = el('span', { className: 'text', textContent: row.text, title: 'use this sound' });
    const select = el('button', { type: 'button', className: 'select', textContent: '▶', title: '/jam/example/select' });
    const relabel = el('button', { type: 'button', className: 'relabel', textContent: '✎', title: '/jam/example/relabel' });
    const remove = el('button', { type: 'button', className: 'delete', textContent: '✕', title: '/jam/example/delete' });
    const choose = () => {
      state.selectedExample = row.id;
      for (const li of document.querySelectorAll('#examples li')) li.classList.toggle('selected', li === item);
      send('/jam/example/select', 'i', row.id);
      send('/jam/trigger', 'sf', state.focus, 1.0);
    };
    thumb.addEventListener('click', choose);
    text.addEventListener('click', choose);
    select.addEventListener('click', choose);
    remove.addEventListener('click', () => send('/jam/example/delete', 'i', row.id));
    relabel.addEventListener('click', () => startRelabel(item, row));
    item.append(thumb, text, select, relabel, remove);
    return item;
  }

  function startRelabel(item, row) {
    if (item.classList.contains('editing')) return;
    item.classList.add('editing');
    const input = el('input', { type: 'text', className: 'relabel-input', value: row.text, maxLength: 200 });
    const save = el('button', { type: 'submit', className: 'relabel-save', textContent: 'OK' });
    const form = el('form', { className: 'relabel-form' }, [input, save]);
    const finish = () => {
      item.classList.remove('editing');
      renderExamples();
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text && text !== row.text) send('/jam/example/relabel', 'is', row.id, text);
      finish();
    });
    input.addEventListener('keydown', (event) => { if (event.key === 'Escape') finish(); });
    item.querySelector('.text').replaceWith(form);
    input.focus();
    input.select();
  }

  // ---------------------------------------------------------------------------------------------
  // Words

  function onWords(args) {
    const voice = String(args[0]);
    if (voice !== state.focus) return;
    const chips = $('#words');
    chips.replaceChildren();
    for (const word of args.slice(1, 25)) {
      const chip = el('button', { type: 'button', className: 'chip', textContent: String(word) });
      chip.addEventListener('click', () => {
        const input = $('#label-input');
        const words = input.value.trim().split(/\s+/).filter(Boolean);
        if (!words.includes(String(word))) words.push(String(word));
        input.value = words.join(' ');
        input.focus();
      });
      chips.append(chip);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sliders and the XY pad

  function buildSliders() {
    const box = $('#sliders');
    for (let n = 1; n <= SLIDERS; n++) {
      const input = el('input', { type: 'range', min: '0', max: '1', step: '0.001', value: '0.5', id: `slider-${n}` });
      input.setAttribute('aria-label', `slider ${n}`);
      const label = el('label', { className: 'slider', htmlFor: `slider-${n}` }, [el('span', { textContent: String(n) }), input]);
      const move = throttle((value) => send(`/jam/slider/${n}`, 'f', value), 30);
      input.addEventListener('pointerdown', () => { state.dragging = n; });
      input.addEventListener('input', () => {
        state.sliders[n - 1] = Number(input.value);
        if (n <= 2) { state.xy[n - 1] = Number(input.value); drawXY(); }
        move(Number(input.value));
      });
      input.addEventListener('change', () => { if (state.dragging === n) state.dragging = null; });
      box.append(label);
    }
    window.addEventListener('pointerup', () => { if (typeof state.dragging === 'number') state.dragging = null; });
  }

  function onSliderPush(n, value) {
    if (n < 1 || n > SLIDERS) return;
    state.sliders[n - 1] = value;
    if (state.dragging !== n) $(`#slider-${n}`).value = String(value);
  }

  // The pad's plane: x to the right, y up, both 0..1 (docs/osc.md /jam/xy and /jam/map).
  function padPoint(canvas, event) {
    const box = canvas.getBoundingClientRect();
    const x = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
    const y = Math.max(0, Math.min(1, 1 - (event.clientY - box.top) / box.height));
    return [x, y];
  }

  function nearestExample(canvas, point) {
    const box = canvas.getBoundingClientRect();
    let best = null;
    let bestDistance = 18; // CSS pixels: a finger's reach
    for (const p of state.map.points) {
      const dx = (p.x - point[0]) * box.width;
      const dy = (p.y - point[1]) * box.height;
      const d = Math.hypot(dx, dy);
      if (d < bestDistance) { best = p; bestDistance = d; }
    }
    return best;
  }

  function buildXY() {
    const canvas = $('#xy');
    const move = throttle((x, y) => send('/jam/xy', 'ff', x, y), 30);
    const at = (event, snap) => {
      let point = padPoint(canvas, event);
      if (snap) {
        const near = nearestExample(canvas, point);
        if (near) point = [near.x, near.y];
      }
      state.xy = point;
      $('#slider-1').value = String(point[0]);
      $('#slider-2').value = String(point[1]);
      drawXY();
      move(point[0], point[1]);
    };
    canvas.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      state.dragging = 'xy';
      at(event, true);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (state.dragging === 'xy') at(event, false);
    });
    const release = (event) => {
      if (state.dragging !== 'xy') return;
      state.dragging = null;
      if (event.type === 'pointerup') at(event, true);
    };
    canvas.addEventListener('pointerup', release);
    canvas.addEventListener('pointercancel', release);
  }

  function onMap(args) {
    state.mapInFlight = false;
    const voice = String(args[0]);
    const points = [];
    for (let i = 1; i + 3 < args.length; i += 4) {
      points.push({ id: Number(args[i]), text: String(args[i + 1]), x: Number(args[i + 2]), y: Number(args[i + 3]) });
    }
    if (voice === state.focus) {
      state.map = { voice, points };
      $('#xy').dataset.mapCount = String(points.length);
      $('#xy').dataset.map = JSON.stringify(points.map((p) => [p.id, +p.x.toFixed(4), +p.y.toFixed(4)]));
      drawXY();
    }
    if (state.mapAgain) requestMap();
  }

  function drawXY() {
    const canvas = $('#xy');
    const g = fitCanvas(canvas);
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.width;
    const h = canvas.height;
    g.clearRect(0, 0, w, h);
    g.strokeStyle = '#2c313b';
    g.lineWidth = 1;
    for (let i = 1; i < 4; i++) {
      g.beginPath(); g.moveTo((w * i) / 4, 0); g.lineTo((w * i) / 4, h); g.stroke();
      g.beginPath(); g.moveTo(0, (h * i) / 4); g.lineTo(w, (h * i) / 4); g.stroke();
    }
    g.font = `${11 * ratio}px system-ui, sans-serif`;
    g.fillStyle = '#ffb454';
    for (const p of state.map.points) {
      g.beginPath(); g.arc(p.x * w, (1 - p.y) * h, 5 * ratio, 0, 2 * Math.PI); g.fill();
    }
    // Labels beside their dots where they overlap nothing (the cross, other labels), else left out.
    const line = 13 * ratio;
    const cross = [state.xy[0] * w, (1 - state.xy[1]) * h];
    const placed = [[cross[0] - 16 * ratio, cross[1] - 16 * ratio, cross[0] + 16 * ratio, cross[1] + 16 * ratio]];
    g.fillStyle = '#d7dae0';
    for (const p of state.map.points) {
      const px = p.x * w;
      const py = (1 - p.y) * h;
      const text = p.text.length > 18 ? p.text.slice(0, 17) + '…' : p.text;
      const width = g.measureText(text).width;
      // Beside the dot on the side with room, then the other side, a line up or down.
      const sides = px > w * 0.7 ? [px - 8 * ratio - width, px + 8 * ratio] : [px + 8 * ratio, px - 8 * ratio - width];
      const spots = [];
      for (const left of sides) for (const k of [0, 1, -1, 2]) spots.push([left, py - 6 * ratio - line + k * line]);
      for (const [left, top] of spots) {
        const box = [left, top, left + width, top + line];
        if (left < 0 || left + width > w || top < 0 || top + line > h) continue;
        if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue;
        placed.push(box);
        g.textAlign = 'left';
        g.fillText(text, left, top + line - 3 * ratio);
        break;
      }
    }
    const [x, y] = state.xy;
    const cx = x * w;
    const cy = (1 - y) * h;
    g.strokeStyle = '#6fd3ff';
    g.lineWidth = 2 * ratio;
    g.beginPath(); g.arc(cx, cy, 10 * ratio, 0, 2 * Math.PI); g.stroke();
    g.beginPath(); g.moveTo(cx - 16 * ratio, cy); g.lineTo(cx + 16 * ratio, cy);
    g.moveTo(cx, cy - 16 * ratio); g.lineTo(cx, cy + 16 * ratio); g.stroke();
    canvas.dataset.x = x.toFixed(3);
    canvas.dataset.y = y.toFixed(3);
  }

  // ---------------------------------------------------------------------------------------------
  // Training

  function training(voice) {
    if (!state.trainings[voice]) state.trainings[voice] = { steps: 0, step: 0, losses: [], text: '', running: true };
    return state.trainings[voice];
  }

  function trainStage(voice, text, running) {
    const t = training(voice);
    t.text = text;
    t.running = running;
    showTraining(voice);
  }

  function onTrainProgress(args) {
    const [voice, step, steps, loss] = args;
    const t = training(String(voice));
    if (Number(step) < t.step) { t.losses = []; } // a new run of that voice
    t.step = Number(step);
    t.steps = Number(steps);
    t.running = true;
    t.losses.push([t.step, Number(loss)]);
    if (t.losses.length > 2000) t.losses.splice(0, t.losses.length - 2000);
    const left = Number(args[7] ?? 0); // s:VOICE i:STEP i:STEPS f:LOSS f f f f:LEFT_S i:EPOCH
    t.text = `${voice}: step ${t.step}/${t.steps}, loss ${Number(loss).toFixed(4)}` +
      (left > 0 ? `, about ${Math.round(left)} s left` : '');
    showTraining(String(voice));
  }

  function showTraining(voice) {
    state.trainShown = voice;
    const t = state.trainings[voice];
    $('#train-voice').textContent = voice;
    const stage = $('#train-stage');
    stage.textContent = t.text;
    stage.dataset.voice = voice;
    stage.dataset.running = String(t.running);
    const bar = $('#train-progress');
    bar.max = Math.max(1, t.steps);
    bar.value = t.step;
    drawLoss();
  }

  function drawLoss() {
    const canvas = $('#train-loss');
    const g = fitCanvas(canvas);
    const w = canvas.width;
    const h = canvas.height;
    const ratio = window.devicePixelRatio || 1;
    g.clearRect(0, 0, w, h);
    const t = state.trainings[state.trainShown] || { losses: [], steps: 0 };
    const points = t.losses.filter(([, l]) => Number.isFinite(l));
    canvas.dataset.points = String(points.length);
    if (points.length < 2) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, l] of points) { lo = Math.min(lo, l); hi = Math.max(hi, l); }
    if (hi - lo < 1e-9) { hi = lo + 1; }
    const last = Math.max(points[points.length - 1][0], t.steps || 1);
    const first = points[0][0];
    const span = Math.max(1, last - first);
    g.strokeStyle = '#ffb454';
    g.lineWidth = 1.5 * ratio;
    g.beginPath();
    points.forEach(([s, l], i) => {
      const px = ((s - first) / span) * (w - 4 * ratio) + 2 * ratio;
      const py = h - 4 * ratio - ((l - lo) / (hi - lo)) * (h - 16 * ratio);
      if (i === 0) g.moveTo(px, py); else g.lineTo(px, py);
    });
    g.stroke();
    g.fillStyle = '#9aa4b5';
    g.font = `${10 * ratio}px system-ui, sans-serif`;
    g.fillText(`loss ${hi.toPrecision(3)} … ${lo.toPrecision(3)}`, 4 * ratio, 11 * ratio);
  }

  // ---------------------------------------------------------------------------------------------
  // Status line and message log

  function showStatus(kind, text) {
    const status = $('#status');
    status.dataset.kind = kind;
    status.textContent = text;
  }

  function logLine(direction, address, args) {
    const log = $('#log');
    const shown = (args || []).map((a) => (typeof a === 'number' && !Number.isInteger(a) ? a.toFixed(3) : String(a)));
    const line = `${direction} ${address} ${shown.join(' ')}`;
    log.prepend(el('li', { textContent: line.length > 200 ? line.slice(0, 199) + '…' : line }));
    while (log.children.length > LOG_LINES) log.lastChild.remove();
  }

  // ---------------------------------------------------------------------------------------------
  // Controls

  function throttle(fn, ms) {
    let last = 0;
    let timer = null;
    let pending = null;
    return (...args) => {
      pending = args;
      const now = performance.now();
      if (now - last >= ms) {
        last = now;
        fn(...pending);
        pending = null;
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          last = performance.now();
          if (pending) fn(...pending);
          pending = null;
        }, ms - (now - last));
      }
    };
  }

  function renderSlots() {
    const select = $('#slot-number');
    const chosen = select.value || '1';
    select.replaceChildren();
    for (let n = 1; n <= SLOTS; n++) {
      const text = state.slots.get(n);
      select.append(el('option', { value: String(n), textContent: text ? `${n}: ${text}` : String(n) }));
    }
    select.value = chosen;
    $('#slot-text').textContent = '';
  }

  function submitOn(formId, fn) {
    $(formId).addEventListener('submit', (event) => {
      event.preventDefault();
      fn();
    });
  }

  function wire() {
    for (const tab of document.querySelectorAll('#voices [data-voice]')) {
      tab.addEventListener('click', () => setFocus(tab.dataset.voice, true));
    }
    $('#random').addEventListener('click', () => send('/jam/random', 's', state.focus));
    for (const pad of document.querySelectorAll('#pads .pad')) {
      // pointerdown, not click: a pad sounds when the finger lands.
      pad.addEventListener('pointerdown', (event) => {
        event.preventDefault();
        pad.classList.add('hit');
        setTimeout(() => pad.classList.remove('hit'), 120);
        send('/jam/trigger', 'sf', pad.dataset.voice, 1.0);
      });
      pad.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') send('/jam/trigger', 'sf', pad.dataset.voice, 1.0);
      });
    }
    $('#play').addEventListener('click', () => send('/jam/play', ''));
    $('#stop').addEventListener('click', () => send('/jam/stop', ''));
    $('#tempo').addEventListener('change', () => {
      const bpm = Number($('#tempo').value);
      if (bpm >= 20 && bpm <= 400) send('/jam/tempo', 'f', bpm);
      else showStatus('fail', 'tempo: 20 to 400 beats per minute');
    });
    submitOn('#label-form', () => {
      const text = $('#label-input').value.trim();
      if (!text) return showStatus('fail', 'type a label first');
      if (send('/jam/label', 'ss', text, state.focus)) $('#label-input').value = '';
    });
    submitOn('#prompt-form', () => {
      const text = $('#prompt-input').value.trim();
      if (!text) return showStatus('fail', 'type a prompt first');
      send('/jam/prompt', 'ss', text, state.focus);
    });
    submitOn('#vary-form', () => {
      const text = $('#vary-input').value.trim();
      if (!text) return showStatus('fail', 'type a word to vary toward first');
      send('/jam/vary', 'sfs', text, Number($('#vary-amount').value), state.focus);
    });
    $('#vary-amount').addEventListener('input', () => {
      $('#vary-amount-out').textContent = Number($('#vary-amount').value).toFixed(2);
    });
    $('#slot-store').addEventListener('click', () => {
      const slot = Number($('#slot-number').value);
      const text = $('#prompt-input').value.trim();
      if (!text) return showStatus('fail', 'type the prompt to store in the prompt box first');
      state.pendingSlot = [slot, text];
      send('/jam/slot/store', 'is', slot, text);
    });
    $('#slot-recall').addEventListener('click', () => send('/jam/slot/recall', 'i', Number($('#slot-number').value)));
    $('#undo').addEventListener('click', () => send('/jam/undo', ''));
    const sessionName = () => {
      const name = $('#session-name').value.trim();
      if (!name) showStatus('fail', 'name the session first (letters, digits, _ - .)');
      return name;
    };
    submitOn('#session-form', () => { const name = sessionName(); if (name) send('/jam/save', 's', name); });
    $('#session-load').addEventListener('click', () => { const name = sessionName(); if (name) send('/jam/load', 's', name); });
    submitOn('#train-form', () => {
      const folder = $('#train-folder').value.trim();
      if (!folder) return showStatus('fail', 'name a folder of sounds on the daemon\'s machine first');
      const steps = Number($('#train-steps').value);
      if (steps > 0) send('/jam/train', 'sssi', state.focus, folder, 'steps', steps);
      else send('/jam/train', 'ss', state.focus, folder);
    });
    $('#train-cancel').addEventListener('click', () => {
      const running = Object.keys(state.trainings).filter((v) => state.trainings[v].running);
      const voice = running.includes(state.trainShown) ? state.trainShown : running[0] || state.focus;
      send('/jam/train/cancel', 's', voice);
    });
    let resizeTimer = null;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        drawXY();
        drawLoss();
        if (state.waveform.voice === state.focus) drawPeaks($('#waveform'), state.waveform.peaks, '#6fd3ff');
        renderExamples();
      }, 100);
    });
  }

  // A fault in this page shows where the user looks, for a bug report, instead of a silent page.
  window.addEventListener('error', (event) => {
    showStatus('fail', `page error: ${event.message} (${String(event.filename).split('/').pop()}:${event.lineno})`);
  });

  function start() {
    buildSliders();
    buildXY();
    renderSlots();
    wire();
    setFocus('kick', false);
    drawXY();
    drawPeaks($('#waveform'), [], '#6fd3ff');
    if (typeof OSC === 'undefined') {
      setConn('closed', 'no OSC library');
      showStatus('fail', 'The page\'s OSC library (/vendor/osc.min.js) did not load: run tools/setup.sh on the daemon\'s machine, which fetches it.');
      return;
    }
    connect();
  }

  start();
})();
