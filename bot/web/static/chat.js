// 一窗 web chat: talks to this server's web chat API (/webchat/*), whose messages have
// the shapes of the Rasa REST channel. The session's credential (sender id + secret)
// goes in the Authorization header only, never in a URL.
// Every piece of text from the user or the server goes into the page through
// textContent / createTextNode, never as HTML; links and images only as http(s).
(function () {
  "use strict";

  var SENDER_KEY = "yichuang.sender";
  var SECRET_KEY = "yichuang.secret";
  var SEQ_KEY = "yichuang.seq";
  var SENDER_RE = /^[A-Za-z0-9_-]{22,64}$/;
  var SECRET_RE = /^[A-Za-z0-9_-]{22,128}$/;
  var URL_RE = /https?:\/\/[^\s<>"'，。；、！？）】」]+/g;
  var POLL_MS = 4000;
  var POLL_MAX_MS = 30000;
  var TIMEOUT_MS = 20000;

  var MESSAGES = {
    offline: "无法连接服务器，消息没有发出。请检查手机网络，然后点“重新发送”。",
    timeout: "服务器很久没有回应，消息可能没有发出。请稍后点“重新发送”。",
    server: "服务器暂时出了问题，这条消息还没有得到回复。请稍后点“重新发送”，不会重复提交。",
    refused: "服务器没有接受这条消息：",
    session: "无法连接服务器，请检查手机网络后再试。"
  };

  var log, input, sendButton, retryButton, alertBox, alertText, statusLine;
  var sender = null;
  var secret = null;
  var senderPromise = null;
  var lastSeq = 0;
  var seen = {};
  var busy = false;
  var pending = null; // the message that failed, kept for "重新发送"
  var pollDelay = POLL_MS;
  var sends = 0; // counts sends started and finished: a poll that overlapped one is dropped
  // Replies shown from the webhook's answer that the pull endpoint may list again:
  // their signatures, matched once against polled messages so each shows once.
  var unmatched = [];
  var UNMATCHED_MAX = 100;

  // ---- storage (private browsing may refuse it: then the id lives for this page only)
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* kept in memory */ }
  }

  // ---- building the page
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(raw) {
    if (typeof raw !== "string" || raw === "") { return null; }
    var url;
    try { url = new URL(raw, window.location.href); } catch (e) { return null; }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }

  function link(href, text) {
    var a = el("a", "link", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // Plain text with its http(s) addresses made into links; nothing is parsed as HTML.
  function textWithLinks(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var href = safeUrl(match[0]);
      if (!href) { continue; }
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      fragment.appendChild(link(href, match[0]));
      last = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function addRow(who) {
    var row = el("div", "msg " + who);
    log.appendChild(row);
    return row;
  }

  function showUser(text) {
    var row = addRow("user");
    row.appendChild(el("div", "bubble", text));
    scrollToEnd();
    return row;
  }

  function showImage(row, href) {
    var figure = el("figure", "picture");
    var img = el("img");
    img.alt = "回复中的图片（二维码）";
    img.loading = "lazy";
    img.decoding = "async";
    img.addEventListener("load", scrollToEnd);
    img.addEventListener("error", function () {
      figure.insertBefore(el("p", "image-error", "图片没有加载出来，请点下面的链接打开。"), caption);
      img.remove();
    });
    img.src = href;
    var caption = el("figcaption");
    caption.appendChild(link(href, "打开图片（可长按保存或识别二维码）"));
    figure.appendChild(img);
    figure.appendChild(caption);
    row.appendChild(figure);
  }

  function showButtons(row, buttons) {
    var box = el("div", "choices");
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string" || button.title === "") { return; }
      var payload = typeof button.payload === "string" && button.payload !== "" ? button.payload : button.title;
      var chip = el("button", "chip reply-chip", button.title);
      chip.type = "button";
      chip.setAttribute("data-payload", payload);
      chip.addEventListener("click", function () { send(payload, button.title, false); });
      box.appendChild(chip);
    });
    if (box.childNodes.length) { row.appendChild(box); }
  }

  // One message of the REST channel: {"text"?, "image"?, "buttons"?}.
  function showBot(message) {
    if (!message || typeof message !== "object") { return; }
    var row = addRow("bot");
    if (typeof message.text === "string" && message.text !== "") {
      var bubble = el("div", "bubble");
      bubble.appendChild(textWithLinks(message.text));
      row.appendChild(bubble);
    }
    var image = safeUrl(message.image);
    if (image) { showImage(row, image); }
    if (Array.isArray(message.buttons)) { showButtons(row, message.buttons); }
    if (!row.childNodes.length) { row.remove(); return; }
    scrollToEnd();
  }

  function signature(message) {
    var buttons = Array.isArray(message.buttons)
      ? message.buttons.map(function (b) { return [b && b.title, b && b.payload]; })
      : [];
    return JSON.stringify([message.text || "", message.image || "", buttons]);
  }

  function remember(message) {
    unmatched.push(signature(message));
    if (unmatched.length > UNMATCHED_MAX) { unmatched.shift(); }
  }

  // A polled message: shown unless it is one the webhook's answer already showed.
  function showPolled(message) {
    var at = unmatched.indexOf(signature(message));
    if (at >= 0) {
      unmatched.splice(at, 1);
    } else {
      showBot(message);
    }
    noteSeq(message);
  }

  function noteSeq(message) {
    if (message && typeof message.seq === "number") {
      seen[message.seq] = true;
      if (message.seq > lastSeq) {
        lastSeq = message.seq;
        save(SEQ_KEY, String(lastSeq));
      }
    }
  }

  // ---- state shown around the input
  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    sendButton.textContent = value ? "发送中…" : "发送";
    document.body.classList.toggle("busy", value);
    statusLine.textContent = value ? "正在发送，请稍候…" : "";
  }

  function showAlert(text) {
    alertText.textContent = text;
    retryButton.hidden = pending === null;
    alertBox.hidden = false;
  }

  function hideAlert() {
    alertBox.hidden = true;
    alertText.textContent = "";
  }

  // ---- talking to the server
  function timed(url, options) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    options.signal = controller.signal;
    options.cache = "no-store";
    return fetch(url, options).finally(function () { window.clearTimeout(timer); });
  }

  function adopt(id, key) {
    if (sender !== id) {
      sender = id;
      lastSeq = 0;
      seen = {};
    }
    secret = key;
  }

  // The server no longer knows this session (or never did): forget it, so the next
  // send or poll starts a new one.
  function drop() {
    sender = null;
    secret = null;
  }

  function authorization() {
    return { "Authorization": "Bearer " + sender + "." + secret };
  }

  function ensureSender() {
    if (sender && secret) { return Promise.resolve(sender); }
    if (senderPromise) { return senderPromise; }
    senderPromise = timed("/webchat/session", { method: "POST" })
      .then(function (response) {
        if (!response.ok) { throw new Error("session " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (!body || typeof body.sender !== "string" || !SENDER_RE.test(body.sender) ||
            typeof body.secret !== "string" || !SECRET_RE.test(body.secret)) {
          throw new Error("bad session");
        }
        adopt(body.sender, body.secret);
        save(SENDER_KEY, body.sender);
        save(SECRET_KEY, body.secret);
        save(SEQ_KEY, "0");
        return body.sender;
      })
      .finally(function () { senderPromise = null; });
    return senderPromise;
  }

  function failure(error, response, body) {
    if (error && error.name === "AbortError") { return MESSAGES.timeout; }
    if (!response) { return MESSAGES.offline; }
    if (response.status >= 400 && response.status < 500 && body && typeof body.message === "string") {
      return MESSAGES.refused + body.message;
    }
    if (response.status === 503 && body && typeof body.message === "string") {
      return body.message; // the server says what happened (e.g. it could not store the message)
    }
    return MESSAGES.server;
  }

  // Send `message` to the assistant and show `shown` as the user's words.
  // A random id per message: a resend of the same message is recognised by the server.
  function newMessageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function send(message, shown, typed, messageId) {
    if (busy) { return; }
    var id = messageId || newMessageId();
    hideAlert();
    pending = null;
    setBusy(true);
    sends += 1;
    var row = showUser(shown);
    row.classList.add("pending");
    var response = null;
    var post = function () {
      return ensureSender().then(function () {
        var headers = authorization();
        headers["Content-Type"] = "application/json";
        return timed("/webchat/message", {
          method: "POST",
          headers: headers,
          body: JSON.stringify({ message: message, metadata: { message_id: id } })
        });
      });
    };
    post()
      .then(function (answer) {
        if (answer.status !== 401) { return answer; }
        drop(); // an expired or unknown session: once more with a new one
        return post();
      })
      .then(function (answer) {
        response = answer;
        return answer.json().catch(function () { return null; });
      })
      .then(function (body) {
        if (!response.ok || !Array.isArray(body)) {
          var problem = new Error("http " + response.status);
          problem.body = body;
          throw problem;
        }
        row.classList.remove("pending");
        body.forEach(function (item) {
          if (!item || typeof item !== "object") { return; }
          if (typeof item.seq === "number") {
            if (seen[item.seq]) { return; }
            noteSeq(item);
          } else {
            remember(item);
          }
          showBot(item);
        });
      })
      .catch(function (error) {
        row.remove();
        pending = { message: message, shown: shown, typed: typed, id: id };
        if (typed && input.value === "") { input.value = message; }
        showAlert(failure(error, response, error && error.body));
      })
      .finally(function () {
        sends += 1;
        setBusy(false);
      });
  }

  function retry() {
    if (!pending) { hideAlert(); return; }
    var again = pending;
    if (again.typed && input.value.trim() === again.message) { input.value = ""; }
    send(again.message, again.shown, again.typed, again.id);
  }

  // Messages that arrive later (a guide's reply): polled, shown once each.
  function poll() {
    var wait = POLL_MS;
    var next = function () {
      pollDelay = wait;
      window.setTimeout(poll, pollDelay);
    };
    if (!sender || !secret || document.hidden || busy) { next(); return; }
    var started = sends;
    timed("/webchat/messages?after=" + lastSeq, { method: "GET", headers: authorization() })
      .then(function (response) {
        if (response.status === 401) { drop(); }
        if (!response.ok) { throw new Error("poll " + response.status); }
        return response.json();
      })
      .then(function (list) {
        // A send began meanwhile: its replies may be listed here before its own
        // answer shows them; ask again next time instead.
        if (!Array.isArray(list) || started !== sends) { return; }
        list
          .filter(function (m) { return m && typeof m.seq === "number" && !seen[m.seq]; })
          .sort(function (a, b) { return a.seq - b.seq; })
          .forEach(showPolled);
      })
      .catch(function () {
        wait = Math.min(pollDelay * 2, POLL_MAX_MS);
      })
      .finally(next);
  }

  function start() {
    log = document.getElementById("log");
    input = document.getElementById("input");
    sendButton = document.getElementById("send");
    alertBox = document.getElementById("alert");
    alertText = document.getElementById("alert-text");
    statusLine = document.getElementById("status");
    retryButton = document.getElementById("retry");

    var stored = load(SENDER_KEY);
    var storedSecret = load(SECRET_KEY);
    // A page from before credentials kept only a sender: it silently gets a new session.
    if (stored && SENDER_RE.test(stored) && storedSecret && SECRET_RE.test(storedSecret)) {
      adopt(stored, storedSecret);
      var seq = parseInt(load(SEQ_KEY) || "0", 10);
      lastSeq = isFinite(seq) && seq > 0 ? seq : 0;
    } else {
      ensureSender().catch(function () { showAlert(MESSAGES.session); });
    }

    document.getElementById("composer").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (text === "" || busy) { input.focus(); return; }
      input.value = "";
      send(text, text, true);
    });
    retryButton.addEventListener("click", retry);
    Array.prototype.forEach.call(document.querySelectorAll(".menu .chip"), function (chip) {
      chip.addEventListener("click", function () {
        var words = chip.getAttribute("data-say");
        send(words, words, false);
      });
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { pollDelay = POLL_MS; }
    });
    window.setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
