// The sandbox's web chat: talk to the bot as a sandbox user, through the control API only.
// Plain JavaScript, no build step. See sandbox/web/__init__.py and sandbox/README.md.
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);
  const els = {
    picker: $("#picker"), people: $("#people"), chat: $("#chat"), back: $("#back"), whoami: $("#whoami"),
    messages: $("#messages"), text: $("#text"), send: $("#send"), menu: $("#menu"), commands: $("#commands"),
    typing: $("#typing"), toast: $("#toast"), replyKeyboard: $("#reply-keyboard"), newPerson: $("#new-person"),
    messengers: $("#messengers"), newHint: $("#new-hint"),
  };
  // Where each messenger's conversation lives in the control API, and how its messages read.
  const CHANNELS = {
    telegram: {
      hash: "u",
      messages: (id, since) => `/control/chats/${id}/messages?since=${since}`,
      wait: (id, since) => `/control/chats/${id}/wait?since=${since}&timeout=25`,
      text: (id) => `/control/users/${id}/text`,
      normalize: (m) => m,
    },
    zalo: {
      hash: "z",
      messages: (id, since) => `/control/zalo/chats/${encodeURIComponent(id)}/messages?since=${since}`,
      wait: (id, since) => `/control/zalo/chats/${encodeURIComponent(id)}/wait?since=${since}&timeout=25`,
      text: (id) => `/control/zalo/users/${encodeURIComponent(id)}/text`,
      // Zalo: string ids (ordered by seq), dates in ms, a photo by URL, no buttons, no edits.
      normalize: (m) => ({
        message_id: m.message_id, order: m.seq, from: m.from, date: Math.floor(m.date / 1000), seq: m.seq,
        text: m.text, caption: m.caption, photo: m.photo_url ? [{ url: m.photo_url }] : null,
        sticker: m.sticker ? { emoji: "🙂" } : null, unsupported: m.unsupported, history: [], edited: false,
      }),
    },
  };
  let filter = "all";
  const ROLE_CLASS = { reporter: "reporter", supervisor: "supervisor", admin: "admin" };

  let people = [];
  let session = null; // {user, seq, messages: Map, abort: AbortController}
  let toastTimer = null;
  let typingTimer = null;

  // ---------------------------------------------------------------- helpers

  async function api(path, options) {
    const init = Object.assign({ headers: { "Content-Type": "application/json" } }, options || {});
    const resp = await fetch(path, init);
    const body = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error(body.error || resp.statusText);
      err.status = resp.status;
      throw err;
    }
    return body;
  }
  const post = (path, body, signal) => api(path, { method: "POST", body: JSON.stringify(body || {}), signal });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // An invitation the bot made (/moi) is a link https://t.me/<bot>?start=<token>. Here it opens in this
  // page: a new person (the one invited) starts a chat with /start <token>, as Telegram does for whoever
  // opens the link (see acceptInvite). The sandbox has one bot, so any bot's name is taken as ours.
  const INVITE = /^(?:https?:\/\/)?t\.me\/[A-Za-z0-9_]{3,64}\?start=([A-Za-z0-9_-]{1,64})$/i;
  // The opening tag of a link to href (not escaped yet).
  function linkTag(href) {
    const invite = INVITE.exec(href);
    if (invite) {
      return `<a href="${escapeHtml(href)}" class="invite" data-start="${invite[1]}" ` +
        'title="Mở lời mời trong trang này, với tư cách người được mời">';
    }
    return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">`;
  }

  // Plain text: escape, then make /commands tappable and addresses clickable, as Telegram does.
  function linkify(text) {
    return escapeHtml(text)
      .replace(/(^|[\s(])(\/[a-z][a-z0-9_]{1,31})(?![\w/])/gi,
        (m, pre, cmd) => `${pre}<a href="#" class="cmd" data-cmd="${cmd}">${cmd}</a>`)
      .replace(/\bhttps?:\/\/[^\s<]+[^\s<.,;:!?)»"']/g, (url) => `${linkTag(unescapeHtml(url))}${url}</a>`);
  }
  function unescapeHtml(html) {
    return html.replace(/&(amp|lt|gt|quot|#39);/g, (m, c) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" }[c]));
  }

  function openTag(e, inner) {
    switch (e.type) {
      case "bold": return "<b>";
      case "italic": return "<i>";
      case "underline": return "<u>";
      case "strikethrough": return "<s>";
      case "code": return "<code>";
      case "pre": return "<pre>";
      case "spoiler": return '<span class="spoiler">';
      case "blockquote": case "expandable_blockquote": return "<blockquote>";
      case "text_link": return linkTag(e.url || "#");
      case "url": return linkTag(/^https?:/i.test(inner) ? inner : "http://" + inner);
      case "text_mention": return "<b>";
      default: return "<span>";
    }
  }
  function closeTag(e) {
    return { bold: "</b>", italic: "</i>", underline: "</u>", strikethrough: "</s>", code: "</code>", pre: "</pre>",
      blockquote: "</blockquote>", expandable_blockquote: "</blockquote>", text_link: "</a>", url: "</a>",
      text_mention: "</b>" }[e.type] || "</span>";
  }

  // Entities count UTF-16 code units, as JavaScript strings do: offsets apply directly.
  function renderText(text, entities) {
    if (!text) return "";
    const ents = (entities || []).filter((e) => e.type !== "bot_command")
      .slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
    if (!ents.length) return linkify(text);
    let html = "";
    let pos = 0;
    const stack = [];
    const plain = (from, to) => {
      const inLink = stack.some((e) => e.type === "url" || e.type === "text_link" || e.type === "code" || e.type === "pre");
      const piece = text.slice(from, to);
      return inLink ? escapeHtml(piece) : linkify(piece);
    };
    const closeUntil = (at) => {
      while (stack.length && stack[stack.length - 1].offset + stack[stack.length - 1].length <= at) {
        const e = stack.pop();
        const end = e.offset + e.length;
        html += plain(pos, end);
        pos = end;
        html += closeTag(e);
      }
    };
    for (const e of ents) {
      if (e.offset < pos) continue; // overlapping, not nested: ignore
      closeUntil(e.offset);
      html += plain(pos, e.offset);
      pos = e.offset;
      html += openTag(e, text.substr(e.offset, e.length));
      stack.push(e);
    }
    closeUntil(Infinity);
    html += plain(pos, text.length);
    return html;
  }

  // Times as the officials read them: Vietnam's, whatever the computer showing the page is set to.
  const TZ = "Asia/Ho_Chi_Minh";
  function timeOf(unix) {
    return new Date(unix * 1000).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: TZ });
  }
  function dayOf(unix) {
    return new Date(unix * 1000).toLocaleDateString("vi-VN",
      { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: TZ });
  }
  // Telegram marks a message "edited" when its text changed, not when only its buttons did.
  function textEdited(m) {
    return (m.history || []).some((h) => h.text !== m.text || h.caption !== m.caption);
  }
  function sizeOf(bytes) {
    if (bytes == null) return "";
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(".", ",")} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
  }
  function fileBadge(name) {
    const ext = (name || "").split(".").pop().toLowerCase();
    return { docx: "DOC", doc: "DOC", xlsx: "XLS", xls: "XLS", pdf: "PDF", png: "ẢNH", jpg: "ẢNH", csv: "CSV" }[ext] || "TỆP";
  }

  function toast(text, alert) {
    els.toast.textContent = text;
    els.toast.classList.toggle("alert", !!alert);
    els.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { els.toast.hidden = true; }, alert ? 6000 : 3000);
  }

  // ---------------------------------------------------------------- the picker

  function describe(p) {
    const parts = [];
    if (p.title) parts.push(p.title);
    if (p.units && p.units.length) parts.push(p.units.join(", "));
    return parts.join(" · ");
  }

  async function fetchPeople() {
    const [telegram, zalo] = await Promise.all([api("/control/people"), api("/control/zalo/people").catch(() => [])]);
    return telegram.map((p) => Object.assign({ messenger: "telegram" }, p)).concat(zalo);
  }

  async function loadPeople() {
    try {
      people = await fetchPeople();
    } catch (err) {
      els.people.innerHTML = `<p class="muted">Không đọc được danh sách người dùng (${escapeHtml(err.message)}).</p>`;
      return;
    }
    if (!people.length) {
      els.people.innerHTML = '<p class="muted">Sandbox chưa có người dùng nào.</p>';
      return;
    }
    els.people.innerHTML = "";
    const shown = people.filter((p) => filter === "all" || p.messenger === filter);
    if (!shown.length) els.people.innerHTML = '<p class="muted">Chưa có ai dùng ứng dụng này.</p>';
    for (const p of shown) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "person";
      button.dataset.id = String(p.id);
      button.dataset.messenger = p.messenger;
      const roleClass = ROLE_CLASS[p.role] || "other";
      const messenger = p.messenger === "zalo" ? "Zalo" : "Telegram";
      button.innerHTML =
        `<span class="tags"><span class="role ${roleClass}">${escapeHtml(p.role_label || "Người dùng")}</span>` +
        `<span class="messenger ${p.messenger}">${messenger}</span></span>` +
        `<span class="name">${escapeHtml(p.name || p.first_name)}</span>` +
        (describe(p) ? `<span class="detail">${escapeHtml(describe(p))}</span>` : "");
      button.addEventListener("click", () => openChat(p.id, p.messenger));
      els.people.appendChild(button);
    }
  }

  function showPicker() {
    closeSession();
    document.body.classList.remove("zalo");
    history.replaceState(null, "", location.pathname);
    els.chat.hidden = true;
    els.picker.hidden = false;
    loadPeople();
  }

  // ---------------------------------------------------------------- the chat

  function closeSession() {
    if (session) session.abort.abort();
    session = null;
    els.commands.hidden = true;
  }

  async function openChat(userId, messenger) {
    closeSession();
    messenger = messenger || "telegram";
    if (!people.length) {
      try { people = await fetchPeople(); } catch (err) { people = []; }
    }
    const user = people.find((p) => p.messenger === messenger && String(p.id) === String(userId));
    if (!user) { showPicker(); return; }
    const channel = CHANNELS[messenger];
    session = { user, channel, zalo: messenger === "zalo", seq: 0, messages: new Map(), abort: new AbortController(),
      lastBotSeen: 0 };
    history.replaceState(null, "", `#${channel.hash}=${encodeURIComponent(user.id)}`);
    document.body.classList.toggle("zalo", session.zalo);
    els.menu.hidden = session.zalo; // Zalo has no command menu: commands are typed
    els.whoami.textContent = `Anh/Chị đang là: ${user.name || user.first_name}` + (user.role_label ? ` · ${user.role_label}` : "") +
      (session.zalo ? " · Zalo" : "");
    els.messages.innerHTML = "";
    hideNewHint(null);
    els.replyKeyboard.hidden = true;
    els.text.placeholder = "Nhập tin nhắn";
    els.picker.hidden = true;
    els.chat.hidden = false;
    const mine = session;
    await refresh(mine);
    loadCommands(mine);
    if (mine === session && !mine.messages.size && mine.zalo) {
      els.messages.innerHTML = '<p class="empty">Chưa có tin nhắn nào. Gõ /start rồi «Gửi» để bắt đầu.</p>';
    } else if (mine === session && !mine.messages.size) {
      els.messages.innerHTML = '<p class="empty">Chưa có tin nhắn nào. Bấm «/start» bên dưới, hoặc gõ /start rồi «Gửi», để bắt đầu.</p>';
      showReplyKeyboard({ keyboard: [[{ text: "/start" }]] });
    }
    els.text.focus();
    pollLoop(mine);
  }

  async function refresh(s) {
    const data = await api(s.channel.messages(s.user.id, s.seq), { signal: s.abort.signal });
    if (s !== session) return;
    let botChanged = false;
    for (const raw of data.messages) {
      const m = s.channel.normalize(raw);
      s.messages.set(m.message_id, m);
      if (m.from === "bot") botChanged = true;
    }
    s.seq = Math.max(s.seq, data.seq);
    if (data.messages.length) render(s);
    if (botChanged) {
      setTyping(false);
      loadCommands(s);
    }
  }

  async function pollLoop(s) {
    while (s === session) {
      try {
        await api(s.channel.wait(s.user.id, s.seq), { signal: s.abort.signal });
        if (s !== session) return;
        await refresh(s);
      } catch (err) {
        if (s !== session || err.name === "AbortError") return;
        toast("Mất kết nối với sandbox, đang thử lại…");
        await sleep(2000);
      }
    }
  }

  async function loadCommands(s) {
    if (s.zalo) { s.commands = []; return; }
    try {
      const data = await api(`/control/commands?chat_id=${s.user.id}&language_code=vi`, { signal: s.abort.signal });
      if (s !== session) return;
      s.commands = data.effective || [];
    } catch (err) {
      s.commands = s.commands || [];
    }
  }

  // Incremental: a message's element is rebuilt only when the message changed (its seq moved),
  // so what the person is looking at (or about to tap) stays put while the chat grows.
  function render(s) {
    const list = [...s.messages.values()].filter((m) => !m.deleted)
      .sort((a, b) => (a.order ?? a.message_id) - (b.order ?? b.message_id));
    const nearBottom = els.messages.scrollHeight - els.messages.scrollTop - els.messages.clientHeight < 120;
    const empty = els.messages.querySelector(".empty");
    if (empty && list.length) empty.remove();
    const nodes = s.nodes || (s.nodes = new Map());
    const known = new Set(nodes.keys());
    const wanted = new Set(list.map((m) => m.message_id));
    for (const [id, node] of nodes) {
      if (!wanted.has(id)) { node.remove(); nodes.delete(id); }
    }
    let lastDay = "";
    let lastBot = null;
    let previous = null;
    for (const m of list) {
      const day = dayOf(m.date);
      const showDay = day !== lastDay;
      lastDay = day;
      const key = `${m.seq}|${showDay ? day : ""}`;
      let node = nodes.get(m.message_id);
      if (!node || node.dataset.key !== key) {
        const fresh = document.createElement("div");
        fresh.className = "entry";
        fresh.dataset.key = key;
        if (showDay) {
          const d = document.createElement("div");
          d.className = "day";
          d.textContent = day;
          fresh.appendChild(d);
        }
        fresh.appendChild(messageElement(m));
        if (node) node.replaceWith(fresh);
        node = fresh;
        nodes.set(m.message_id, node);
      }
      const expected = previous ? previous.nextSibling : els.messages.firstChild;
      if (node !== expected) els.messages.insertBefore(node, expected);
      previous = node;
      if (m.from === "bot") lastBot = m;
    }
    applyReplyMarkup(lastBot);
    const arrived = list.find((m) => m.from === "bot" && !known.has(m.message_id));
    if (arrived && s.followUntil > Date.now()) {
      // the answer to a tap (higher up or not): shown from its start, as far as the chat scrolls
      s.followUntil = 0;
      s.scrollOnce = false;
      scrollToMessage(s, arrived.message_id);
    } else if (nearBottom || s.scrollOnce !== false) {
      els.messages.scrollTop = els.messages.scrollHeight;
      s.scrollOnce = false;
      hideNewHint(s);
    } else if (arrived && !s.unseen) {
      showNewHint(s, arrived.message_id);
    }
  }

  function scrollToMessage(s, messageId) {
    const node = s.nodes && s.nodes.get(messageId);
    if (!node) { els.messages.scrollTop = els.messages.scrollHeight; return; }
    els.messages.scrollTop += node.getBoundingClientRect().top - els.messages.getBoundingClientRect().top - 8;
    hideNewHint(s);
  }

  // "Tin mới": a message came while the person reads higher up; a tap on it shows the first one.
  function showNewHint(s, messageId) {
    s.unseen = messageId;
    const chat = els.chat.getBoundingClientRect();
    const list = els.messages.getBoundingClientRect();
    els.newHint.style.bottom = `${Math.max(chat.bottom - list.bottom, 0) + 12}px`;
    els.newHint.hidden = false;
  }
  function hideNewHint(s) {
    if (s) s.unseen = null;
    els.newHint.hidden = true;
  }

  function messageElement(m) {
    const wrap = document.createElement("div");
    wrap.className = `msg ${m.from}`;
    wrap.dataset.messageId = String(m.message_id);
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    if (m.photo && m.photo.length) {
      const biggest = m.photo[m.photo.length - 1];
      const link = document.createElement("a");
      link.href = biggest.url;
      link.target = "_blank";
      link.innerHTML = `<img class="photo" alt="Ảnh" src="${escapeHtml(biggest.url)}">`;
      bubble.appendChild(link);
    }
    if (m.document) {
      const doc = m.document;
      const a = document.createElement("a");
      a.className = "file";
      a.href = doc.url;
      a.setAttribute("download", doc.file_name || "tep");
      a.innerHTML = `<span class="icon">${fileBadge(doc.file_name)}</span>` +
        `<span><span class="fname">${escapeHtml(doc.file_name || "Tệp")}</span><br>` +
        `<span class="fsize">${sizeOf(doc.file_size)} · Tải về</span></span>`;
      bubble.appendChild(a);
    }
    if (m.sticker) {
      const s = document.createElement("div");
      s.style.fontSize = "2.6rem";
      s.textContent = m.sticker.emoji || "🙂";
      bubble.appendChild(s);
    }
    if (m.unsupported) {
      const u = document.createElement("div");
      u.className = "unsupported";
      u.textContent = `📎 Nội dung Zalo chưa hỗ trợ (${m.unsupported})`;
      bubble.appendChild(u);
    }
    if (m.voice) {
      const v = document.createElement("div");
      v.textContent = `🎤 Tin nhắn thoại (${m.voice.duration || 1} giây)`;
      bubble.appendChild(v);
    }
    if (m.text) {
      const t = document.createElement("div");
      t.className = "text";
      t.innerHTML = renderText(m.text, m.entities);
      bubble.appendChild(t);
    }
    if (m.caption) {
      const c = document.createElement("div");
      c.className = "caption";
      c.innerHTML = renderText(m.caption, m.caption_entities);
      bubble.appendChild(c);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    const edited = m.edited && textEdited(m);
    meta.innerHTML = `<span class="${edited ? "edited" : ""}">${timeOf(edited ? m.edit_date : m.date)}</span>`;
    bubble.appendChild(meta);
    wrap.appendChild(bubble);

    const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
    if (m.from === "bot" && rows.length) {
      const kb = document.createElement("div");
      kb.className = "keyboard";
      for (const row of rows) {
        const r = document.createElement("div");
        r.className = "row";
        for (const b of row) {
          let el;
          if (b.url) {
            el = document.createElement("a");
            el.href = b.url;
            const invite = INVITE.exec(b.url);
            if (invite) {
              el.className = "invite";
              el.dataset.start = invite[1];
            } else {
              el.target = "_blank";
              el.rel = "noopener";
            }
          } else {
            el = document.createElement("button");
            el.type = "button";
            el.dataset.callback = b.callback_data || "";
            el.addEventListener("click", () => tap(m, b, el));
          }
          el.textContent = b.text;
          r.appendChild(el);
        }
        kb.appendChild(r);
      }
      wrap.appendChild(kb);
    }
    return wrap;
  }

  // A reply keyboard or a "force reply" of the bot's latest message shapes the input, as on a phone.
  function applyReplyMarkup(lastBot) {
    const markup = lastBot && lastBot.reply_markup;
    if (markup && markup.keyboard) {
      showReplyKeyboard(markup);
    } else if (!markup || !markup.keyboard) {
      if (session && session.messages.size) els.replyKeyboard.hidden = true;
    }
    if (markup && markup.remove_keyboard) els.replyKeyboard.hidden = true;
    els.text.placeholder = (markup && markup.input_field_placeholder) || "Nhập tin nhắn";
  }

  function showReplyKeyboard(markup) {
    els.replyKeyboard.innerHTML = "";
    for (const row of markup.keyboard) {
      const r = document.createElement("div");
      r.className = "row";
      for (const b of row) {
        const label = typeof b === "string" ? b : b.text;
        const el = document.createElement("button");
        el.type = "button";
        el.textContent = label;
        el.addEventListener("click", () => sendText(label));
        r.appendChild(el);
      }
      els.replyKeyboard.appendChild(r);
    }
    els.replyKeyboard.hidden = false;
  }

  function setTyping(on) {
    els.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => { els.typing.hidden = true; }, 15000);
  }

  // ---------------------------------------------------------------- what the user does

  async function sendText(text) {
    const s = session;
    text = (text || "").trim();
    if (!s || !text) return;
    els.commands.hidden = true;
    const empty = els.messages.querySelector(".empty");
    if (empty) empty.remove();
    try {
      const msg = s.channel.normalize(await post(s.channel.text(s.user.id), { text }, s.abort.signal));
      if (s !== session) return;
      s.messages.set(msg.message_id, msg);
      s.scrollOnce = true;
      render(s);
      setTyping(true);
    } catch (err) {
      if (err.name !== "AbortError") toast(`Không gửi được: ${err.message}`, true);
    }
  }

  async function tap(message, button, el) {
    const s = session;
    if (!s) return;
    el.disabled = true;
    s.followUntil = Date.now() + 15000; // its answer is shown when it comes, even if the tap was higher up
    let record;
    try {
      record = await post(`/control/users/${s.user.id}/tap`,
        { message_id: message.message_id, data: button.callback_data }, s.abort.signal);
    } catch (err) {
      el.disabled = false;
      if (err.name !== "AbortError") toast(err.status === 400 ? "Nút này không còn nữa." : `Lỗi: ${err.message}`);
      return;
    }
    setTyping(true);
    // Telegram shows the bot's answer to a tap as a notice (or an alert) at the top of the chat.
    for (let i = 0; i < 20 && s === session; i++) {
      await sleep(250);
      let answers = [];
      try { answers = await api("/control/callback_answers", { signal: s.abort.signal }); } catch (err) { return; }
      const found = answers.find((a) => a.callback_query_id === record.callback_query_id);
      if (found) {
        el.disabled = false;
        if (found.text) toast(found.text, found.show_alert);
        if (found.url) window.open(found.url, "_blank");
        return;
      }
    }
    el.disabled = false;
  }

  function freeId() {
    const taken = new Set(people.map((p) => p.id));
    let id = 700000 + Math.floor(Math.random() * 99999);
    while (taken.has(id)) id += 1;
    return id;
  }

  // The invited person opens the link: a new sandbox user whose chat starts with /start <token>
  // (POST /control/people with "start"); their chat opens here.
  async function acceptInvite(token) {
    if (!session || session.zalo) return;
    try {
      people = await fetchPeople();
    } catch (err) { /* the ids taken are those known */ }
    const count = people.filter((p) => p.role_label === "Người được mời").length + 1;
    try {
      const person = await post("/control/people", { id: freeId(), first_name: `Người được mời ${count}`, role: "",
        role_label: "Người được mời", title: "Mở lời mời", start: token });
      people.push(person);
      await openChat(person.id);
      setTyping(true);
    } catch (err) {
      toast(`Không mở được lời mời: ${err.message}`, true);
    }
  }

  function toggleCommands() {
    const s = session;
    if (!s) return;
    if (!els.commands.hidden) { els.commands.hidden = true; els.menu.setAttribute("aria-expanded", "false"); return; }
    const list = (s.commands && s.commands.length) ? s.commands : [{ command: "start", description: "Bắt đầu" },
      { command: "help", description: "Các lệnh" }];
    els.commands.innerHTML = "";
    for (const c of list) {
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.innerHTML = `<span class="c">/${escapeHtml(c.command)}</span><span class="d">${escapeHtml(c.description || "")}</span>`;
      b.addEventListener("click", () => { els.commands.hidden = true; sendText(`/${c.command}`); });
      els.commands.appendChild(b);
    }
    els.commands.hidden = false;
    els.menu.setAttribute("aria-expanded", "true");
  }

  function autoGrow() {
    els.text.style.height = "auto";
    els.text.style.height = `${Math.min(els.text.scrollHeight, 140)}px`;
  }

  // ---------------------------------------------------------------- wiring

  els.send.addEventListener("click", () => {
    const text = els.text.value;
    els.text.value = "";
    autoGrow();
    sendText(text);
    els.text.focus();
  });
  // On a phone or tablet (a coarse pointer: touch) Enter makes a new line, as in the messengers' apps, and
  // «Gửi» sends; with a mouse and keyboard Enter sends and Shift+Enter makes a new line.
  const touch = () => window.matchMedia("(pointer: coarse)").matches;
  function setEnterKey() { els.text.enterKeyHint = touch() ? "enter" : "send"; }
  setEnterKey();
  window.matchMedia("(pointer: coarse)").addEventListener("change", setEnterKey);
  els.text.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && !touch()) {
      ev.preventDefault();
      els.send.click();
    }
  });
  els.text.addEventListener("input", autoGrow);
  els.newHint.addEventListener("click", () => {
    if (session && session.unseen != null) scrollToMessage(session, session.unseen);
    else els.messages.scrollTop = els.messages.scrollHeight;
  });
  els.messages.addEventListener("scroll", () => {
    if (els.newHint.hidden || !session) return;
    const node = session.nodes && session.nodes.get(session.unseen);
    const seen = node && node.getBoundingClientRect().top < els.messages.getBoundingClientRect().bottom - 24;
    const bottom = els.messages.scrollHeight - els.messages.scrollTop - els.messages.clientHeight < 40;
    if (seen || bottom) hideNewHint(session);
  });
  els.menu.addEventListener("click", toggleCommands);
  els.back.addEventListener("click", showPicker);
  els.messages.addEventListener("click", (ev) => {
    const cmd = ev.target.closest("a.cmd");
    if (cmd) { ev.preventDefault(); sendText(cmd.dataset.cmd); return; }
    const invite = ev.target.closest("a.invite");
    if (invite) { ev.preventDefault(); acceptInvite(invite.dataset.start); return; }
    const spoiler = ev.target.closest(".spoiler");
    if (spoiler) spoiler.classList.add("shown");
  });
  document.addEventListener("click", (ev) => {
    if (!els.commands.hidden && !ev.target.closest("#commands") && ev.target !== els.menu) els.commands.hidden = true;
  });
  els.newPerson.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(els.newPerson);
    const name = form.get("first_name").trim();
    if (!name) return;
    if (form.get("messenger") === "zalo") {
      try {
        const person = await post("/control/zalo/people", { display_name: name, role: "", role_label: "Người mới", title: "Chưa được mời" });
        people.push(person);
        openChat(person.id, "zalo");
      } catch (err) {
        toast(`Không tạo được người dùng: ${err.message}`, true);
      }
      return;
    }
    try {
      const person = await post("/control/people", { id: freeId(), first_name: name, role: "", role_label: "Người mới", title: "Chưa được mời" });
      people.push(person);
      openChat(person.id);
    } catch (err) {
      toast(`Không tạo được người dùng: ${err.message}`, true);
    }
  });

  els.messengers.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-filter]");
    if (!button) return;
    filter = button.dataset.filter;
    for (const b of els.messengers.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
    loadPeople();
  });

  const wanted = /(?:^#|&)u=(\d+)/.exec(location.hash);
  const wantedZalo = /(?:^#|&)z=([^&]+)/.exec(location.hash);
  if (wanted) {
    openChat(Number(wanted[1]));
  } else if (wantedZalo) {
    openChat(decodeURIComponent(wantedZalo[1]), "zalo");
  } else {
    loadPeople();
  }
})();
