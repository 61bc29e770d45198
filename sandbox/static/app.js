/* The sandbox page: a small Slack-like workspace over the stand-in's JSON API
   (sandbox/server: GET /sandbox/state, POST /sandbox/{command,message,upload,action,
   submit,close,home,clock,reset}). Polls the state every 500 ms and after each action.
   Everything from the server is rendered with textContent (see blockkit.js). */
"use strict";

(function () {
  const { el } = window.BlockKit;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 500;

  const S = {
    member: new URLSearchParams(location.search).get("member"),
    members: [],
    channels: [],
    messages: new Map(), // "channel:ts" -> message
    since: 0,
    now: null,
    current: null, // {kind: "channel", id} | {kind: "home"}
    thread: null, // {channel, ts}
    home: null,
    views: [],
    files: [],
    unread: {},
    rawAll: false,
    rawOpen: new Set(),
    loaded: false,
    generation: 0, // bumped by a reset or a member switch: older answers are dropped
    resetting: false,
  };

  /* ---------- talking to the stand-in ---------- */

  async function api(method, url, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url, init);
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const why = data && (data.error || data.message);
      throw new Error(why ? String(why) : `the sandbox answered HTTP ${res.status}`);
    }
    return data || {};
  }

  // A command, action or form goes to Benchmate through the stand-in; anything but a
  // clean answer is shown, so the page never just sits there.
  function checkAnswer(what, data) {
    const status = data && data.status;
    if (typeof status === "number" && status >= 400) {
      notice(`Benchmate answered ${what} with HTTP ${status}${data.error ? `: ${data.error}` : ""}.`, true);
      return false;
    }
    if (data && data.error) {
      notice(`${what}: ${describeError(data.error)}`, true);
      return false;
    }
    return true;
  }

  // A Slack-style error ({ok: false, error, response_metadata: {messages}}) or a string.
  function describeError(error) {
    if (typeof error !== "object" || error === null) return String(error);
    const messages = (error.response_metadata && error.response_metadata.messages) || [];
    return [error.error || JSON.stringify(error), ...messages].join("; ");
  }

  let noticeTimer = null;
  function notice(text, isError) {
    const n = $("notice");
    $("notice-text").textContent = text;
    n.hidden = !text;
    n.classList.toggle("error", Boolean(isError));
    clearTimeout(noticeTimer);
    if (text && !isError) noticeTimer = setTimeout(() => (n.hidden = true), 6000);
  }

  let inflight = false;
  let again = false;
  async function refresh() {
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    try {
      if (!S.member) {
        // Nobody chosen yet (no ?member=): the workspace's first member.
        const all = await api("GET", "/sandbox/export");
        S.members = all.members || [];
        renderMembers();
        if (!S.members.length) throw new Error("the sandbox has no members yet");
        S.member = S.members[0].id;
        $("member").value = S.member;
      }
    } catch (e) {
      inflight = false;
      notice(`The sandbox isn't answering (${e.message}). Is \`benchmate sandbox\` still running?`, true);
      return;
    }
    const member = S.member;
    const generation = S.generation;
    try {
      const q = new URLSearchParams({ since: String(S.since) });
      if (member) q.set("member", member);
      const data = await api("GET", `/sandbox/state?${q}`);
      // An answer begun before a reset or a member switch belongs to the old picture.
      if (member === S.member && generation === S.generation && !S.resetting) apply(data);
      if (S.offline) {
        S.offline = false;
        notice("");
      }
    } catch (e) {
      S.offline = true;
      notice(`The sandbox isn't answering (${e.message}). Is \`benchmate sandbox\` still running?`, true);
    } finally {
      inflight = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  /* ---------- state ---------- */

  function names() {
    const users = {};
    for (const m of S.members) users[m.id] = m.name;
    const channels = {};
    for (const c of S.channels) channels[c.id] = c.name;
    return { users, channels };
  }

  function memberInfo(id) {
    return S.members.find((m) => m.id === id);
  }

  function apply(data) {
    S.now = data.now || S.now;
    $("now").textContent = S.now ? fmtInstant(S.now) : "…";
    if (S.now) $("now").setAttribute("datetime", S.now);
    $("spec-mode").textContent = data.spec_mode ? `Slack API check: ${data.spec_mode}` : "";

    if (data.members && JSON.stringify(data.members) !== JSON.stringify(S.members)) {
      S.members = data.members;
      renderMembers();
    }
    if (data.channels && JSON.stringify(data.channels) !== JSON.stringify(S.channels)) {
      S.channels = data.channels;
      if (!S.current || (S.current.kind === "channel" && !S.channels.some((c) => c.id === S.current.id))) {
        const dm = S.channels.find((c) => c.kind === "dm") || S.channels[0];
        S.current = dm ? { kind: "channel", id: dm.id } : { kind: "home" };
      }
    }
    if ((data.messages || []).length) threads = null;
    for (const m of data.messages || []) {
      const key = `${m.channel}:${m.ts}`;
      const fresh = !S.messages.has(key);
      if (m.deleted) S.messages.delete(key);
      else S.messages.set(key, m);
      const visibleNow = S.current && S.current.kind === "channel" && S.current.id === m.channel;
      if (fresh && S.loaded && !visibleNow && !m.thread_ts) S.unread[m.channel] = (S.unread[m.channel] || 0) + 1;
    }
    // Web API calls the stand-in refused (Slack's own error codes): Benchmate's mistakes
    // are shown, not swallowed.
    for (const e of data.errors || []) {
      const why = (e.messages || []).join("; ");
      notice(`Benchmate called ${e.method} and the stand-in refused it: ${e.error}${why ? ` (${why})` : ""}.`, true);
    }
    if (typeof data.seq === "number") S.since = data.seq;
    S.files = data.files || S.files;
    const homeChanged = JSON.stringify(data.home || null) !== JSON.stringify(S.home);
    S.home = data.home || null;
    S.views = data.views || [];
    S.loaded = true;

    renderSidebar();
    renderPane(false); // only what changed: a poll never redraws the conversation
    if (homeChanged && S.current && S.current.kind === "home") renderHome();
    renderThread();
    renderModal();
  }

  /* ---------- time ---------- */

  function tzFor(member) {
    const info = memberInfo(member);
    return (info && info.tz) || "UTC";
  }

  function fmt(date, opts) {
    const timeZone = tzFor(S.member);
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone }, opts)).format(date);
    } catch (e) {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: "UTC" }, opts)).format(date);
    }
  }

  function zoneLabel() {
    return tzFor(S.member).split("/").pop().replace(/_/g, " ");
  }

  function fmtInstant(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return `${fmt(d, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" })} · ${zoneLabel()}`;
  }

  // Minutes east of UTC of `timeZone` at the instant `ms`.
  function offsetMinutes(ms, timeZone) {
    const parts = {};
    const f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
    const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    return Math.round((wall - ms) / 60000);
  }

  // "2026-12-04T14:00" on the member's wall clock -> the UTC instant, ISO.
  function wallToUtc(value, timeZone) {
    const [d, t] = value.split("T");
    const [y, mo, da] = d.split("-").map(Number);
    const [h, mi] = t.split(":").map(Number);
    const wall = Date.UTC(y, mo - 1, da, h, mi);
    let utc = wall - offsetMinutes(wall, timeZone) * 60000;
    utc = wall - offsetMinutes(utc, timeZone) * 60000; // again, across a DST change
    return new Date(utc).toISOString();
  }

  function fmtTs(ts) {
    const d = new Date(parseFloat(ts) * 1000);
    if (Number.isNaN(d.getTime())) return "";
    return fmt(d, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  /* ---------- sidebar ---------- */

  function renderMembers() {
    const select = $("member");
    select.textContent = "";
    for (const m of S.members) {
      const role = [m.is_coordinator ? "coordinator" : m.role, m.lab_section].filter(Boolean).join(", ");
      select.append(el("option", { value: m.id, text: role ? `${m.name} · ${role}` : m.name }));
    }
    if (S.member) select.value = S.member;
  }

  function sideItem(label, selected, onClick, badge) {
    const b = el("button", { type: "button", class: "side-item", "aria-current": selected ? "page" : null }, label);
    if (badge) b.append(el("span", { class: "badge", text: String(badge), "aria-label": `${badge} new` }));
    b.addEventListener("click", onClick);
    return el("li", {}, b);
  }

  function renderSidebar() {
    const info = memberInfo(S.member);
    $("jump-label").textContent = `Jump to (${zoneLabel()})`;
    $("member-title").textContent = info ? [info.title, info.is_coordinator ? "program coordinator" : ""].filter(Boolean).join(" · ") : "";
    const apps = $("apps");
    const chans = $("channels");
    apps.textContent = "";
    chans.textContent = "";
    const onHome = S.current && S.current.kind === "home";
    apps.append(sideItem("🏠 Benchmate · Home", onHome, () => go({ kind: "home" })));
    for (const c of S.channels) {
      const selected = S.current && S.current.kind === "channel" && S.current.id === c.id;
      const label = c.kind === "dm" ? `💬 ${c.name}` : `# ${c.name}`;
      const item = sideItem(label, selected, () => go({ kind: "channel", id: c.id }), S.unread[c.id]);
      (c.kind === "dm" ? apps : chans).append(item);
    }
    const files = $("files");
    files.textContent = "";
    $("files-heading").hidden = !S.files.length;
    for (const f of S.files) {
      const href = f.url || `/sandbox/files/${encodeURIComponent(f.id)}`;
      files.append(el("li", {}, el("a", { href, download: f.name || "", class: "side-item", text: `📎 ${f.name || f.id}` })));
    }
  }

  function go(where) {
    S.current = where;
    if (where.kind === "channel") delete S.unread[where.id];
    S.thread = null;
    renderSidebar();
    renderPane(true);
    renderThread();
    if (where.kind === "home") {
      // Slack sends app_home_opened; Benchmate publishes the Home tab in answer.
      api("POST", "/sandbox/home", { member: S.member })
        .then((d) => checkAnswer("opening the Home tab", d))
        .catch((e) => notice(`Opening the Home tab failed: ${e.message}`, true))
        .finally(refresh);
    } else $("composer-input").focus();
  }

  /* ---------- the main pane ---------- */

  function channelName(id) {
    const c = S.channels.find((x) => x.id === id);
    return c ? (c.kind === "dm" ? c.name : `#${c.name}`) : id;
  }

  function visible(m) {
    return !m.ephemeral || !m.visible_to || m.visible_to === S.member;
  }

  function sorted(filter) {
    return Array.from(S.messages.values()).filter((m) => visible(m) && filter(m))
      .sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts) || (a.seq || 0) - (b.seq || 0));
  }

  // Replies by their parent's key, built once per change of the messages (not once per
  // message per poll: a long DM would cost its length squared every 500 ms).
  let threads = null;
  function repliesOf(m) {
    if (!threads) {
      threads = new Map();
      for (const r of sorted((x) => x.thread_ts && x.thread_ts !== x.ts)) {
        const parent = `${r.channel}:${r.thread_ts}`;
        if (!threads.has(parent)) threads.set(parent, []);
        threads.get(parent).push(r);
      }
    }
    return threads.get(`${m.channel}:${m.ts}`) || [];
  }

  function renderPane(force) {
    const onHome = S.current && S.current.kind === "home";
    $("home").hidden = !onHome;
    $("conversation").hidden = onHome;
    if (onHome) {
      $("pane-title").textContent = "Benchmate · Home";
      if (force) renderHome();
      return;
    }
    if (!S.current) return;
    $("pane-title").textContent = channelName(S.current.id);
    $("composer-label").textContent = `Message ${channelName(S.current.id)}`;
    const top = sorted((m) => m.channel === S.current.id && (!m.thread_ts || m.thread_ts === m.ts));
    syncList($("messages"), top, (m) => messageNode(m, true), force);
    if (!top.length && !$("messages").children.length) {
      $("messages").append(el("li", { class: "empty", text: "No messages yet. Try /win, /goal, /mentor or /program help." }));
    }
  }

  // Keeps one <li> per message: only new or changed messages are (re)built, so the
  // aria-live list announces additions and not the whole conversation again.
  function syncList(list, msgs, build, force) {
    if (force) list.textContent = "";
    for (const e of list.querySelectorAll(".empty")) e.remove();
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const wanted = new Set(msgs.map((m) => `${m.channel}:${m.ts}`));
    const nodes = new Map();
    for (const node of Array.from(list.children)) {
      if (wanted.has(node.dataset.key)) nodes.set(node.dataset.key, node);
      else node.remove();
    }
    let added = false;
    msgs.forEach((m, i) => {
      const key = `${m.channel}:${m.ts}`;
      const sig = signature(m);
      const node = nodes.get(key);
      if (node && node.dataset.sig === sig) return;
      const fresh = build(m);
      fresh.dataset.key = key;
      fresh.dataset.sig = sig;
      if (node) node.replaceWith(fresh);
      else {
        const before = list.children[i] || null;
        list.insertBefore(fresh, before);
        added = true;
      }
    });
    if (added && (nearBottom || force)) list.scrollTop = list.scrollHeight;
  }

  function signature(m) {
    const replies = m.thread_ts && m.thread_ts !== m.ts ? 0 : repliesOf(m).length;
    // A message that changes gets a new seq (the stand-in's promise), so seq stands for it.
    return `${m.seq}|${replies}|${S.rawAll}|${S.rawOpen.has(`${m.channel}:${m.ts}`)}`;
  }

  function author(m) {
    if (m.bot) return "Benchmate";
    const info = memberInfo(m.user);
    return info ? info.name : m.user || "someone";
  }

  function messageNode(m, inMain) {
    const key = `${m.channel}:${m.ts}`;
    const who = author(m);
    const li = el("li", { class: `msg${m.bot ? " bot" : ""}${m.ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts });
    li.append(el("div", { class: "avatar", "aria-hidden": "true", text: m.bot ? "🧪" : who.slice(0, 1).toUpperCase() }));
    const body = el("div", { class: "msg-body" });
    const head = el("div", { class: "msg-head" }, el("strong", { text: who }));
    if (m.bot) head.append(el("span", { class: "app-tag", text: "APP" }));
    head.append(el("time", { class: "ts", text: fmtTs(m.ts) }));
    const open = S.rawAll || S.rawOpen.has(key);
    const rawBtn = el("button", { type: "button", class: "raw-toggle", "aria-expanded": open ? "true" : "false", text: "{ } JSON" });
    rawBtn.setAttribute("aria-label", `Raw JSON of ${who}'s message at ${fmtTs(m.ts)}`);
    rawBtn.addEventListener("click", () => {
      if (S.rawOpen.has(key)) S.rawOpen.delete(key);
      else S.rawOpen.add(key);
      renderPane(false);
      renderThread();
    });
    head.append(rawBtn);
    body.append(head);
    if (m.ephemeral) body.append(el("div", { class: "only-you", text: "👁 Only visible to you" }));

    const content = el("div", { class: "msg-content" });
    const ctx = Object.assign(names(), {
      onAction: (action) => act({ type: "message", channel: m.channel, ts: m.ts, is_ephemeral: Boolean(m.ephemeral) }, action),
    });
    if (m.blocks && m.blocks.length) content.append(window.BlockKit.render(m.blocks, ctx));
    else content.append(window.BlockKit.mrkdwn(m.text || "", ctx));
    body.append(content);

    for (const f of m.files || []) body.append(fileNode(f));

    if (m.reactions && m.reactions.length) {
      const row = el("div", { class: "reactions" });
      for (const r of m.reactions) {
        const n = (r.users || []).length || r.count || 1;
        const glyph = window.BlockKit.withEmoji(`:${r.name}:`);
        row.append(el("span", { class: "reaction", title: `:${r.name}:`, "aria-label": `${r.name.replace(/_/g, " ")} reaction, ${n}`, text: `${glyph} ${n}` }));
      }
      body.append(row);
    }
    if (inMain && !m.ephemeral) {
      const replies = repliesOf(m);
      if (replies.length) {
        const b = el("button", { type: "button", class: "thread-link", text: `${replies.length} ${replies.length === 1 ? "reply" : "replies"}` });
        b.addEventListener("click", () => openThread(m));
        body.append(b);
      } else {
        // In the header, shown on hover or keyboard focus, as Slack's own.
        const b = el("button", { type: "button", class: "reply-toggle", text: "💬 Reply in thread" });
        b.addEventListener("click", () => openThread(m));
        rawBtn.before(b);
      }
    }
    if (open) body.append(el("pre", { class: "raw", text: JSON.stringify(m, null, 2) }));
    li.append(body);
    return li;
  }

  function fileNode(f) {
    const href = f.url || `/sandbox/files/${encodeURIComponent(f.id)}`;
    const box = el("div", { class: "file" });
    if (/\.(png|jpe?g|gif|svg|webp)$/i.test(f.name || "") || /^image\//.test(f.mimetype || "")) {
      box.append(el("img", { class: "file-image", src: href, alt: f.title || f.name || "an image" }));
    }
    box.append(el("a", { href, download: f.name || "", text: `⬇ Download ${f.name || "the file"}` }));
    return box;
  }

  function renderHome() {
    const home = $("home");
    home.textContent = "";
    if (!S.home) {
      home.append(el("p", { class: "empty", text: "Loading the Home tab…" }));
      return;
    }
    const viewId = S.home.id || S.home.view_id;
    const ctx = Object.assign(names(), { inView: true, onAction: (action) => act({ type: "view", view_id: viewId }, action, home) });
    home.append(window.BlockKit.render(S.home.blocks || [], ctx));
    if (S.rawAll) home.append(el("pre", { class: "raw", text: JSON.stringify(S.home, null, 2) }));
  }

  /* ---------- thread pane ---------- */

  function openThread(m) {
    S.thread = { channel: m.channel, ts: m.ts };
    renderThread(true);
    $("thread-input").focus();
  }

  function renderThread(force) {
    const pane = $("thread");
    const t = S.thread;
    const parent = t && S.messages.get(`${t.channel}:${t.ts}`);
    pane.hidden = !parent;
    if (!parent) {
      $("thread-messages").textContent = "";
      return;
    }
    $("thread-title").textContent = `Thread in ${channelName(parent.channel)}`;
    syncList($("thread-messages"), [parent, ...repliesOf(parent)], (m) => messageNode(m, false), force);
  }

  /* ---------- sending ---------- */

  async function act(container, action, viewRoot) {
    const payload = Object.assign({ member: S.member, container }, action);
    if (viewRoot) payload.values = window.BlockKit.stateValues(viewRoot); // the view's state now
    try {
      const d = await api("POST", "/sandbox/action", payload);
      checkAnswer("the click", d);
    } catch (e) {
      notice(`That click didn't reach Benchmate: ${e.message}`, true);
    }
    refresh();
  }

  // A file's bytes for the JSON API (the sandbox takes JSON bodies only).
  async function base64Of(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  async function uploadFile(file, where) {
    const body = { member: S.member, name: file.name, content_base64: await base64Of(file) };
    return api("POST", "/sandbox/upload", Object.assign(body, where));
  }

  // A file attached to a message: shared with the box's text as its message, as Slack
  // does (in the app's DM Benchmate gets the file_share event).
  async function sendFile(textarea, picker, channel) {
    const file = picker.files[0];
    try {
      const d = await uploadFile(file, { channel, text: textarea.value });
      textarea.value = "";
      picker.value = "";
      if (checkAnswer("the file", d) && d.delivered === false) {
        notice(`Shared ${file.name} in ${channelName(channel)}. Benchmate reads only its own DMs, so it got nothing.`);
      }
    } catch (e) {
      notice(`${file.name} was not shared: ${e.message}. It is still attached.`, true);
    }
    refresh();
  }

  async function send(textarea, threadTs, picker) {
    const text = textarea.value;
    const channel = threadTs ? S.thread.channel : S.current && S.current.id;
    if (picker && picker.files && picker.files.length) return sendFile(textarea, picker, channel);
    if (!text.trim()) return;
    try {
      let d;
      const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
      if (slash) {
        d = await api("POST", "/sandbox/command", { member: S.member, command: `/${slash[1]}`, text: slash[2], channel });
      } else {
        const body = { member: S.member, channel, text };
        if (threadTs) body.thread_ts = threadTs;
        d = await api("POST", "/sandbox/message", body);
      }
      textarea.value = ""; // only once it was taken: a failed send keeps the text
      if (checkAnswer(slash ? `/${slash[1]}` : "the message", d) && d.delivered === false) {
        notice(`Posted in ${channelName(channel)}. Benchmate reads only its own DMs (the manifest subscribes to message.im), so it got nothing.`);
      }
    } catch (e) {
      notice(`Not sent: ${e.message}. Your text is still in the box.`, true);
    }
    refresh();
  }

  function composer(form, textarea, threadTs, picker) {
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      send(textarea, threadTs(), picker);
    });
    textarea.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        send(textarea, threadTs(), picker);
      }
    });
  }

  /* ---------- modals ---------- */

  let shownView = null; // "id|json" of the view on screen
  let shownHadFields = false;
  let opener = null;

  function topView() {
    return S.views.length ? S.views[S.views.length - 1] : null;
  }

  function renderModal() {
    const dialog = $("modal");
    const top = topView();
    if (!top) {
      if (dialog.open) dialog.close();
      if (shownView && opener && document.contains(opener)) opener.focus();
      shownView = null;
      return;
    }
    const key = `${top.id}|${JSON.stringify(top.view)}`;
    if (key === shownView) return;
    const sameView = shownView && shownView.startsWith(`${top.id}|`);
    shownView = key;
    const view = top.view || {};
    $("modal-title").textContent = window.BlockKit.plainString(view.title) || "Benchmate";
    const body = $("modal-body");
    body.textContent = "";
    const ctx = Object.assign(names(), {
      inView: true,
      onAction: (action) => act({ type: "view", view_id: top.id }, action, body),
      onUpload: async (file) => {
        try {
          return (await uploadFile(file, {})).file;
        } catch (e) {
          notice(`${file.name} was not uploaded: ${e.message}`, true);
          return null;
        }
      },
    });
    body.append(window.BlockKit.render(view.blocks || [], ctx));
    $("modal-json").textContent = JSON.stringify(top, null, 2);
    $("modal-json").hidden = !$("modal-raw").checked && !S.rawAll;
    $("modal-close").textContent = window.BlockKit.plainString(view.close) || (view.submit ? "Cancel" : "Close");
    $("modal-submit").hidden = !view.submit;
    $("modal-submit").textContent = window.BlockKit.plainString(view.submit) || "Submit";
    if (!dialog.open) {
      opener = document.activeElement;
      dialog.showModal();
    }
    // A new view: focus its first field. The same view updated (e.g. "Finding matches…"
    // becoming the form): focus its first field only if the old one had none, so a
    // person in the middle of a form keeps their place.
    const hasFields = Boolean(body.querySelector("input, select, textarea"));
    if (!sameView || (hasFields && !shownHadFields)) {
      const first = body.querySelector("input, select, textarea, button");
      (first || $("modal-close")).focus();
    }
    shownHadFields = hasFields;
  }

  async function submitModal() {
    const top = topView();
    if (!top) return;
    const body = $("modal-body");
    await window.BlockKit.uploadsDone(body);
    const missing = window.BlockKit.missingRequired(body);
    if (Object.keys(missing).length) {
      window.BlockKit.showErrors(body, missing);
      return;
    }
    const submit = $("modal-submit");
    submit.disabled = true;
    try {
      const d = await api("POST", "/sandbox/submit", { member: S.member, view_id: top.id, values: window.BlockKit.stateValues(body) });
      const answer = (d && d.response) || {};
      if (answer.response_action === "errors") window.BlockKit.showErrors(body, answer.errors || {});
      else {
        window.BlockKit.showErrors(body, {});
        checkAnswer("the form", d);
      }
    } catch (e) {
      notice(`The form didn't reach Benchmate: ${e.message}. Your answers are still in it.`, true);
    } finally {
      submit.disabled = false;
    }
    refresh();
  }

  async function closeModal() {
    const top = topView();
    if (!top) {
      $("modal").close();
      return;
    }
    try {
      await api("POST", "/sandbox/close", { member: S.member, view_id: top.id });
    } catch (e) {
      notice(`Closing failed: ${e.message}`, true);
    }
    refresh();
  }

  /* ---------- clock, reset ---------- */

  async function clock(body) {
    const buttons = document.querySelectorAll(".clock button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const d = await api("POST", "/sandbox/clock", body);
      const sent = Array.isArray(d.sent) ? d.sent.length : Number(d.sent || 0);
      S.now = d.now || S.now;
      $("now").textContent = S.now ? fmtInstant(S.now) : "…";
      notice(`Clock moved to ${fmtInstant(d.now)}. Benchmate sent ${sent} message${sent === 1 ? "" : "s"}.`);
    } catch (e) {
      notice(`The clock didn't move: ${e.message}`, true);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
    refresh();
  }

  async function reset() {
    if (!window.confirm("Reset the sandbox to the seeded demo lab? Everything done since is lost.")) return;
    const button = $("reset");
    button.disabled = true;
    S.resetting = true;
    notice("Resetting: Benchmate restarts and the demo lab is seeded again (about 10 s)…");
    try {
      await api("POST", "/sandbox/reset", {});
      S.generation += 1;
      S.messages.clear();
      threads = null;
      S.since = 0;
      S.thread = null;
      S.unread = {};
      S.home = null;
      notice("The sandbox is back to the seeded demo lab.");
    } catch (e) {
      notice(`Reset failed: ${e.message}`, true);
    } finally {
      S.resetting = false;
      button.disabled = false;
    }
    renderPane(true);
    renderThread();
    refresh();
  }

  /* ---------- wiring ---------- */

  function start() {
    $("member").addEventListener("change", (ev) => {
      S.member = ev.target.value;
      S.generation += 1;
      const url = new URL(location.href);
      url.searchParams.set("member", S.member);
      history.replaceState(null, "", url);
      S.messages.clear();
      threads = null;
      S.since = 0;
      S.thread = null;
      S.home = null;
      S.unread = {};
      S.loaded = false;
      S.current = S.current && S.current.kind === "home" ? S.current : null;
      S.channels = [];
      shownView = null;
      $("messages").textContent = "";
      refresh();
      if (S.current && S.current.kind === "home") go(S.current);
    });
    composer($("composer"), $("composer-input"), () => null, $("composer-file"));
    composer($("thread-composer"), $("thread-input"), () => S.thread && S.thread.ts);
    $("thread-close").addEventListener("click", () => {
      S.thread = null;
      renderThread();
      $("composer-input").focus();
    });
    // On the chosen member's own clock, as Benchmate's prompts are.
    $("jump-friday").addEventListener("click", () =>
      clock({ next: { weekday: "friday", time: "14:00", tz: tzFor(S.member) } }));
    $("plus-day").addEventListener("click", () => clock({ plus: { days: 1 } }));
    $("plus-weeks").addEventListener("click", () => clock({ plus: { weeks: 2 } }));
    $("jump-go").addEventListener("click", () => {
      const v = $("jump-to").value;
      if (!v) {
        notice("Pick a date and time first.", true);
        $("jump-to").focus();
        return;
      }
      let to;
      try {
        to = wallToUtc(v, tzFor(S.member));
      } catch (e) {
        to = `${v}Z`;
      }
      clock({ to });
    });
    $("reset").addEventListener("click", reset);
    $("notice-close").addEventListener("click", () => notice(""));
    $("raw-all").addEventListener("change", (ev) => {
      S.rawAll = ev.target.checked;
      renderPane(true);
      renderThread(true);
      $("modal-json").hidden = !$("modal-raw").checked && !S.rawAll;
    });
    $("modal-raw").addEventListener("change", (ev) => {
      $("modal-json").hidden = !ev.target.checked && !S.rawAll;
    });
    $("modal-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitModal();
    });
    $("modal-close").addEventListener("click", closeModal);
    $("modal").addEventListener("cancel", (ev) => {
      ev.preventDefault(); // Escape: ask the stand-in to close the view (view_closed)
      closeModal();
    });
    refresh();
    setInterval(() => {
      if (!document.hidden) refresh();
    }, POLL_MS);
  }

  window.Sandbox = { state: S, refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
