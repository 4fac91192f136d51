// tinyc convert: ONNX in, C out (NAME.h, NAME.c, NAME_weights.c, and with --runtime shared
// tinyc_runtime.h, tinyc_runtime.c), written atomically.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include "compile.h"
#include "passes/memory/svg.h"
#include "report_html.h"
#include "support/error.h"
#include "support/npy.h"

namespace tinyc::cli {

namespace {

namespace fs = std::filesystem;

struct ConvertOptions {
  CompileOptions compile;
  std::string outDir, report, reportHtml, depfile, planSvg, arenaBudget;
  bool quiet = false;
};

// Writes every file under a temporary name in its folder, then renames them all; on failure
// the temporaries are removed and nothing else is touched.
void writeAtomically(const std::vector<std::pair<fs::path, std::string>>& files) {
  std::vector<std::pair<fs::path, fs::path>> staged;
  std::error_code ec;
  try {
    for (const auto& [path, content] : files) {
      // (per process: converts running in parallel into one folder all write tinyc_runtime.c)
      fs::path tmp = path.parent_path() / fmt::format(".{}.tinyc-tmp.{}", path.filename().string(), ::getpid());
      std::ofstream f(tmp, std::ios::binary);
      staged.emplace_back(tmp, path);
      f << content;
      f.close();
      if (!f) modelError("cannot write '{}'", printable(path.string(), 200));
    }
  } catch (...) {
    for (auto& [tmp, final] : staged) fs::remove(tmp, ec);
    throw;
  }
  for (auto& [tmp, final] : staged) {
    fs::rename(tmp, final, ec);
    if (ec) modelError("cannot write '{}': {}", printable(final.string(), 200), ec.message());
  }
}

std::string depEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

// "64K", "1M", "4096" -> bytes (K = 1024).
int64_t parseBytes(const std::string& s) {
  size_t pos = 0;
  long long v = -1;
  try {
    v = std::stoll(s, &pos);
  } catch (const std::exception&) {
  }
  std::string suffix = s.substr(pos);
  int64_t mul = suffix.empty() || suffix == "B" ? 1 : suffix == "K" || suffix == "KB" || suffix == "k" ? 1024
              : suffix == "M" || suffix == "MB" ? 1024 * 1024 : -1;
  if (v < 0 || mul < 0) usageError("--arena-budget '{}': expected bytes like 65536, 64K or 1M", printable(s));
  return v * mul;
}

void convert(const ConvertOptions& o) {
  const int64_t budget = o.arenaBudget.empty() ? -1 : parseBytes(o.arenaBudget);
  Compiled c = compileModel(o.compile);
  const MemoryReport& m = c.result.memory;
  if (budget >= 0 && c.result.arenaBytes > budget) {
    std::string live;
    for (size_t i = 0; i < m.peakTensors.size() && i < 4; ++i) live += (i ? ", " : "") + printable(m.peakTensors[i], 40);
    modelError("the arena needs {} bytes but --arena-budget is {} (lower bound {} bytes; peak at node '{}' with {}{})",
               c.result.arenaBytes, budget, m.lowerBound, printable(m.peakNode), live, m.peakTensors.size() > 4 ? ", ..." : "");
  }
  std::error_code ec;
  // The other files' folders must exist, or be -o or one of its parents (created below), before
  // anything is created (no empty output folder left behind).
  auto norm = [](const fs::path& p) {
    fs::path n = p.lexically_normal();
    return n.has_filename() || !n.has_parent_path() ? n : n.parent_path();
  };
  for (const std::string* extra : {&o.report, &o.reportHtml, &o.depfile, &o.planSvg}) {
    fs::path dir = fs::path(*extra).parent_path();
    if (extra->empty() || dir.empty() || fs::is_directory(dir, ec)) continue;
    bool created = false;
    for (fs::path p = norm(o.outDir); !p.empty() && !created; p = p == p.parent_path() ? fs::path() : p.parent_path())
      created = p == norm(dir);
    if (!created)
      modelError("cannot write '{}': folder '{}' does not exist", printable(*extra, 200), printable(dir.string(), 200));
  }
  fs::path created;  // the topmost folder of -o that this run creates
  for (fs::path p = fs::path(o.outDir); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    created = p;
    if (p == p.parent_path()) break;
  }
  fs::create_directories(o.outDir, ec);
  if (ec) modelError("cannot create output folder '{}': {}", printable(o.outDir, 200), ec.message());
  std::vector<std::pair<fs::path, std::string>> files;
  for (const auto& f : c.result.files) files.emplace_back(fs::path(o.outDir) / f.name, f.content);
  if (!o.report.empty()) files.emplace_back(o.report, c.report().dump(2) + "\n");
  if (!o.reportHtml.empty())
    files.emplace_back(o.reportHtml, reportHtml(c.report(), planSvg(m.buffers, m.plan, c.name), nullptr, versionLine()));
  if (!o.depfile.empty()) {
    std::string targets, deps;
    for (const auto& f : c.result.files) targets += (targets.empty() ? "" : " ") + depEscape((fs::path(o.outDir) / f.name).string());
    // The compiler itself: a new tinyc regenerates the C.
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && !self.empty()) deps += " " + depEscape(self.string());
    ec.clear();
    for (const auto& d : c.filesRead) deps += " " + depEscape(d);
    files.emplace_back(o.depfile, targets + ":" + deps + "\n");
  }
  if (!o.planSvg.empty()) files.emplace_back(o.planSvg, planSvg(m.buffers, m.plan, c.name));
  // --runtime shared: a different tinyc_runtime.h already there belongs to models converted by
  // another tinyc or for a target of the other accumulation type; they stop compiling (#error).
  for (const auto& f : c.result.files) {
    const fs::path p = fs::path(o.outDir) / f.name;
    if (f.name != "tinyc_runtime.h" || !fs::is_regular_file(p, ec)) continue;
    if (readFileBytes(p.string()) != f.content)
      std::cerr << fmt::format(
          "tinyc: warning: replacing {} and tinyc_runtime.c, made by another tinyc or for a target of another "
          "accumulation type: models converted into {} before no longer compile (#error); convert them again\n",
          printable(p.string(), 200), printable(o.outDir, 200));
  }
  try {
    writeAtomically(files);
  } catch (...) {  // remove the (then empty) folders this run created
    if (!created.empty())
      for (fs::path p = fs::path(o.outDir); fs::remove(p, ec) && p != created; p = p.parent_path()) {
      }
    throw;
  }
  if (o.quiet) return;
  if (o.compile.name.empty())
    std::cerr << fmt::format(
        "tinyc: note: no --name: the generated API is named '{0}' after the model file ({0}_run, {0}.h, ...); "
        "two models of one program need different names (the same name clashes at link time), give each "
        "its own --name\n",
        c.name);
  auto r = c.report();
  std::cout << fmt::format("tinyc: wrote {} files to {} (target {})\n", c.result.files.size(), o.outDir, c.target->name);
  for (const auto& f : c.result.files) std::cout << "  " << f.name << "\n";
  std::cout << fmt::format("  arena {} bytes (lower bound {}, {} planner; greedy-by-size would need {})\n", c.result.arenaBytes,
                           m.lowerBound, m.plan.planner, m.greedyBySize);
  if (!m.peakNode.empty()) {
    int64_t largest = 0;
    std::string largestNode;
    for (const auto& [node, bytes] : m.scratchBytes)
      if (bytes > largest) largest = bytes, largestNode = node;
    const auto it = m.scratchBytes.find(m.peakNode);
    std::cout << fmt::format("  peak at node '{}' (kernel scratch {} bytes); largest kernel scratch {} bytes{}\n",
                             printable(m.peakNode, 60), it == m.scratchBytes.end() ? 0 : it->second, largest,
                             largest > 0 ? fmt::format(" ('{}')", printable(largestNode, 60)) : std::string());
  }
  if (!r["patch"].is_null()) {
    const int64_t stages = r["patch"]["stages"].get<int64_t>();
    std::cout << fmt::format("  patches: {} {} nodes in {} strips{}, {} extra MACs; without: arena {} bytes "
                             "(lower bound {})\n",
                             stages == 1 ? std::string("the first") : fmt::format("{} stages of", stages),
                             r["patch"]["stage_nodes"].get<int64_t>(), r["patch"]["strips"].get<int64_t>(),
                             stages == 1 ? "" : " in all", r["patch"]["extra_macs"].get<int64_t>(),
                             r["patch"]["arena_bytes_without"].get<int64_t>(),
                             r["patch"]["lower_bound_bytes_without"].get<int64_t>());
  }
  std::cout << fmt::format("  weights {} bytes, I/O {} bytes, {} MACs, {} nodes\n",
                           c.result.weightsBytes, c.result.ioBytes, r["macs"].get<int64_t>(), c.graph->nodes.size());
  if (!c.quantization.is_null() && c.quantization.contains("calibration_method")) {
    std::string int4;  // --weight-bits 4: how many of the layers with weights got int4
    if (c.quantization.contains("keep_int8_weights")) {
      int withWeights = 0, four = 0;
      for (const auto& l : c.quantization["layers"]) {
        withWeights += l["weight_bytes"].get<int64_t>() > 0;
        four += l["precision"] == "int4";
      }
      int4 = fmt::format("; int4 weights on {} of {} layers with weights", four, withWeights);
    }
    std::cout << fmt::format("  quantized {} ({} calibration, {} samples{}), {} float islands\n",
                             c.quantization["scheme"].get<std::string>(),
                             c.quantization["calibration_method"].get<std::string>(),
                             c.quantization["calibration_samples"].get<size_t>(), int4, r["float_islands"].size());
  }
  else if (!c.quantization.is_null())
    std::cout << fmt::format("  quantized {} (weights only: activations stay float)\n",
                             c.quantization["scheme"].get<std::string>());
}

}  // namespace

void registerConvert(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  CLI::App* cmd = app.add_subcommand("convert", "generate C (NAME.h, NAME.c, NAME_weights.c) from the model");
  addCompileOptions(cmd, o->compile);
  cmd->add_option("-o,--output-dir", o->outDir, "folder for the generated files (created if missing)")->required();
  cmd->add_option("--report", o->report, "write a JSON report (docs/report-json.md)");
  cmd->add_option("--report-html", o->reportHtml,
                  "write the report as one self-contained HTML page: summary, per-layer table, memory plan (docs/report-html.md)");
  cmd->add_option("--depfile", o->depfile, "write a Make-style dependency file (outputs depend on tinyc, the model and data)");
  cmd->add_option("--arena-budget", o->arenaBudget, "fail (exit 1) if the arena needs more than this (bytes, or 64K, 1M)");
  cmd->add_option("--plan-svg", o->planSvg, "draw the memory plan (x = step, y = offset) as SVG");
  cmd->add_flag("-q,--quiet", o->quiet, "print nothing on success");
  cmd->callback([o] {
    o->compile.quiet = o->quiet;
    convert(*o);
  });
}

}  // namespace tinyc::cli
