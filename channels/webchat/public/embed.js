/*
 * Trợ lý ảo dịch vụ công: add the floating chat button to any page with
 *   <script src="https://ASSISTANT-HOST/webchat/embed.js" async></script>
 * The chat opens in a frame served by the assistant, so the portal needs no
 * other code, and no secret reaches the browser.
 */
(function () {
  if (window.__troLyAoEmbed) return;
  window.__troLyAoEmbed = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : location.origin;
  var open = false;
  var css =
    '#tlao-btn{position:fixed;right:16px;bottom:16px;z-index:2147483000;background:#b71c1c;color:#fff;border:0;border-radius:28px;' +
    'padding:14px 18px;font:600 16px/1 Segoe UI,Roboto,Arial,sans-serif;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}' +
    '#tlao-btn:focus-visible{outline:3px solid #ffd600;outline-offset:2px}' +
    '#tlao-frame{position:fixed;right:16px;bottom:80px;z-index:2147483000;width:380px;height:600px;max-height:calc(100vh - 100px);' +
    'border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff;display:none}' +
    '@media (max-width:480px){#tlao-frame{right:0;bottom:0;width:100vw;height:100vh;max-height:none;border-radius:0}' +
    '#tlao-btn.open{bottom:auto;top:8px;right:8px;padding:10px 14px}}';
  var style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  var button = document.createElement('button');
  button.id = 'tlao-btn';
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'tlao-frame');
  button.textContent = 'Hỏi trợ lý ảo';
  var frame;
  button.addEventListener('click', function () {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'tlao-frame';
      frame.title = 'Trợ lý ảo dịch vụ công';
      frame.src = origin + '/webchat?embed=1';
      frame.setAttribute('allow', 'clipboard-write');
      document.body.appendChild(frame);
    }
    open = !open;
    frame.style.display = open ? 'block' : 'none';
    button.textContent = open ? 'Đóng' : 'Hỏi trợ lý ảo';
    button.classList.toggle('open', open);
    button.setAttribute('aria-expanded', String(open));
    if (open) frame.focus();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && open) button.click();
  });
  document.body.appendChild(button);
})();
