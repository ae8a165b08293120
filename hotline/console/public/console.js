// The hotline console: plain DOM code, every text from citizens set with
// textContent (never innerHTML), live updates over Server-Sent Events.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { me: null, csrf: '', tab: 'waiting', tickets: [], current: null, longWait: 5, events: null };

  const STATUS = { waiting: 'đang chờ', claimed: 'đang xử lý', resolved: 'đã xử lý', cancelled: 'đã hủy' };
  const REASON = {
    asked: 'muốn gặp tổng đài viên',
    complaint: 'phản ánh, kiến nghị',
    misses: 'trợ lý ảo không trả lời được',
    unhelpful: 'câu trả lời chưa hữu ích',
    emergency: 'KHẨN CẤP',
    self_harm: 'KHẨN CẤP: nguy cơ tự hại',
  };
  const URGENT = new Set(['emergency', 'self_harm']);

  async function api(path, options) {
    const init = Object.assign({ credentials: 'same-origin', headers: {} }, options || {});
    if (init.body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(init.body);
    }
    if (init.method && init.method !== 'GET') init.headers['x-csrf-token'] = state.csrf;
    const res = await fetch('/hotline/api' + path, init);
    const data = await res.json().catch(() => ({}));
    if (res.status === 401 && path !== '/login') showLogin();
    if (!res.ok) throw new Error((data.error && data.error.message) || 'Lỗi ' + res.status);
    return data;
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  // Shared with the supervisor's view (insight.js), which loads after this file.
  window.hotlineConsole = { api, el };

  function minutes(seconds) {
    const m = Math.floor(seconds / 60);
    return m < 1 ? 'dưới 1 phút' : m + ' phút';
  }

  function showLogin() {
    $('app').hidden = true;
    $('login').hidden = false;
    if (state.events) state.events.close();
  }

  async function start() {
    try {
      const me = await api('/me');
      state.me = me.agent;
      state.csrf = me.csrf;
      state.longWait = me.longWaitMinutes;
      $('login').hidden = true;
      $('app').hidden = false;
      $('whoami').textContent = me.agent.name + (me.agent.role === 'supervisor' ? ' (giám sát)' : '');
      $('hours-state').textContent = me.hoursOpen ? 'Trong giờ tiếp nhận' : 'Ngoài giờ tiếp nhận';
      $('tab-open').hidden = me.agent.role !== 'supervisor';
      const canned = $('canned');
      canned.length = 1;
      for (const c of me.cannedReplies)
        canned.append(new Option(c.length > 60 ? c.slice(0, 60) + '…' : c, c));
      const cat = $('category');
      cat.length = 0;
      for (const c of me.categories) cat.append(new Option(c, c));
      const to = $('transfer-to');
      to.length = 0;
      to.append(new Option('Chuyển cho…', ''));
      for (const a of me.agents)
        if (a.username !== me.agent.username) to.append(new Option(a.name, a.username));
      // The supervisor's view (insight.js) starts from here.
      document.dispatchEvent(
        new CustomEvent('hotline:ready', { detail: { agent: me.agent, csrf: me.csrf } }),
      );
      connect();
      await refresh();
    } catch {
      showLogin();
    }
  }

  function connect() {
    if (state.events) state.events.close();
    const es = new EventSource('/hotline/api/events');
    state.events = es;
    es.onopen = () => ($('live-state').textContent = 'trực tuyến');
    es.onerror = () => ($('live-state').textContent = 'mất kết nối, đang thử lại…');
    es.addEventListener('ticket', (ev) => {
      const e = JSON.parse(ev.data);
      refresh();
      if (e.type === 'resync' && state.current) openTicket(state.current);
      else if (state.current && e.code === state.current) {
        if (e.type === 'message' && e.message) appendMessage(e.message, e.message.agentName);
        else openTicket(e.code);
      }
    });
  }

  let refreshes = 0;
  async function refresh() {
    const turn = ++refreshes;
    const tab = state.tab;
    const q = $('ticket-search').value.trim();
    const query =
      tab === 'waiting'
        ? '?status=waiting'
        : tab === 'mine'
          ? '?status=claimed&mine=1'
          : tab === 'open'
            ? '?status=open'
            : '?status=resolved' + (q ? '&q=' + encodeURIComponent(q) : '');
    const [list, waiting, mine] = await Promise.all([
      api('/tickets' + query),
      api('/tickets?status=waiting'),
      api('/tickets?status=claimed&mine=1'),
    ]);
    if (turn !== refreshes) return; // a newer refresh is on its way
    $('count-waiting').textContent = waiting.tickets.length;
    $('count-mine').textContent = mine.tickets.length;
    state.tickets = list.tickets;
    renderList();
    if (state.me && state.me.role === 'supervisor') renderStats();
  }

  function renderList() {
    const ul = $('tickets');
    ul.replaceChildren();
    for (const t of state.tickets) {
      const li = el('li');
      li.dataset.code = t.code;
      if (t.code === state.current) li.classList.add('selected');
      if (URGENT.has(t.reason)) li.classList.add('urgent');
      if (t.status === 'waiting' && t.waitingSeconds >= state.longWait * 60) li.classList.add('long');
      li.append(el('div', t.code, 'code'));
      li.append(el('div', t.subject || '(không có nội dung)'));
      const meta = [STATUS[t.status], REASON[t.reason], t.channel];
      if (t.mode === 'callback') meta.push('gọi lại: ' + (t.callbackPhone || ''));
      if (t.status === 'waiting') meta.push('chờ ' + minutes(t.waitingSeconds));
      if (t.agent) meta.push(t.agent.name);
      if (t.rating) meta.push(t.rating + '/5');
      li.append(el('div', meta.join(' · '), 'muted'));
      li.addEventListener('click', () => openTicket(t.code));
      ul.append(li);
    }
    if (state.tickets.length === 0) ul.append(el('li', 'Không có yêu cầu nào.', 'muted'));
  }

  async function renderStats() {
    const box = $('stats');
    box.hidden = false;
    try {
      const s = await api('/stats');
      box.textContent =
        'Thống kê 24 giờ qua\n' +
        'Đang chờ: ' +
        s.open.waiting +
        ' · Đang xử lý: ' +
        s.open.claimed +
        '\n' +
        'Tiếp nhận: ' +
        s.today.opened +
        ' · Đã xử lý: ' +
        s.today.resolved +
        ' · Hủy: ' +
        s.today.cancelled +
        '\n' +
        'Thời gian chờ (trung vị): ' +
        (s.waitSeconds.p50 === null ? '–' : minutes(s.waitSeconds.p50)) +
        '\n' +
        'Đánh giá trung bình: ' +
        (s.ratings.average === null ? '–' : s.ratings.average.toFixed(1) + '/5 (' + s.ratings.count + ')') +
        '\n' +
        s.perAgent
          .map(
            (a) =>
              a.name + ': ' + a.handled + ' yêu cầu' + (a.rating ? ', ' + a.rating.toFixed(1) + '/5' : ''),
          )
          .join('\n');
    } catch {
      box.textContent = '';
    }
  }

  function appendMessage(m, agentName) {
    if (document.querySelector('#messages li[data-id="' + m.id + '"]')) return;
    const who = m.role === 'citizen' ? 'Người dân' : m.role === 'agent' ? agentName || 'Tổng đài viên' : '';
    const li = el('li', (who ? who + ': ' : '') + m.text, m.role);
    li.dataset.id = m.id;
    $('messages').append(li);
    li.scrollIntoView({ block: 'end' });
  }

  async function openTicket(code) {
    state.current = code;
    $('ticket-error').textContent = '';
    let data;
    try {
      data = await api('/tickets/' + encodeURIComponent(code));
    } catch (e) {
      $('ticket-error').textContent = e.message;
      return;
    }
    const t = data.ticket;
    $('ticket').hidden = false;
    $('ticket-code').textContent = t.code;
    const meta = [
      STATUS[t.status],
      REASON[t.reason],
      'kênh ' + t.channel,
      'tạo lúc ' + new Date(t.createdAt).toLocaleString('vi-VN'),
    ];
    if (t.mode === 'callback') meta.push('xin gọi lại số ' + (t.callbackPhone || ''));
    if (t.agent) meta.push('xử lý: ' + t.agent.name);
    if (t.category) meta.push('phân loại: ' + t.category);
    $('ticket-meta').textContent = meta.join(' · ');
    const mineNow =
      t.status === 'claimed' && t.agent && (t.agent.id === state.me.id || state.me.role === 'supervisor');
    $('claim').hidden = t.status !== 'waiting';
    $('transfer').hidden = $('transfer-to').hidden = !mineNow;
    $('reply-form').hidden = !mineNow;
    $('resolve-form').hidden = !mineNow;
    const tr = $('transcript');
    tr.replaceChildren();
    for (const l of data.transcript) tr.append(el('li', l.text, l.role));
    $('messages').replaceChildren();
    for (const m of data.messages) appendMessage(m, m.agentName);
    renderList();
  }

  async function act(fn) {
    $('ticket-error').textContent = '';
    try {
      await fn();
    } catch (e) {
      $('ticket-error').textContent = e.message;
    }
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('login-error').textContent = '';
    try {
      const r = await api('/login', {
        method: 'POST',
        body: { username: $('username').value, password: $('password').value },
      });
      state.csrf = r.csrf;
      $('password').value = '';
      await start();
    } catch (e) {
      $('login-error').textContent =
        e.message === 'wrong username or password' ? 'Sai tên đăng nhập hoặc mật khẩu.' : e.message;
    }
  });
  $('logout').addEventListener('click', () =>
    act(async () => {
      await api('/logout', { method: 'POST', body: {} });
      showLogin();
    }),
  );
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      for (const x of document.querySelectorAll('.tabs button')) x.classList.remove('active');
      b.classList.add('active');
      state.tab = b.dataset.tab;
      $('ticket-search').hidden = state.tab !== 'resolved';
      refresh();
    });
  }
  $('ticket-search').addEventListener('input', () => refresh());
  $('claim').addEventListener('click', () =>
    act(async () => {
      await api('/tickets/' + encodeURIComponent(state.current) + '/claim', { method: 'POST', body: {} });
      await openTicket(state.current);
      await refresh();
    }),
  );
  $('transfer').addEventListener('click', () =>
    act(async () => {
      const to = $('transfer-to').value;
      if (!to) throw new Error('Chọn người nhận.');
      await api('/tickets/' + encodeURIComponent(state.current) + '/transfer', {
        method: 'POST',
        body: { to },
      });
      await openTicket(state.current);
      await refresh();
    }),
  );
  $('reply-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(async () => {
      const text = $('reply-text').value.trim();
      if (!text) return;
      const r = await api('/tickets/' + encodeURIComponent(state.current) + '/messages', {
        method: 'POST',
        body: { text },
      });
      $('reply-text').value = '';
      appendMessage(r.message, state.me.name);
      if (!r.delivered)
        $('ticket-error').textContent =
          'Đã lưu nhưng chưa gửi được tới người dân (kênh không nhận tin chủ động).';
    });
  });
  $('resolve-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(async () => {
      await api('/tickets/' + encodeURIComponent(state.current) + '/resolve', {
        method: 'POST',
        body: { category: $('category').value, note: $('note').value },
      });
      $('note').value = '';
      await openTicket(state.current);
      await refresh();
    });
  });
  $('canned').addEventListener('change', () => {
    const v = $('canned').value;
    if (v) $('reply-text').value = ($('reply-text').value ? $('reply-text').value + '\n' : '') + v;
    $('canned').value = '';
  });
  $('kb-search').addEventListener('click', () =>
    act(async () => {
      const r = await api('/kb?q=' + encodeURIComponent($('kb-query').value));
      const ul = $('kb-results');
      ul.replaceChildren();
      for (const hit of r.results) {
        const li = el('li', hit.title);
        li.title = 'Bấm để chèn vào câu trả lời';
        li.addEventListener('click', () => ($('reply-text').value = hit.text));
        ul.append(li);
      }
      if (r.results.length === 0) ul.append(el('li', 'Không tìm thấy.', 'muted'));
    }),
  );
  setInterval(() => state.me && !$('app').hidden && renderList(), 30_000);
  start();
})();
