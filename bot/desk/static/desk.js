// 一窗导诉台: a client of the desk JSON API (contracts.md §3).
// Every text from litigants, staff or the server is inserted with textContent,
// never as HTML; every state-changing call carries the session's X-CSRF-Token.
(function () {
  "use strict";

  var POLL_MS = 10000;
  var REASONS = {
    low_confidence: "没听懂",
    user_request: "用户要求",
    frustration: "用户不满",
    court_unavailable: "案件系统故障",
    system_error: "系统故障，未能自动回复"
  };
  var CHANNELS = { rest: "网页", web: "网页", webchat: "网页", wechat: "微信", telegram: "Telegram" };
  var STATUSES = { handoff: "排队中", human: "人工服务中", bot: "智能助手", closed: "已结束" };
  var SLOT_LABELS = {
    case_number: "案号",
    amount: "金额",
    court: "法院",
    kind: "类别",
    fee_kind: "费用类别",
    procedure: "程序",
    from: "起算日",
    date: "日期",
    case_category: "纠纷",
    flow: "事项",
    section: "栏目"
  };

  var me = null; // {username, role, csrf_token}
  var leaving = false; // logging out: late answers must not redirect elsewhere
  var liveSource = null;
  var labels = { intents: {}, templates: [] };
  var queue = [];
  var fetchedAt = 0;
  var openId = null;
  var shownSeqs = {};
  var queueTimer = null;
  var chatTimer = null;

  // ---- building the page
  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    if (s < 60) { return s + "秒"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + "分" + (s % 60) + "秒"; }
    return Math.floor(m / 60) + "小时" + (m % 60) + "分";
  }

  function clock(at) {
    var d = new Date(at);
    if (isNaN(d.getTime())) { return ""; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function intentLabel(name) {
    if (!name) { return ""; }
    return labels.intents[name] || String(name);
  }

  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text;
    box.className = "notice" + (kind ? " " + kind : "");
    box.hidden = false;
    window.clearTimeout(notice.timer);
    notice.timer = window.setTimeout(function () { box.hidden = true; }, 8000);
  }

  // ---- talking to the server
  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    var options = { method: method, credentials: "same-origin", cache: "no-store", headers: headers };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = me ? me.csrf_token : "";
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) {
        if (!leaving) { window.location.assign("/desk/login?expired=1"); }
        throw new Error("logged out");
      }
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, ok: response.ok, body: data };
      });
    });
  }

  function problem(result, fallback) {
    if (result && result.body && typeof result.body.message === "string") {
      return result.body.message;
    }
    return fallback;
  }

  // ---- the queue
  function summaryValue(summary, key) {
    if (!summary || typeof summary !== "object") { return null; }
    var slots = summary.slots && typeof summary.slots === "object" ? summary.slots : {};
    var entities = summary.entities && typeof summary.entities === "object" ? summary.entities : {};
    var facts = summary.facts && typeof summary.facts === "object" ? summary.facts : {};
    var value = slots[key];
    if (value === undefined || value === null || value === "" || value === "none") {
      value = entities[key];
    }
    if (value === undefined || value === null || value === "" || value === "none") {
      value = facts[key];  // said earlier in the conversation
    }
    return value === undefined || value === null || value === "" || value === "none" ? null : value;
  }

  // The structured summary as label/value pairs: what the bot already learned.
  function summaryRows(summary) {
    var rows = [];
    if (!summary || typeof summary !== "object") { return rows; }
    if (summary.intent) {
      var guess = summary.intent_label || intentLabel(summary.intent);
      if (typeof summary.confidence === "number") {
        guess += "（把握 " + Math.round(summary.confidence * 100) + "%）";
      }
      rows.push(["智能助手理解", guess]);
    }
    if (summary.topic) { rows.push(["已回答", intentLabel(summary.topic)]); }
    if (summary.form) { rows.push(["进行中", intentLabel(summary.form)]); }
    ["case_number", "amount", "court"].forEach(function (key) {
      var value = summaryValue(summary, key);
      if (value !== null) {
        rows.push([SLOT_LABELS[key], key === "amount" && /^[0-9.]+$/.test(String(value)) ? value + " 元" : value]);
      }
    });
    var seen = { case_number: 1, amount: 1, court: 1, proof_asked: 1, rating: 1 };
    [summary.slots, summary.entities, summary.facts].forEach(function (group) {
      if (!group || typeof group !== "object") { return; }
      Object.keys(group).forEach(function (key) {
        if (seen[key]) { return; }
        seen[key] = 1;
        var value = group[key];
        if (value === null || value === "" || typeof value === "object") { return; }
        rows.push([SLOT_LABELS[key] || key, value]);
      });
    });
    var answered = typeof summary.answered === "string" ? [summary.answered]
      : Array.isArray(summary.answered) ? summary.answered : [];
    answered.forEach(function (text, i) {
      if (typeof text !== "string" || text === "") { return; }
      var short = text.length > 80 ? text.slice(0, 80) + "…" : text;
      rows.push([i === answered.length - 1 ? "助手最后回答" : "助手已回答", short]);
    });
    return rows;
  }

  function fillSummary(list, summary) {
    clear(list);
    summaryRows(summary).forEach(function (row) {
      list.appendChild(el("dt", null, row[0]));
      list.appendChild(el("dd", null, row[1]));
    });
  }

  function callbackText(callback) {
    if (!callback) { return null; }
    if (typeof callback === "string") { return "留言回电：" + callback; }
    if (typeof callback === "object" && callback.phone) {
      return "留言回电：" + callback.phone + (callback.note ? "　留言：" + callback.note : "");
    }
    return null;
  }

  function card(item) {
    var li = el("li", "card");
    li.setAttribute("data-id", String(item.conversation_id));
    var head = el("div", "card-head");
    head.appendChild(el("span", "badge channel", CHANNELS[item.channel] || item.channel || "未知渠道"));
    head.appendChild(el("span", "badge reason " + (item.reason || ""), REASONS[item.reason] || item.reason || "转人工"));
    var wait = el("span", "wait", "等待 " + duration(item.waiting_seconds));
    wait.setAttribute("data-base", String(item.waiting_seconds || 0));
    head.appendChild(wait);
    li.appendChild(head);

    var title = el("p", "card-title", "对话 #" + item.conversation_id + " · " + (STATUSES[item.status] || item.status));
    li.appendChild(title);
    var summary = el("dl", "summary small");
    fillSummary(summary, item.summary);
    li.appendChild(summary);
    var call = callbackText(item.callback);
    if (call) { li.appendChild(el("p", "callback", call)); }

    var foot = el("div", "card-foot");
    if (item.status === "human" && item.assignee && me && item.assignee === me.username) {
      var open = el("button", "primary", "打开");
      open.type = "button";
      open.addEventListener("click", function () { openChat(item.conversation_id); });
      foot.appendChild(el("span", "holder", "由我处理中"));
      foot.appendChild(open);
    } else if (item.status === "human" && item.assignee) {
      foot.appendChild(el("span", "holder", "由 " + item.assignee + " 处理中"));
    } else {
      var claim = el("button", "primary claim", "接手");
      claim.type = "button";
      claim.addEventListener("click", function () { claimChat(item.conversation_id, claim); });
      foot.appendChild(claim);
    }
    li.appendChild(foot);
    if (openId === item.conversation_id) { li.classList.add("selected"); }
    return li;
  }

  function renderQueue() {
    var list = $("queue-list");
    clear(list);
    queue.forEach(function (item) { list.appendChild(card(item)); });
    $("queue-empty").hidden = queue.length > 0;
    var waiting = queue.filter(function (item) { return item.status === "handoff"; }).length;
    $("queue-count").textContent = String(waiting);
    document.title = (waiting ? "(" + waiting + ") " : "") + "一窗 · 导诉台";
  }

  function tick() {
    var elapsed = (Date.now() - fetchedAt) / 1000;
    Array.prototype.forEach.call(document.querySelectorAll("#queue-list .wait"), function (node) {
      node.textContent = "等待 " + duration(parseFloat(node.getAttribute("data-base")) + elapsed);
    });
  }

  function loadQueue() {
    return api("GET", "/desk/api/queue").then(function (result) {
      if (!result.ok || !Array.isArray(result.body)) { return; }
      queue = result.body;
      fetchedAt = Date.now();
      renderQueue();
      document.body.setAttribute("data-queue", "loaded");
    }).catch(function () { /* shown as offline by the live indicator */ });
  }

  // Events come in bursts (a handoff and its message): one reload for all of them.
  function queueSoon() {
    window.clearTimeout(queueTimer);
    queueTimer = window.setTimeout(loadQueue, 150);
  }

  function chatSoon() {
    window.clearTimeout(chatTimer);
    chatTimer = window.setTimeout(function () {
      if (openId !== null) { loadChat(openId); }
    }, 150);
  }

  // ---- one conversation
  function claimChat(id, button) {
    button.disabled = true;
    api("POST", "/desk/api/conversations/" + id + "/claim").then(function (result) {
      if (result.ok) {
        openChat(id);
      } else if (result.status === 409) {
        notice("已被其他工作人员接手", "warn");
        button.replaceWith(el("span", "holder", "已被其他工作人员接手"));
      } else {
        notice(problem(result, "接手没有成功，请稍后再试。"), "warn");
        button.disabled = false;
      }
      queueSoon();
    }).catch(function () { button.disabled = false; });
  }

  function openChat(id) {
    openId = id;
    shownSeqs = {};
    clear($("transcript"));
    $("chat-error").hidden = true;
    $("chat-empty").hidden = true;
    $("chat-body").hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll("#queue-list .card"), function (node) {
      node.classList.toggle("selected", node.getAttribute("data-id") === String(id));
    });
    loadChat(id);
    $("reply-text").focus();
  }

  function closePane(text) {
    openId = null;
    $("chat-body").hidden = true;
    $("chat-empty").hidden = false;
    $("chat-empty").textContent = text || "在左侧点“接手”开始服务。接手后可以看到完整对话记录并直接回复当事人。";
  }

  function who(message) {
    var direction = String(message.direction || "");
    if (direction === "in" || direction === "inbound") { return ["user", "当事人"]; }
    if (message.sender !== "staff") { return ["bot", "智能助手"]; }
    return ["staff", "导诉员 " + (typeof message.staff === "string" && message.staff ? message.staff : "")];
  }

  function showMessage(message) {
    var kind = who(message);
    var row = el("div", "line " + kind[0]);
    var head = el("p", "line-head");
    head.appendChild(el("span", "line-who", kind[1]));
    head.appendChild(el("time", "line-at", clock(message.at)));
    row.appendChild(head);
    row.appendChild(el("p", "line-text", message.text || ""));
    $("transcript").appendChild(row);
  }

  function renderChat(data) {
    var mine = data.status === "human" && me && data.assignee === me.username;
    $("chat-title").textContent = "对话 #" + data.conversation_id + " · " + (CHANNELS[data.channel] || data.channel || "");
    $("chat-meta").textContent = (STATUSES[data.status] || data.status) +
      (data.assignee ? " · 接手人：" + data.assignee : "");
    fillSummary($("chat-summary"), data.summary);
    var call = callbackText(data.callback);
    $("chat-callback").hidden = !call;
    $("chat-callback").textContent = call || "";

    var log = $("transcript");
    var atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    var added = false;
    (Array.isArray(data.messages) ? data.messages : []).forEach(function (message) {
      var key = typeof message.seq === "number" ? message.seq : JSON.stringify(message);
      if (shownSeqs[key]) { return; }
      shownSeqs[key] = true;
      showMessage(message);
      added = true;
    });
    if (added && (atEnd || log.childNodes.length < 30)) { log.scrollTop = log.scrollHeight; }

    Array.prototype.forEach.call(
      document.querySelectorAll("#reply-form textarea, #reply-form button, #reply-form select, .chat-actions button, .chat-actions input"),
      function (node) { node.disabled = !mine; }
    );
    if (!mine) {
      var error = $("chat-error");
      error.textContent = data.status === "human" || data.status === "handoff"
        ? "这个对话不由您处理，只能查看。"
        : "这个对话已结束，智能助手已接回。";
      error.hidden = false;
    }
  }

  function loadChat(id) {
    return api("GET", "/desk/api/conversations/" + id).then(function (result) {
      if (openId !== id) { return; }
      if (!result.ok || !result.body) {
        closePane(problem(result, "无法打开这个对话。"));
        return;
      }
      renderChat(result.body);
    }).catch(function () { /* retried on the next event or poll */ });
  }

  function sendText(text) {
    if (openId === null || text === "") { return Promise.resolve(false); }
    var id = openId;
    $("reply-send").disabled = true;
    return api("POST", "/desk/api/conversations/" + id + "/messages", { text: text }).then(function (result) {
      $("reply-send").disabled = false;
      if (!result.ok) {
        $("chat-error").textContent = problem(result, "回复没有发出，请再试一次。");
        $("chat-error").hidden = false;
        return false;
      }
      $("chat-error").hidden = true;
      loadChat(id);
      return true;
    }).catch(function () {
      $("reply-send").disabled = false;
      $("chat-error").textContent = "无法连接服务器，回复没有发出。";
      $("chat-error").hidden = false;
      return false;
    });
  }

  function transfer() {
    var to = $("transfer-to").value.trim();
    if (openId === null) { return; }
    if (to === "") { notice("请填写要转给的同事的用户名。", "warn"); $("transfer-to").focus(); return; }
    api("POST", "/desk/api/conversations/" + openId + "/transfer", { to: to }).then(function (result) {
      if (result.ok) {
        $("transfer-to").value = "";
        closePane("已转给 " + to + "。");
        notice("已转给 " + to + "。");
      } else {
        notice(problem(result, "转交没有成功。"), "warn");
      }
      queueSoon();
    });
  }

  function closeChat() {
    if (openId === null) { return; }
    if (!window.confirm("结束人工服务？智能助手将接回这个对话，并请当事人评分。")) { return; }
    var id = openId;
    api("POST", "/desk/api/conversations/" + id + "/close").then(function (result) {
      if (result.ok) {
        closePane("对话 #" + id + " 已结束，智能助手已接回并请当事人评分。");
        notice("对话 #" + id + " 已结束。");
      } else {
        notice(problem(result, "结束没有成功。"), "warn");
      }
      queueSoon();
    });
  }

  // ---- helpers of the reply box
  function loadCanned() {
    api("GET", "/desk/api/canned").then(function (result) {
      var select = $("canned");
      var items = result.body && Array.isArray(result.body) ? result.body
        : result.body && Array.isArray(result.body.items) ? result.body.items : [];
      items.forEach(function (item) {
        if (!item || typeof item.text !== "string") { return; }
        var option = el("option", null, item.title || item.text);
        option.value = item.text;
        select.appendChild(option);
      });
    }).catch(function () { /* the reply box works without them */ });
  }

  function loadColleagues() {
    api("GET", "/desk/api/staff").then(function (result) {
      if (!result.ok) { return; } // only admins may list staff; others type the name
      var items = Array.isArray(result.body) ? result.body : [];
      var list = $("colleagues");
      items.forEach(function (item) {
        if (!item || !item.username || item.active === false || (me && item.username === me.username)) { return; }
        var option = el("option");
        option.value = item.username;
        list.appendChild(option);
      });
    }).catch(function () { /* free text still works */ });
  }

  function loadLabels() {
    return api("GET", "/desk/api/labels").then(function (result) {
      if (result.ok && result.body) { labels = result.body; }
      var select = $("template-number");
      clear(select);
      (labels.templates || []).forEach(function (item) {
        var option = el("option", null, item.title);
        option.value = String(item.number);
        select.appendChild(option);
      });
    }).catch(function () { /* labels fall back to the raw names */ });
  }

  function templateText() {
    var number = parseInt($("template-number").value, 10);
    var found = (labels.templates || []).filter(function (item) { return item.number === number; })[0];
    if (!found) { return null; }
    return "请查看示范文本“" + found.name + "”。打开下面的链接可以看到二维码和下载方式：\n" + found.page;
  }

  // ---- live updates
  function connect() {
    if (!window.EventSource) { $("live").textContent = "定时刷新"; return; }
    var source = new EventSource("/desk/events");
    liveSource = source;
    var handle = function (event) {
      var data = null;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (!data || typeof data !== "object") { return; }
      queueSoon();
      if (data.conversation_id !== undefined && String(data.conversation_id) === String(openId)) {
        chatSoon();
      }
    };
    source.onmessage = handle;
    source.addEventListener("queue", handle);
    source.addEventListener("message", handle);
    source.onopen = function () {
      $("live").textContent = "实时";
      $("live").className = "live on";
      queueSoon();
    };
    source.onerror = function () {
      $("live").textContent = "重新连接中…";
      $("live").className = "live off";
    };
  }

  // ---- the statistics tab
  function number(value, digits) {
    return typeof value === "number" && isFinite(value) ? value.toFixed(digits || 0) : "—";
  }

  function pick(day, names) {
    for (var i = 0; i < names.length; i += 1) {
      if (typeof day[names[i]] === "number") { return day[names[i]]; }
    }
    return null;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }

  function drawChart(days) {
    var chart = $("chart");
    clear(chart);
    var width = 900, height = 260, left = 40, bottom = 40, top = 20;
    var counts = days.map(function (d) { return pick(d, ["handoffs"]) || 0; });
    var max = Math.max(1, Math.max.apply(null, counts));
    var step = (width - left - 10) / Math.max(1, days.length);
    var barWidth = Math.max(6, step * 0.6);
    chart.appendChild(svg("line", { x1: left, y1: height - bottom, x2: width - 5, y2: height - bottom, "class": "axis" }));
    chart.appendChild(svg("text", { x: left - 8, y: top + 4, "text-anchor": "end", "class": "tick" }, max));
    chart.appendChild(svg("text", { x: left - 8, y: height - bottom, "text-anchor": "end", "class": "tick" }, 0));
    days.forEach(function (day, i) {
      var value = counts[i];
      var h = (height - bottom - top) * value / max;
      var x = left + i * step + (step - barWidth) / 2;
      var bar = svg("rect", { x: x, y: height - bottom - h, width: barWidth, height: Math.max(h, 0), "class": "column" });
      bar.appendChild(svg("title", {}, String(day.date || "") + "：" + value + " 次转人工"));
      chart.appendChild(bar);
      if (value > 0) {
        chart.appendChild(svg("text", { x: x + barWidth / 2, y: height - bottom - h - 4, "text-anchor": "middle", "class": "value" }, value));
      }
      var label = String(day.date || "").slice(5);
      chart.appendChild(svg("text", { x: x + barWidth / 2, y: height - bottom + 18, "text-anchor": "middle", "class": "tick" }, label));
    });
  }

  function loadStats() {
    api("GET", "/desk/api/stats?days=14").then(function (result) {
      var days = Array.isArray(result.body) ? result.body : null;
      if (!result.ok || !days) {
        $("stats-error").textContent = problem(result, "统计暂时无法显示。");
        $("stats-error").hidden = false;
        return;
      }
      $("stats-error").hidden = true;
      drawChart(days);
      var body = $("stats-body");
      clear(body);
      days.forEach(function (day) {
        var row = el("tr");
        var wait = pick(day, ["avg_wait_seconds"]);
        var handle = pick(day, ["avg_handling_seconds"]);
        var ratings = pick(day, ["ratings"]);
        var average = pick(day, ["avg_rating"]);
        [
          String(day.date || ""),
          number(pick(day, ["handoffs"])),
          number(pick(day, ["closed"])),
          wait === null ? "—" : duration(wait),
          handle === null ? "—" : duration(handle),
          number(ratings),
          average === null ? "—" : number(average, 1)
        ].forEach(function (value) { row.appendChild(el("td", null, value)); });
        body.appendChild(row);
      });
    }).catch(function () { /* logged out: handled by api() */ });
  }

  function showTab(name) {
    var stats = name === "stats";
    $("queue-view").hidden = stats;
    $("stats-view").hidden = !stats;
    $("tab-queue").setAttribute("aria-pressed", String(!stats));
    $("tab-stats").setAttribute("aria-pressed", String(stats));
    if (stats) { loadStats(); }
  }

  // ---- start
  function start() {
    api("GET", "/desk/api/me").then(function (result) {
      if (!result.ok || !result.body) { window.location.assign("/desk/login"); return; }
      me = result.body;
      $("me-name").textContent = me.username;
      $("me-role").textContent = me.role === "admin" ? "管理员" : "导诉员";
      return loadLabels().then(function () {
        loadQueue();
        loadCanned();
        loadColleagues();
        connect();
        window.setInterval(loadQueue, POLL_MS);
        window.setInterval(function () { if (openId !== null) { loadChat(openId); } }, POLL_MS);
        window.setInterval(tick, 1000);
      });
    }).catch(function () { /* redirected */ });

    $("tab-queue").addEventListener("click", function () { showTab("queue"); });
    $("tab-stats").addEventListener("click", function () { showTab("stats"); });
    $("logout").addEventListener("click", function () {
      leaving = true;
      if (liveSource) { liveSource.close(); }
      api("POST", "/desk/logout").finally(function () { window.location.assign("/desk/login"); });
    });
    $("reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("reply-text").value.trim();
      if (text === "") { $("reply-text").focus(); return; }
      sendText(text).then(function (sent) { if (sent) { $("reply-text").value = ""; } });
    });
    $("reply-text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        $("reply-form").requestSubmit();
      }
    });
    $("canned").addEventListener("change", function () {
      var text = $("canned").value;
      if (text) {
        var box = $("reply-text");
        box.value = box.value ? box.value + "\n" + text : text;
        box.focus();
      }
      $("canned").value = "";
    });
    $("send-template").addEventListener("click", function () {
      var text = templateText();
      if (text) { sendText(text); }
    });
    $("transfer").addEventListener("click", transfer);
    $("close-chat").addEventListener("click", closeChat);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
