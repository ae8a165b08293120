// The supervisor's view of the console: the dashboard (figures, plots drawn
// by the server as SVG images, the numbers behind each one click away), the
// inbox of unanswered questions and what to do with them. Every text from
// citizens is set with textContent, never innerHTML.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { groups: [], current: null, entries: [] };

  const FIGURES = [
    ['conversations', 'Hội thoại'],
    ['messages', 'Tin nhắn'],
    ['answered', 'Trả lời được'],
    ['clarified', 'Hỏi lại'],
    ['notFound', 'Không tìm thấy'],
    ['declined', 'Từ chối'],
    ['handedOff', 'Chuyển tổng đài'],
    ['emergencies', 'Khẩn cấp'],
  ];
  const SHARED = new Set(['answered', 'clarified', 'notFound', 'declined', 'handedOff']);
  const CHANNEL = { '': 'tất cả các kênh', zalo: 'Zalo', webchat: 'web chat', botframework: 'Bot Framework' };

  const { api, el } = window.hotlineConsole;

  function status(text) {
    $('insight-status').textContent = text;
  }

  function query() {
    const p = new URLSearchParams();
    if ($('from').value) p.set('from', $('from').value);
    if ($('to').value) p.set('to', $('to').value);
    if ($('channel').value) p.set('channel', $('channel').value);
    return p.toString();
  }

  function minutes(seconds) {
    if (seconds === null) return '–';
    return seconds < 60 ? seconds + ' giây' : Math.round(seconds / 6) / 10 + ' phút';
  }

  function table(rows) {
    const t = el('table');
    rows.forEach((r, i) => {
      const tr = el('tr');
      for (const c of r) tr.append(el(i === 0 ? 'th' : 'td', c === null ? '–' : c));
      t.append(tr);
    });
    return t;
  }

  function figure(name, svg, rows) {
    const f = el('figure');
    f.dataset.chart = name;
    const img = el('img');
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    img.alt = (/<title>([^<]*)<\/title>/.exec(svg) || ['', name])[1];
    const details = el('details');
    details.append(el('summary', 'Xem số liệu'), table(rows));
    f.append(img, details);
    return f;
  }

  function fig(key, label, value, note) {
    const d = el('div', undefined, 'fig');
    d.id = 'fig-' + key;
    d.append(el('span', label), el('strong', value));
    if (note) d.append(el('span', note, 'muted'));
    return d;
  }

  async function loadStats() {
    const s = await api('/stats?' + query() + '&charts=1');
    $('from').value = s.from;
    $('to').value = s.to;
    const q = query();
    $('export-json').href = '/hotline/api/stats?' + q;
    $('export-csv').href = '/hotline/api/stats?' + q + '&format=csv';
    $('unanswered-csv').href = '/hotline/api/unanswered?' + q + '&format=csv';
    $('top-csv').href = '/hotline/api/top?' + q + '&format=csv';
    const box = $('figures');
    box.replaceChildren();
    for (const [key, label] of FIGURES) {
      const share = SHARED.has(key) ? Math.round(s.shares[key] * 100) + '%' : '';
      box.append(fig(key, label, s.totals[key], share));
    }
    const w = s.handoff.waitSeconds;
    box.append(fig('wait', 'Chờ tổng đài (trung vị · p90)', minutes(w.median) + ' · ' + minutes(w.p90)));
    box.append(
      fig(
        'csat',
        'Đánh giá tổng đài',
        s.csat.average === null ? '–' : s.csat.average.toFixed(1) + '/5',
        s.csat.count + ' lượt',
      ),
    );
    box.append(fig('unhelpful', 'Bấm "Chưa hữu ích"', s.totals.notHelpful));
    const days = [
      [
        'Ngày',
        'Hội thoại',
        'Tin nhắn',
        'Trả lời',
        'Hỏi lại',
        'Không thấy',
        'Từ chối',
        'Chuyển',
        'Khẩn cấp',
        'Khác',
      ],
    ];
    for (const d of s.days)
      days.push([
        d.day,
        d.conversations,
        d.messages,
        d.answered,
        d.clarified,
        d.notFound,
        d.declined,
        d.handedOff,
        d.emergencies,
        d.other,
      ]);
    const shares = [['Kết quả', 'Số tin', 'Tỉ lệ']];
    for (const [key, label] of FIGURES.filter((f) => SHARED.has(f[0])))
      shares.push([label, s.totals[key], Math.round(s.shares[key] * 1000) / 10 + '%']);
    const charts = $('charts');
    charts.replaceChildren(
      figure('days', s.charts.days, days),
      figure('outcomes', s.charts.outcomes, shares),
      figure('hours', s.charts.hours, [['Giờ', 'Tin nhắn']].concat(s.hours.map((n, h) => [h + 'h', n]))),
      figure('csat', s.charts.csat, [['Sao', 'Lượt']].concat(s.csat.counts.map((n, i) => [i + 1, n]))),
    );
    status('Số liệu từ ' + s.from + ' đến ' + s.to + ', ' + CHANNEL[$('channel').value] + '.');
  }

  async function loadInbox() {
    const r = await api('/unanswered?' + query());
    state.groups = r.groups;
    const ol = $('inbox');
    ol.replaceChildren();
    for (const g of r.groups) {
      const li = el('li');
      li.dataset.key = g.key;
      li.append(el('strong', g.count + ' người hỏi'), document.createTextNode(' · '), el('span', g.text));
      li.addEventListener('click', () => openGroup(g.key));
      ol.append(li);
    }
    if (r.groups.length === 0) ol.append(el('li', 'Không có câu hỏi nào chưa trả lời được.', 'muted'));
    if (!r.groups.some((g) => g.key === state.current)) $('group').hidden = true;
  }

  function openGroup(key) {
    const g = state.groups.find((x) => x.key === key);
    if (!g) return;
    state.current = key;
    for (const li of document.querySelectorAll('#inbox li'))
      li.classList.toggle('selected', li.dataset.key === key);
    $('group').hidden = false;
    $('group-text').textContent = g.text;
    $('group-meta').textContent =
      g.count +
      ' người hỏi, ' +
      g.messages +
      ' tin: ' +
      [
        g.outcomes.notFound && g.outcomes.notFound + ' không tìm thấy',
        g.outcomes.clarified && g.outcomes.clarified + ' hỏi lại không chọn',
        g.outcomes.notHelpful && g.outcomes.notHelpful + ' chưa hữu ích',
      ]
        .filter(Boolean)
        .join(', ');
    $('group-examples').replaceChildren(...g.examples.map((t) => el('li', t)));
    $('group-candidates').replaceChildren(
      ...(g.candidates.length
        ? g.candidates.map((c) => el('li', c.title + ' (' + c.id + ') · ' + c.times + ' lần'))
        : [el('li', 'Không có', 'muted')]),
    );
    const select = $('group-entry');
    select.length = 0;
    const first = g.candidates[0] && g.candidates[0].id;
    for (const e of state.entries) select.append(new Option(e.title, e.id, false, e.id === first));
  }

  async function review(action, extra) {
    const g = state.groups.find((x) => x.key === state.current);
    if (!g) return;
    try {
      const r = await api('/unanswered/review', {
        method: 'POST',
        body: Object.assign({ ids: g.ids, action }, extra),
      });
      if (action === 'example')
        status(
          'Đã thêm ' +
            r.added +
            ' câu hỏi mẫu cho mục ' +
            r.entry +
            '. Bấm "Nạp lại cơ sở tri thức" để áp dụng.',
        );
      else if (action === 'draft') status('Đã lưu dự thảo mục mới ' + r.entry + '.');
      else status('Đã đánh dấu ngoài phạm vi dịch vụ.');
      $('group').hidden = true;
      await Promise.all([loadInbox(), loadAdded()]);
    } catch (e) {
      status(e.message);
    }
  }

  async function loadTop() {
    const r = await api('/top?' + query());
    const box = $('top');
    box.replaceChildren();
    for (const w of r.weeks) {
      const rows = [['Mục', 'Số câu hỏi', 'So với tuần trước', 'Hỏi nhiều']];
      for (const e of w.entries)
        rows.push([
          e.title,
          e.count,
          (e.change > 0 ? '+' : '') + e.change,
          e.questions.map((q) => q.text + ' (' + q.count + ')').join('; '),
        ]);
      box.append(el('h3', 'Tuần từ ' + w.week), table(rows));
    }
    if (r.weeks.length === 0)
      box.append(el('p', 'Chưa có câu hỏi nào được trả lời trong thời gian này.', 'muted'));
  }

  async function loadAdded() {
    const r = await api('/kb/examples');
    const ul = $('added');
    ul.replaceChildren();
    const drafts = new Set();
    for (const e of r.examples.slice(-50).reverse()) {
      const li = el(
        'li',
        (e.status === 'draft' ? 'Dự thảo ' : 'Mục ') +
          e.entryId +
          ': ' +
          e.text +
          ' · ' +
          new Date(e.createdAt).toLocaleString('vi-VN'),
      );
      ul.append(li);
      if (e.status === 'draft' && !drafts.has(e.entryId)) {
        drafts.add(e.entryId);
        const a = el('a', ' tải tệp YAML');
        a.href = '/hotline/api/kb/drafts/' + encodeURIComponent(e.entryId);
        li.append(a);
      }
    }
  }

  async function load() {
    try {
      if (state.entries.length === 0) state.entries = (await api('/kb/entries')).entries;
      await loadStats();
      await Promise.all([loadInbox(), loadTop(), loadAdded()]);
    } catch (e) {
      status(e.message);
    }
  }

  function show(view) {
    for (const b of document.querySelectorAll('#views button'))
      b.classList.toggle('active', b.dataset.view === view);
    document.querySelector('#app > main').hidden = view !== 'desk';
    $('insight').hidden = view !== 'insight';
    if (view === 'insight') load();
  }

  document.addEventListener('hotline:ready', (ev) => {
    const supervisor = ev.detail.agent.role === 'supervisor';
    $('views').hidden = !supervisor;
    if (!supervisor) show('desk');
  });
  for (const b of document.querySelectorAll('#views button'))
    b.addEventListener('click', () => show(b.dataset.view));
  $('period').addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  $('add-example').addEventListener('click', () => review('example', { entry: $('group-entry').value }));
  $('add-draft').addEventListener('click', () => review('draft', { title: $('draft-title').value.trim() }));
  $('mark-outside').addEventListener('click', () => review('outside', {}));
  $('kb-reload').addEventListener('click', async () => {
    status('Đang nạp lại cơ sở tri thức…');
    try {
      const r = await api('/kb/reload', { method: 'POST', body: {} });
      status(
        'Đã nạp lại cơ sở tri thức (' +
          r.examples +
          ' câu hỏi mẫu do giám sát thêm, ' +
          r.seconds.toFixed(1) +
          ' giây).',
      );
    } catch (e) {
      status(e.message);
    }
  });
})();
