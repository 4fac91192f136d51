// The runtime kernels in the generated C (runtime_writer.h): the inline copy and the shared
// tinyc_runtime.h / tinyc_runtime.c.
//
// The shared runtime is made from the same embedded files (backends/c/runtime/*.c) by a small
// splitter that knows their conventions: every function definition starts with TINYC_KERNEL
// (which is `static` inline and empty, i.e. external linkage, in the shared runtime), a macro
// whose expansion defines kernels mentions TINYC_KERNEL, and at file scope there are only
// comments, preprocessor directives, kernel definitions, invocations of the macros of the file
// and of the files it requires, and typedefs. Anything else is an internal error, so a new construct is noticed by the tests
// rather than miscompiled. The split is
//   header: comments, directives (a kernel-defining macro with its bodies replaced by `;`),
//           prototypes, typedefs, macro invocations (which then expand to prototypes);
//   source: directives (a kernel-defining macro #undef'd and redefined whole), definitions and
//           macro invocations; it includes the header first (identical redefinitions of the
//           other macros are allowed by C99 6.10.3).
#include "backends/c/runtime_writer.h"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <map>

#include "support/error.h"

namespace tinyc::c {

std::vector<const RuntimeFile*> runtimeClosure(const std::set<std::string>& required) {
  std::map<std::string, const RuntimeFile*> byName;
  for (const auto& f : runtimeFiles()) byName[f.name] = &f;
  std::vector<const RuntimeFile*> order;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    if (seen.count(n)) return;
    seen.insert(n);
    auto it = byName.find(n);
    if (it == byName.end()) modelError("C backend: missing runtime file '{}'", n);
    std::string req = it->second->requires;
    size_t pos = 0;
    while (pos < req.size()) {
      size_t sp = req.find(' ', pos);
      std::string d = req.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
      if (!d.empty()) visit(d);
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
    order.push_back(it->second);
  };
  visit("common");
  for (const auto& f : required) visit(f);
  return order;
}

std::string inlineRuntime(const std::set<std::string>& required) {
  std::string out;
  for (const RuntimeFile* f : runtimeClosure(required))
    out += std::string("/* ---- runtime: ") + f->name + ".c ---- */\n" + f->source + "\n";
  return out;
}

// ---- the splitter -------------------------------------------------------------------------

namespace {

bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A lexer over C text that steps over comments and string/character literals.
struct Lexer {
  const std::string& s;
  std::string file;

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    size_t line = 1;
    for (size_t k = 0; k < at && k < s.size(); ++k) line += s[k] == '\n';
    internalError("runtime file {}.c, line {}: {} (the shared runtime's splitter, backends/c/runtime_writer.cpp)",
                  file, line, what);
  }
  bool commentAt(size_t i) const { return s.compare(i, 2, "/*") == 0 || s.compare(i, 2, "//") == 0; }
  size_t skipComment(size_t i) const {
    if (s.compare(i, 2, "//") == 0) {
      size_t e = s.find('\n', i);
      return e == std::string::npos ? s.size() : e;
    }
    size_t e = s.find("*/", i + 2);
    if (e == std::string::npos) fail(i, "unterminated comment");
    return e + 2;
  }
  size_t skipLiteral(size_t i) const {
    const char q = s[i];
    for (size_t j = i + 1; j < s.size(); ++j) {
      if (s[j] == '\\') {
        ++j;
      } else if (s[j] == q) {
        return j + 1;
      } else if (s[j] == '\n') {
        break;
      }
    }
    fail(i, "unterminated literal");
  }
  std::string word(size_t i) const {
    size_t j = i;
    while (j < s.size() && identChar(s[j])) ++j;
    return s.substr(i, j - i);
  }
  // Steps over one comment, literal or identifier at i (returns i when there is none).
  size_t skipToken(size_t i) const {
    if (commentAt(i)) return skipComment(i);
    if (s[i] == '"' || s[i] == '\'') return skipLiteral(i);
    if (identStart(s[i])) return i + word(i).size();
    return i;
  }
  // End of the preprocessor directive starting at i (its newline, or the end of the text).
  size_t directiveEnd(size_t i) const {
    size_t j = i;
    while (j < s.size() && s[j] != '\n') {
      if (s[j] == '\\' && j + 1 < s.size() && s[j + 1] == '\n') {
        j += 2;
      } else if (size_t k = skipToken(j); k != j) {
        j = k;
      } else {
        ++j;
      }
    }
    return j;
  }
};

// A kernel-defining macro's text with each kernel body replaced by `;` (its prototypes).
std::string stripBodies(const Lexer& L, size_t begin, size_t end) {
  const std::string& s = L.s;
  std::string out;
  size_t last = begin, j = begin;
  while (j < end) {
    if (s.compare(j, 12, "TINYC_KERNEL") == 0 && L.word(j) == "TINYC_KERNEL") {
      int depth = 0;
      size_t k = j + 12;
      while (k < end && !(s[k] == '{' && depth == 0)) {
        if (size_t t = L.skipToken(k); t != k) {
          k = t;
          continue;
        }
        depth += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
        ++k;
      }
      if (k >= end) L.fail(j, "a TINYC_KERNEL in a macro without a body");
      size_t open = k, braces = 0;
      for (; k < end; ++k) {
        if (size_t t = L.skipToken(k); t != k) {
          k = t - 1;
          continue;
        }
        if (s[k] == '{') ++braces;
        if (s[k] == '}' && --braces == 0) break;
      }
      if (k >= end) L.fail(open, "unbalanced braces in a macro");
      size_t head = open;
      while (head > last && (s[head - 1] == ' ' || s[head - 1] == '\t')) --head;
      out += s.substr(last, head - last) + ";";
      // (the closing brace's line keeps no padding before its line continuation)
      for (last = k + 1; last < end && (s[last] == ' ' || s[last] == '\t');) ++last;
      if (last < end && s[last] == '\\') out += " ";
      j = last;
      continue;
    }
    size_t t = L.skipToken(j);
    j = t != j ? t : j + 1;
  }
  return out + s.substr(last, end - last);
}

struct Item {
  enum Kind { Comment, Directive, Code } kind;
  size_t begin, end;
  bool blankBefore;
  std::string decl, defn;  // Directive/Code: the text for each part ("" = not in that part)
  std::string directive;   // Directive: its name (define, ifndef, endif, ...)
  std::string macro;       // Directive: the macro a #define / #ifndef names
  bool emptyDefine = false;
};

}  // namespace

SplitSource splitRuntimeSource(const std::string& fileName, const std::string& text,
                               std::set<std::string>* known) {
  const Lexer L{text, fileName};
  const std::string& s = text;
  std::set<std::string> local;
  std::set<std::string>& macros = known ? *known : local;  // function-like macros defined so far
  std::vector<Item> items;
  int newlines = 0;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\n' || std::isspace(static_cast<unsigned char>(s[i]))) {
      newlines += s[i++] == '\n';
      continue;
    }
    Item it{Item::Comment, i, i, newlines >= 2, "", "", "", "", false};
    newlines = 0;
    if (L.commentAt(i)) {
      it.end = L.skipComment(i);
    } else if (s[i] == '#') {
      it.kind = Item::Directive;
      it.end = L.directiveEnd(i);
      const std::string d = s.substr(i, it.end - i);
      size_t p = 1;
      while (p < d.size() && (d[p] == ' ' || d[p] == '\t')) ++p;
      it.directive = L.word(i + p);
      p += it.directive.size();
      while (p < d.size() && (d[p] == ' ' || d[p] == '\t')) ++p;
      it.macro = L.word(i + p);
      p += it.macro.size();
      const bool functionLike = p < d.size() && d[p] == '(';
      it.decl = it.defn = d;
      if (it.directive == "include") {
        it.defn.clear();  // the source includes the header
      } else if (it.directive == "define" && it.macro == "TINYC_KERNEL") {
        it.decl = it.defn = "#define TINYC_KERNEL /* the shared runtime: not static, external linkage */";
      } else if (it.directive == "define") {
        it.emptyDefine = !functionLike && d.find_first_not_of(" \t", p) == std::string::npos;
        if (functionLike) macros.insert(it.macro);
        bool kernels = false;
        for (size_t k2 = i; k2 < it.end;) {
          if (identStart(s[k2]) && L.word(k2) == "TINYC_KERNEL") kernels = true;
          size_t t = L.skipToken(k2);
          k2 = t != k2 ? t : k2 + 1;
        }
        if (kernels) {
          it.decl = stripBodies(L, i, it.end);
          it.defn = "#undef " + it.macro + "\n" + d;
        }
      }
    } else {
      // Code up to a `;` at depth 0, a kernel's closing brace, or a macro invocation's `)` at
      // the end of its line.
      it.kind = Item::Code;
      const std::string first = identStart(s[i]) ? L.word(i) : "";
      int depth = 0;
      bool kernel = false;
      size_t body = std::string::npos, j = i;
      for (; j < s.size(); ++j) {
        if (identStart(s[j]) && L.word(j) == "TINYC_KERNEL" && depth == 0) kernel = true;
        if (size_t t = L.skipToken(j); t != j) {
          j = t - 1;
          continue;
        }
        const char c = s[j];
        if (c == ';' && depth == 0) break;
        if (c == '(' || c == '[' || c == '{') {
          if (c == '{' && depth == 0 && kernel) body = j;
          ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
          if (--depth < 0) L.fail(j, "unbalanced brackets");
          if (depth == 0 && c == '}' && body != std::string::npos) break;
          if (depth == 0 && c == ')' && !kernel && macros.count(first)) {
            size_t k = j + 1;
            while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
            if (k == s.size() || s[k] == '\n') break;
          }
        }
      }
      if (j >= s.size()) L.fail(i, "unterminated declaration at file scope");
      it.end = j + 1;
      const std::string code = s.substr(i, it.end - i);
      if (body != std::string::npos) {
        size_t head = body;
        while (head > i && std::isspace(static_cast<unsigned char>(s[head - 1]))) --head;
        it.decl = s.substr(i, head - i) + ";";
        it.defn = code;
      } else if (macros.count(first)) {
        it.decl = it.defn = code;
      } else if (first == "typedef") {
        it.decl = code;
      } else {
        L.fail(i, "file-scope code that is neither a TINYC_KERNEL definition, a typedef nor a macro invocation");
      }
    }
    items.push_back(std::move(it));
    i = items.back().end;
  }

  // An include guard around the whole file (lib/ops/qmath.h) would hide the definitions from the
  // source, which includes the header: drop it (the header has its own).
  std::vector<size_t> dirs;
  for (size_t k = 0; k < items.size(); ++k)
    if (items[k].kind == Item::Directive) dirs.push_back(k);
  if (dirs.size() >= 3 && items[dirs[0]].directive == "ifndef" && items[dirs[1]].directive == "define" &&
      items[dirs[1]].macro == items[dirs[0]].macro && items[dirs[1]].emptyDefine) {
    int depth = 0;
    size_t match = 0;
    for (size_t k : dirs) {
      const std::string& d = items[k].directive;
      depth += d == "if" || d == "ifdef" || d == "ifndef" ? 1 : d == "endif" ? -1 : 0;
      if (depth == 0) {
        match = k;
        break;
      }
    }
    if (match == dirs.back())
      for (size_t k : {dirs[0], dirs[1], dirs.back()}) items[k].decl.clear(), items[k].defn.clear();
  }

  SplitSource out;
  bool blankDecl = false, blankDefn = false;
  for (const Item& it : items) {
    blankDecl |= it.blankBefore;
    blankDefn |= it.blankBefore;
    const std::string decl = it.kind == Item::Comment ? s.substr(it.begin, it.end - it.begin) : it.decl;
    const std::string& defn = it.defn;
    if (!decl.empty()) {
      out.declarations += (blankDecl && !out.declarations.empty() ? "\n" : "") + decl + "\n";
      blankDecl = false;
    }
    if (!defn.empty()) {
      out.definitions += (blankDefn && !out.definitions.empty() ? "\n" : "") + defn + "\n";
      blankDefn = false;
    }
  }
  return out;
}

// ---- the shared runtime -------------------------------------------------------------------

namespace {

uint32_t fnv1a(const std::string& s, uint32_t h = 2166136261u) {
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

SharedRuntime makeShared(bool floatAcc) {
  std::set<std::string> all;
  for (const auto& f : runtimeFiles()) all.insert(f.name);
  std::string decls, defs;
  std::set<std::string> macros;  // (a file may invoke a macro that a file it requires defines)
  for (const RuntimeFile* f : runtimeClosure(all)) {
    SplitSource sp = splitRuntimeSource(f->name, f->source, &macros);
    decls += std::string("\n/* ---- runtime: ") + f->name + ".c ---- */\n" + sp.declarations;
    defs += std::string("\n/* ---- runtime: ") + f->name + ".c ---- */\n" + sp.definitions;
  }
  const std::string acc = floatAcc ? "single" : "double";
  const std::string note = fmt::format(
      "   Do not edit. The same for every model converted by the same tinyc for a target with {}-precision\n"
      "   accumulation (TINYC_RUNTIME_ID below; each NAME.c checks it): convert the models of a firmware\n"
      "   into one folder with --runtime shared, compile tinyc_runtime.c once, link it with every model\n"
      "   (with -ffunction-sections and the linker's --gc-sections only the kernels called are kept).\n"
      "   API: docs/generated-api.md. */\n",
      acc);
  SharedRuntime r;
  std::string hTop = "/* Generated by tinyc: declarations of the runtime kernels shared by the models of a build.\n" + note +
                     "#ifndef TINYC_RUNTIME_H_\n#define TINYC_RUNTIME_H_\n";
  std::string hRest = std::string(floatAcc ? "#define TINYC_FLOAT_ACC 1 /* single-precision accumulation */\n" : "") +
                      decls + "\n#endif /* TINYC_RUNTIME_H_ */\n";
  r.source = "/* Generated by tinyc: the runtime kernels shared by the models of a build (tinyc_runtime.h).\n" + note +
             "#include \"tinyc_runtime.h\"\n" + defs;
  r.id = fnv1a(r.source, fnv1a(hTop + hRest));
  r.header = hTop + fmt::format("#define TINYC_RUNTIME_ID 0x{:08x}u\n", r.id) + hRest;
  return r;
}

}  // namespace

const SharedRuntime& sharedRuntime(const TargetDesc& target) {
  static const SharedRuntime single = makeShared(true), dbl = makeShared(false);
  return target.doubleAcc ? dbl : single;
}

std::string sharedRuntimeInclude(const TargetDesc& target) {
  return fmt::format(
      "#include \"tinyc_runtime.h\" /* --runtime shared: tinyc_runtime.c is compiled once for all models */\n"
      "#if !defined(TINYC_RUNTIME_ID) || TINYC_RUNTIME_ID != 0x{:08x}u\n"
      "#error \"tinyc_runtime.h is not the runtime this model was generated with: convert the models of a build "
      "into one folder with the same tinyc and a target of the same accumulation (docs/generated-api.md)\"\n"
      "#endif\n",
      sharedRuntime(target).id);
}

}  // namespace tinyc::c
