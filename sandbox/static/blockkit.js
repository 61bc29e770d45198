/* Block Kit rendered with DOM nodes, never innerHTML: every piece of text from Slack
   JSON (and so from people) goes in with textContent, so it stays inert.

   BlockKit.render(blocks, ctx) -> DocumentFragment
     ctx.users: {id: name}, ctx.channels: {id: name}
     ctx.onAction(action): called with a Slack block_actions "action" object
       ({type, action_id, block_id, value | selected_option | ...}); omitted = not interactive
     ctx.inView: true inside a modal or Home tab (selects in input blocks only keep state)
   BlockKit.mrkdwn(text, ctx) -> DocumentFragment
   BlockKit.stateValues(root) -> Slack's view.state.values shape
   BlockKit.uploadsDone(root) -> a promise: files picked in a form are uploaded
   BlockKit.missingRequired(root) -> {block_id: message} for empty required inputs
   BlockKit.showErrors(root, errors) -> marks the fields (response_action: errors) */
"use strict";

(function () {
  // The shortcodes Benchmate uses, and a few common ones. Unknown ones stay as typed
  // (":00:" in "14:00:" must not vanish).
  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️",
    trophy: "🏆", lock: "🔒", sparkles: "✨", calendar: "📆", date: "📅",
    spiral_calendar_pad: "🗓️", mega: "📣", loudspeaker: "📢", tada: "🎉", wave: "👋",
    handshake: "🤝", dart: "🎯", pray: "🙏", hourglass: "⌛", hourglass_flowing_sand: "⏳",
    bar_chart: "📊", chart_with_upwards_trend: "📈", alarm_clock: "⏰", zzz: "💤",
    triangular_flag_on_post: "🚩", thumbsup: "👍", "+1": "👍", thumbsdown: "👎",
    ok_hand: "👌", no_bell: "🔕", bell: "🔔", muscle: "💪", mortar_board: "🎓",
    mailbox_with_mail: "📬", leftwards_arrow_with_hook: "↩️", memo: "📝", bulb: "💡",
    star: "⭐", star2: "🌟", eyes: "👀", rocket: "🚀", heart: "❤️", clap: "👏",
    raised_hands: "🙌", seedling: "🌱", books: "📚", microscope: "🔬", test_tube: "🧪",
    pushpin: "📌", information_source: "ℹ️", page_facing_up: "📄", speech_balloon: "💬",
    smile: "😄", slightly_smiling_face: "🙂", link: "🔗", inbox_tray: "📥",
    busts_in_silhouette: "👥", bust_in_silhouette: "👤", arrows_counterclockwise: "🔄",
    stopwatch: "⏱️", no_entry: "⛔", question: "❓", exclamation: "❗", pencil2: "✏️",
    wastebasket: "🗑️", gear: "⚙️", party_popper: "🎉", confetti_ball: "🎊",
  };

  function emoji(name) {
    return EMOJI[name] || null;
  }

  function withEmoji(text) {
    return String(text).replace(/:([a-z0-9_+-]+):/g, (m, name) => emoji(name) || m);
  }

  function decode(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  let counter = 0;
  function uid(prefix) {
    counter += 1;
    return `${prefix}-${counter}`;
  }

  /* ---------- mrkdwn ---------- */

  function safeHref(url) {
    // Only web links become links; anything else (javascript:, data:, ...) stays text.
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function angle(inner, ctx) {
    // <url|label>, <@U1>, <@U1|name>, <#C1|name>, <!here>, <!date^...|fallback>
    const bar = inner.indexOf("|");
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : null;
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const name = (ctx.users && ctx.users[id]) || label || id;
      return el("span", { class: "bk-mention", "data-user": id, text: `@${name}` });
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = (ctx.channels && ctx.channels[id]) || label || id;
      return el("span", { class: "bk-mention", text: `#${name}` });
    }
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^")[0];
      if (word === "date") return document.createTextNode(decode(label || ""));
      return el("span", { class: "bk-mention", text: `@${decode(label || word)}` });
    }
    const href = safeHref(decode(target));
    const text = decode(label !== null ? label : target);
    if (!href) return document.createTextNode(text);
    return el("a", { href, target: "_blank", rel: "noopener noreferrer", text });
  }

  // One pass over a line: links/mentions, inline code, then *bold*, _italic_, ~strike~
  // (parsed again inside), :emoji:.
  const INLINE = new RegExp(
    [
      "<([^<>\\n]+)>",
      "`([^`\\n]+)`",
      "(?<![\\w*])\\*(?!\\s)([^*\\n]+?)\\*(?![\\w*])",
      "(?<![\\w_])_(?!\\s)([^_\\n]+?)_(?![\\w_])",
      "(?<![\\w~])~(?!\\s)([^~\\n]+?)~(?![\\w~])",
      ":([a-z0-9_+-]+):",
    ].join("|"),
    "g",
  );

  function inline(text, ctx, into) {
    let last = 0;
    INLINE.lastIndex = 0;
    let m;
    while ((m = INLINE.exec(text)) !== null) {
      if (m.index > last) into.append(decode(text.slice(last, m.index)));
      if (m[1] !== undefined) into.append(angle(m[1], ctx));
      else if (m[2] !== undefined) into.append(el("code", { text: decode(m[2]) }));
      else if (m[3] !== undefined) into.append(nested("strong", m[3], ctx));
      else if (m[4] !== undefined) into.append(nested("em", m[4], ctx));
      else if (m[5] !== undefined) into.append(nested("s", m[5], ctx));
      else into.append(emoji(m[6]) || m[0]);
      last = INLINE.lastIndex;
    }
    if (last < text.length) into.append(decode(text.slice(last)));
  }

  function nested(tag, text, ctx) {
    const node = el(tag);
    const saved = INLINE.lastIndex;
    inline(text, ctx, node);
    INLINE.lastIndex = saved;
    return node;
  }

  function mrkdwn(text, ctx) {
    ctx = ctx || {};
    const frag = document.createDocumentFragment();
    const parts = String(text || "").split("```");
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        frag.append(el("pre", { class: "bk-pre", text: decode(part.replace(/^\n/, "")) }));
        return;
      }
      const lines = part.split("\n");
      let quote = null;
      lines.forEach((line, j) => {
        const q = /^(&gt;|>)\s?(.*)$/.exec(line);
        if (q) {
          if (!quote) {
            quote = el("blockquote", { class: "bk-quote" });
            frag.append(quote);
          } else quote.append(el("br"));
          inline(q[2], ctx, quote);
          return;
        }
        quote = null;
        inline(line, ctx, frag);
        if (j < lines.length - 1) frag.append(el("br"));
      });
    });
    return frag;
  }

  function textObject(obj, ctx) {
    if (!obj) return document.createDocumentFragment();
    if (typeof obj === "string") return document.createTextNode(obj);
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    const raw = obj.text == null ? "" : String(obj.text);
    return document.createTextNode(obj.emoji === false ? raw : withEmoji(raw));
  }

  function plainString(obj) {
    if (!obj) return "";
    const raw = typeof obj === "string" ? obj : String(obj.text == null ? "" : obj.text);
    return withEmoji(raw);
  }

  /* ---------- images ---------- */

  function imageSrc(block) {
    if (block.image_url) {
      const url = String(block.image_url);
      return /^(https?:\/\/|\/)/i.test(url) ? url : null;
    }
    const file = block.slack_file;
    if (file && file.id) return `/sandbox/files/${encodeURIComponent(file.id)}`;
    if (file && file.url) return /^(https?:\/\/|\/)/i.test(file.url) ? file.url : null;
    return null;
  }

  function image(block, cls) {
    const img = el("img", { class: cls, alt: block.alt_text || "", loading: "lazy" });
    const src = imageSrc(block);
    if (src) img.src = src;
    return img;
  }

  /* ---------- elements ---------- */

  function optionLabel(o) {
    return plainString(o && o.text);
  }

  function cleanOption(o) {
    // The option as Slack echoes it in payloads: text and value (and description).
    const out = { text: o.text, value: o.value };
    if (o.description) out.description = o.description;
    return out;
  }

  function allOptions(element) {
    if (element.option_groups) return element.option_groups.flatMap((g) => g.options || []);
    return element.options || [];
  }

  // Stateful controls register a getter on their wrapper so a modal's state can be read
  // in Slack's shapes. `fire` sends a block_actions action when the element is "live".
  function stateful(wrapper, element, blockId, getter) {
    wrapper.dataset.bkState = "1";
    wrapper.dataset.blockId = blockId;
    wrapper.dataset.actionId = element.action_id;
    wrapper.bkValue = getter;
    return wrapper;
  }

  function selectBox(element, opts, id, labelText) {
    const select = el("select", { id, class: "bk-select" });
    if (labelText) select.setAttribute("aria-label", labelText);
    select.append(el("option", { value: "", text: plainString(element.placeholder) || "Choose…" }));
    const groups = element.option_groups || [{ options: opts }];
    for (const g of groups) {
      const parent = g.label ? el("optgroup", { label: plainString(g.label) }) : select;
      for (const o of g.options || []) parent.append(el("option", { value: o.value, text: optionLabel(o) }));
      if (parent !== select) select.append(parent);
    }
    return select;
  }

  function renderElement(element, blockId, ctx, live, labelledBy) {
    const type = element.type;
    const actionId = element.action_id || uid("action");
    element = Object.assign({}, element, { action_id: actionId });
    const id = uid("bk");
    const fire = (extra) => {
      if (live && ctx.onAction) ctx.onAction(Object.assign({ type, action_id: actionId, block_id: blockId }, extra));
    };

    switch (type) {
      case "button": {
        const b = el("button", {
          type: "button",
          class: `bk-button${element.style ? ` bk-${element.style}` : ""}`,
          "data-action-id": actionId,
          "data-block-id": blockId,
          "data-value": element.value,
          "aria-label": element.accessibility_label,
          text: plainString(element.text),
        });
        if (!ctx.onAction) b.disabled = true;
        b.addEventListener("click", () => {
          if (element.url && safeHref(element.url)) window.open(element.url, "_blank", "noopener");
          const extra = { text: element.text };
          if (element.value !== undefined) extra.value = element.value;
          if (ctx.onAction) ctx.onAction(Object.assign({ type, action_id: actionId, block_id: blockId }, extra));
        });
        return b;
      }
      case "overflow": {
        const select = el("select", {
          id,
          class: "bk-select bk-overflow",
          "aria-label": "More actions",
          "data-action-id": actionId,
          "data-block-id": blockId,
        });
        select.append(el("option", { value: "", text: "⋯ More" }));
        for (const o of element.options || []) select.append(el("option", { value: o.value, text: optionLabel(o) }));
        select.addEventListener("change", () => {
          const o = (element.options || []).find((x) => x.value === select.value);
          select.value = "";
          if (o && ctx.onAction) ctx.onAction({ type, action_id: actionId, block_id: blockId, selected_option: cleanOption(o) });
        });
        return select;
      }
      case "static_select":
      case "external_select": {
        const opts = allOptions(element);
        const select = selectBox(element, opts, id, labelledBy ? null : plainString(element.placeholder) || "Choose");
        if (labelledBy) select.setAttribute("aria-labelledby", labelledBy);
        if (element.initial_option) select.value = element.initial_option.value;
        const get = () => {
          const o = opts.find((x) => x.value === select.value);
          return { type, selected_option: o ? cleanOption(o) : null };
        };
        select.addEventListener("change", () => fire({ selected_option: get().selected_option }));
        return stateful(el("div", { class: "bk-field" }, select), element, blockId, get);
      }
      case "multi_static_select":
      case "multi_external_select": {
        const opts = allOptions(element);
        const initial = new Set((element.initial_options || []).map((o) => o.value));
        const box = el("div", { class: "bk-multi", role: "group" });
        if (labelledBy) box.setAttribute("aria-labelledby", labelledBy);
        const inputs = opts.map((o) => {
          const cid = uid("bk");
          const input = el("input", { type: "checkbox", id: cid, value: o.value });
          input.checked = initial.has(o.value);
          box.append(el("div", { class: "bk-choice" }, input, el("label", { for: cid, text: optionLabel(o) })));
          return input;
        });
        const get = () => ({
          type,
          selected_options: opts.filter((o, i) => inputs[i].checked).map(cleanOption),
        });
        box.addEventListener("change", () => fire({ selected_options: get().selected_options }));
        return stateful(box, element, blockId, get);
      }
      case "users_select":
      case "multi_users_select":
      case "conversations_select":
      case "channels_select": {
        const people = type.includes("users");
        const source = people ? ctx.users || {} : ctx.channels || {};
        const multi = type.startsWith("multi");
        const select = el("select", { id, class: "bk-select" });
        if (multi) select.multiple = true;
        if (labelledBy) select.setAttribute("aria-labelledby", labelledBy);
        else select.setAttribute("aria-label", plainString(element.placeholder) || "Choose");
        if (!multi) select.append(el("option", { value: "", text: plainString(element.placeholder) || "Choose…" }));
        for (const [key, name] of Object.entries(source)) {
          select.append(el("option", { value: key, text: people ? name : `#${name}` }));
        }
        const initial = element.initial_user || element.initial_conversation || element.initial_channel;
        if (initial) select.value = initial;
        for (const u of element.initial_users || []) {
          const o = Array.from(select.options).find((x) => x.value === u);
          if (o) o.selected = true;
        }
        const get = () => {
          if (type === "users_select") return { type, selected_user: select.value || null };
          if (type === "multi_users_select")
            return { type, selected_users: Array.from(select.selectedOptions).map((o) => o.value) };
          if (type === "conversations_select") return { type, selected_conversation: select.value || null };
          return { type, selected_channel: select.value || null };
        };
        select.addEventListener("change", () => {
          const v = get();
          delete v.type;
          fire(v);
        });
        return stateful(el("div", { class: "bk-field" }, select), element, blockId, get);
      }
      case "datepicker": {
        const input = el("input", { type: "date", id, class: "bk-control" });
        if (element.initial_date) input.value = element.initial_date;
        if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
        else input.setAttribute("aria-label", plainString(element.placeholder) || "Date");
        const get = () => ({ type, selected_date: input.value || null });
        input.addEventListener("change", () => fire({ selected_date: input.value || null }));
        return stateful(el("div", { class: "bk-field" }, input), element, blockId, get);
      }
      case "timepicker": {
        const input = el("input", { type: "time", id, class: "bk-control" });
        if (element.initial_time) input.value = element.initial_time;
        if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
        else input.setAttribute("aria-label", plainString(element.placeholder) || "Time");
        const get = () => {
          const v = { type, selected_time: input.value || null };
          if (element.timezone) v.timezone = element.timezone;
          return v;
        };
        input.addEventListener("change", () => fire({ selected_time: input.value || null }));
        return stateful(el("div", { class: "bk-field" }, input), element, blockId, get);
      }
      case "datetimepicker": {
        const input = el("input", { type: "datetime-local", id, class: "bk-control" });
        if (element.initial_date_time) {
          input.value = new Date(element.initial_date_time * 1000).toISOString().slice(0, 16);
        }
        if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
        const get = () => ({
          type,
          selected_date_time: input.value ? Math.floor(Date.parse(`${input.value}:00Z`) / 1000) : null,
        });
        input.addEventListener("change", () => fire({ selected_date_time: get().selected_date_time }));
        return stateful(el("div", { class: "bk-field" }, input), element, blockId, get);
      }
      case "plain_text_input":
      case "email_text_input":
      case "url_text_input":
      case "number_input": {
        const multiline = type === "plain_text_input" && element.multiline;
        const kind = { email_text_input: "email", url_text_input: "url", number_input: "text" }[type] || "text";
        const input = multiline
          ? el("textarea", { id, class: "bk-control", rows: 4 })
          : el("input", { type: kind, id, class: "bk-control" });
        if (type === "number_input") input.setAttribute("inputmode", element.is_decimal_allowed ? "decimal" : "numeric");
        if (element.max_length) input.maxLength = element.max_length;
        if (element.placeholder) input.placeholder = plainString(element.placeholder);
        if (element.initial_value !== undefined) input.value = element.initial_value;
        if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
        const get = () => ({ type, value: input.value === "" ? null : input.value });
        input.addEventListener("change", () => {
          if (element.dispatch_action_config || ctx.dispatch) fire({ value: input.value });
        });
        return stateful(el("div", { class: "bk-field" }, input), element, blockId, get);
      }
      case "file_input": {
        // Slack's client uploads a picked file at once and the view's state holds the
        // file objects; `ctx.onUpload(file)` does the upload and gives the object.
        const input = el("input", { type: "file", id, class: "bk-control bk-file" });
        const types = element.filetypes || [];
        if (types.length) input.accept = types.map((t) => `.${t}`).join(",");
        const most = element.max_files || 10;
        if (most > 1) input.multiple = true;
        if (labelledBy) input.setAttribute("aria-labelledby", labelledBy);
        const wrapper = el("div", { class: "bk-field" }, input);
        wrapper.bkFiles = [];
        wrapper.bkPending = Promise.resolve();
        input.addEventListener("change", () => {
          const picked = Array.from(input.files || []).slice(0, most);
          wrapper.bkFiles = [];
          if (!picked.length || !ctx.onUpload) return;
          wrapper.bkPending = Promise.all(picked.map((f) => ctx.onUpload(f))).then((objects) => {
            wrapper.bkFiles = objects.filter(Boolean);
          });
        });
        return stateful(wrapper, element, blockId, () => ({ type, files: wrapper.bkFiles }));
      }
      case "checkboxes":
      case "radio_buttons": {
        const radio = type === "radio_buttons";
        const box = el("div", { class: "bk-choices", role: radio ? "radiogroup" : "group" });
        if (labelledBy) box.setAttribute("aria-labelledby", labelledBy);
        const name = uid("group");
        const initial = new Set(
          radio
            ? element.initial_option ? [element.initial_option.value] : []
            : (element.initial_options || []).map((o) => o.value),
        );
        const opts = element.options || [];
        const inputs = opts.map((o) => {
          const cid = uid("bk");
          const input = el("input", { type: radio ? "radio" : "checkbox", id: cid, name, value: o.value });
          input.checked = initial.has(o.value);
          const label = el("label", { for: cid }, textObject(o.text, ctx));
          const row = el("div", { class: "bk-choice" }, input, label);
          if (o.description) row.append(el("div", { class: "bk-desc" }, textObject(o.description, ctx)));
          box.append(row);
          return input;
        });
        const get = () => {
          const picked = opts.filter((o, i) => inputs[i].checked).map(cleanOption);
          return radio ? { type, selected_option: picked[0] || null } : { type, selected_options: picked };
        };
        box.addEventListener("change", () => {
          const v = get();
          delete v.type;
          fire(v);
        });
        return stateful(box, element, blockId, get);
      }
      case "image":
        return image(element, "bk-accessory-image");
      default:
        return el("span", { class: "bk-unsupported", text: `[${type} element]` });
    }
  }

  /* ---------- rich_text ---------- */

  function richInline(item, ctx) {
    let node;
    switch (item.type) {
      case "text":
        node = document.createTextNode(item.text || "");
        break;
      case "link": {
        const href = safeHref(item.url || "");
        const text = item.text || item.url || "";
        node = href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text }) : document.createTextNode(text);
        break;
      }
      case "user":
        node = el("span", { class: "bk-mention", text: `@${(ctx.users && ctx.users[item.user_id]) || item.user_id}` });
        break;
      case "channel":
        node = el("span", { class: "bk-mention", text: `#${(ctx.channels && ctx.channels[item.channel_id]) || item.channel_id}` });
        break;
      case "emoji":
        node = document.createTextNode(item.unicode
          ? String.fromCodePoint(...item.unicode.split("-").map((h) => parseInt(h, 16)))
          : emoji(item.name) || `:${item.name}:`);
        break;
      case "broadcast":
        node = el("span", { class: "bk-mention", text: `@${item.range}` });
        break;
      case "date":
        node = document.createTextNode(item.fallback || "");
        break;
      default:
        node = document.createTextNode(item.text || "");
    }
    const style = item.style || {};
    if (style.code) node = el("code", {}, node);
    if (style.bold) node = el("strong", {}, node);
    if (style.italic) node = el("em", {}, node);
    if (style.strike) node = el("s", {}, node);
    return node;
  }

  function richElement(part, ctx) {
    const items = (part.elements || []);
    switch (part.type) {
      case "rich_text_list": {
        const list = el(part.style === "ordered" ? "ol" : "ul", { class: "bk-list" });
        for (const sec of items) list.append(el("li", {}, ...((sec.elements || []).map((i) => richInline(i, ctx)))));
        return list;
      }
      case "rich_text_preformatted":
        return el("pre", { class: "bk-pre" }, ...items.map((i) => richInline(i, ctx)));
      case "rich_text_quote":
        return el("blockquote", { class: "bk-quote" }, ...items.map((i) => richInline(i, ctx)));
      default: {
        // rich_text_section: newlines inside text items become line breaks
        const div = el("div", { class: "bk-rich-section" }, ...items.map((i) => richInline(i, ctx)));
        div.style.whiteSpace = "pre-wrap";
        return div;
      }
    }
  }

  /* ---------- blocks ---------- */

  function renderBlock(block, index, ctx) {
    // Benchmate names its blocks; an unnamed one is found by its action_id alone.
    const blockId = block.block_id || "";
    const wrap = el("div", { class: `bk-block bk-${block.type}`, "data-block-id": blockId });
    switch (block.type) {
      case "section": {
        const body = el("div", { class: "bk-section-body" });
        if (block.text) body.append(el("div", { class: "bk-text" }, textObject(block.text, ctx)));
        if (block.fields) {
          const grid = el("div", { class: "bk-fields" });
          for (const f of block.fields) grid.append(el("div", { class: "bk-text" }, textObject(f, ctx)));
          body.append(grid);
        }
        wrap.append(body);
        if (block.accessory) {
          wrap.append(el("div", { class: "bk-accessory" }, renderElement(block.accessory, blockId, ctx, true)));
        }
        break;
      }
      case "header":
        wrap.append(el("h3", { class: "bk-header-text" }, textObject(block.text, ctx)));
        break;
      case "context":
        for (const e of block.elements || []) {
          wrap.append(e.type === "image" ? image(e, "bk-context-image") : el("span", { class: "bk-text" }, textObject(e, ctx)));
        }
        break;
      case "divider":
        wrap.append(el("hr"));
        break;
      case "actions":
        for (const e of block.elements || []) wrap.append(renderElement(e, blockId, ctx, true));
        break;
      case "image": {
        const fig = el("figure", { class: "bk-figure" });
        if (block.title) fig.append(el("figcaption", {}, textObject(block.title, ctx)));
        fig.append(image(block, "bk-image"));
        wrap.append(fig);
        break;
      }
      case "rich_text":
        for (const part of block.elements || []) wrap.append(richElement(part, ctx));
        break;
      case "input": {
        const element = block.element || {};
        const labelId = uid("label");
        const group = ["checkboxes", "radio_buttons", "multi_static_select", "multi_users_select"].includes(element.type);
        const labelText = plainString(block.label);
        const label = el(group ? "div" : "label", { class: "bk-label", id: labelId }, labelText);
        if (block.optional) label.append(el("span", { class: "bk-optional", text: " (optional)" }));
        wrap.append(label);
        const dispatch = Boolean(block.dispatch_action);
        const field = renderElement(element, blockId, Object.assign({}, ctx, { dispatch }), dispatch, labelId);
        const control = field.querySelector("input, select, textarea");
        if (!group && control) {
          label.setAttribute("for", control.id);
          control.removeAttribute("aria-labelledby");
        }
        if (!block.optional) {
          wrap.dataset.required = "1";
          if (control && !group) control.setAttribute("aria-required", "true");
        }
        wrap.append(field);
        if (block.hint) {
          const hintId = uid("hint");
          wrap.append(el("div", { class: "bk-hint", id: hintId }, textObject(block.hint, ctx)));
          if (control) control.setAttribute("aria-describedby", hintId);
        }
        wrap.append(el("div", { class: "bk-error", id: `${labelId}-error`, role: "alert", hidden: true }));
        break;
      }
      case "file":
        wrap.append(el("span", { class: "bk-unsupported", text: "[a file]" }));
        break;
      default:
        wrap.append(el("span", { class: "bk-unsupported", text: `[${block.type} block]` }));
    }
    return wrap;
  }

  function render(blocks, ctx) {
    ctx = ctx || {};
    const frag = document.createDocumentFragment();
    (blocks || []).forEach((b, i) => frag.append(renderBlock(b, i, ctx)));
    return frag;
  }

  /* ---------- modal state and errors ---------- */

  function stateValues(root) {
    const values = {};
    for (const node of root.querySelectorAll("[data-bk-state]")) {
      const b = node.dataset.blockId;
      values[b] = values[b] || {};
      values[b][node.dataset.actionId] = node.bkValue();
    }
    return values;
  }

  // Files picked in a form are still uploading: wait for them before reading its state.
  function uploadsDone(root) {
    return Promise.all(Array.from(root.querySelectorAll("[data-bk-state]"), (n) => n.bkPending));
  }

  function isEmpty(v) {
    if (!v) return true;
    if ("files" in v) return v.files.length === 0;
    if ("value" in v) return v.value === null || v.value === "";
    if ("selected_options" in v) return v.selected_options.length === 0;
    if ("selected_users" in v) return v.selected_users.length === 0;
    for (const k of ["selected_option", "selected_date", "selected_time", "selected_user",
      "selected_conversation", "selected_channel", "selected_date_time"]) {
      if (k in v) return v[k] === null;
    }
    return false;
  }

  // Slack's client refuses to submit an empty required input itself, without asking
  // the app; so does the page (whitespace-only text goes to the app, as in Slack).
  function missingRequired(root) {
    const errors = {};
    for (const block of root.querySelectorAll(".bk-block.bk-input[data-required]")) {
      const node = block.querySelector("[data-bk-state]");
      if (node && isEmpty(node.bkValue())) errors[block.dataset.blockId] = "Please complete this required field.";
    }
    return errors;
  }

  function showErrors(root, errors) {
    let first = null;
    for (const block of root.querySelectorAll(".bk-block.bk-input")) {
      const slot = block.querySelector(".bk-error");
      const control = block.querySelector("input, select, textarea");
      const message = errors && errors[block.dataset.blockId];
      if (slot) {
        slot.textContent = message || "";
        slot.hidden = !message;
      }
      block.classList.toggle("bk-has-error", Boolean(message));
      if (control) {
        if (message) {
          control.setAttribute("aria-invalid", "true");
          const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          if (slot && !described.includes(slot.id)) described.push(slot.id);
          control.setAttribute("aria-describedby", described.join(" "));
          if (!first) first = control;
        } else control.removeAttribute("aria-invalid");
      }
    }
    if (first) first.focus();
    return Boolean(first);
  }

  window.BlockKit = { render, mrkdwn, textObject, plainString, stateValues, uploadsDone, missingRequired, showErrors, withEmoji, el };
})();
