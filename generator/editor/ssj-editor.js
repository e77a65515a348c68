// Loaded after the vendored decap-cms.js (unmodified): two adjustments, then Decap starts.
//
// Decap names a new entry's file by its slug, which it lower-cases and in which it turns dots
// into dashes (decap-cms 3.16, prepareSlug); a record's file must be named exactly by its id
// ("编号，与文件名相同"), and most ids are 统一社会信用代码 with capital letters. Each backend the
// configuration may name is registered again as ssj-<name>, the same backend except that a data
// file whose name is that mangled id is saved under the id as typed.
(function () {
  "use strict";
  // the id is the first key of every record (the forms keep the kinds' declaration order)
  var ID = /^id: *(?:"([^"\n]+)"|'([^'\n]+)'|([^\s"'#][^\n#]*?)) *$/m;
  function mangled(text) {
    return text.trim().toLocaleLowerCase().replace(/'/g, "").replace(/\./g, "-");
  }
  function namedById(dataFile) {
    var found = ID.exec(dataFile.raw || "");
    if (!found) return dataFile;
    var id = found[1] || found[2] || found[3];
    var slash = dataFile.path.lastIndexOf("/") + 1;
    var dot = dataFile.path.lastIndexOf(".");
    var stem = dataFile.path.slice(slash, dot);
    if (stem === id || stem !== mangled(id)) return dataFile;
    return Object.assign({}, dataFile, {path: dataFile.path.slice(0, slash) + id + dataFile.path.slice(dot)});
  }
  ["proxy", "github", "gitlab", "forgejo", "gitea"].forEach(function (name) {
    var original = CMS.getBackend(name);
    if (!original) return;
    function Backend(config, options) {
      var inner = original.init(config, options);
      return new Proxy(inner, {
        get: function (target, key) {
          if (key === "persistEntry") {
            return function (entry, opts) {
              var files = (entry.dataFiles || []).map(namedById);
              return target.persistEntry(Object.assign({}, entry, {dataFiles: files}), opts);
            };
          }
          var value = target[key];
          return typeof value === "function" ? value.bind(target) : value;
        }
      });
    }
    CMS.registerBackend("ssj-" + name, Backend);
  });
  // decap-cms 3.16's Simplified Chinese lacks the Forgejo login button's words (it would read
  // "Login with Forgejo"); the rest of its phrases are kept as they are
  var zh = CMS.getLocale("zh_Hans");
  if (zh && zh.auth && !zh.auth.loginWithForgejo) {
    CMS.registerLocale("zh_Hans", Object.assign({}, zh, {
      auth: Object.assign({}, zh.auth, {loginWithForgejo: "使用 Forgejo 登录"})}));
  }
  CMS.init();  // index.html sets CMS_MANUAL_INIT: the backends are registered first
})();
