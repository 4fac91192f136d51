// tinyc bench: host latency of the generated C (median and spread after warm-up) and of the
// reference interpreter.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "backends/c/emulate.h"
#include "ops/op.h"
#include "backends/c/host.h"
#include "compile.h"
#include "inputs.h"
#include "interp/interpreter.h"
#include "passes/memory/svg.h"
#include "report_html.h"
#include "support/error.h"

namespace tinyc::cli {

namespace {

namespace fs = std::filesystem;

struct BenchOptions {
  CompileOptions compile;
  int runs = 50, warmup = 5, interpRuns = 10;
  std::string cflags;
  bool json = false;
  bool emulate = false;  // instructions per inference on the target's QEMU machine
  bool perLayer = false;  // --per-layer: and per node, from a measurement build
  std::string checkFit;   // --check-fit FLASH,RAM (bytes, K or M suffixes: KiB, MiB)
  std::string reportHtml;  // --report-html FILE: the convert report with these measurements
};

// "256K" -> 262144, "1M" -> 1048576, "4000" -> 4000; -1 when malformed.
int64_t parseBytes(std::string s) {
  int64_t unit = 1;
  if (!s.empty() && (s.back() == 'K' || s.back() == 'k')) unit = 1024, s.pop_back();
  else if (!s.empty() && (s.back() == 'M' || s.back() == 'm')) unit = 1024 * 1024, s.pop_back();
  if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(s) * unit;
}

// --check-fit's two budgets; usage error when malformed.
std::pair<int64_t, int64_t> parseBudget(const std::string& text) {
  const size_t comma = text.find(',');
  const int64_t flash = comma == std::string::npos ? -1 : parseBytes(text.substr(0, comma));
  const int64_t ram = comma == std::string::npos ? -1 : parseBytes(text.substr(comma + 1));
  if (flash <= 0 || ram <= 0)
    usageError("--check-fit takes FLASH,RAM in bytes, with K or M for KiB or MiB (e.g. 256K,64K), not '{}'",
               printable(text, 80));
  return {flash, ram};
}

struct Stats {
  double median = 0, min = 0, max = 0, p10 = 0, p90 = 0;
};
Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) { return v[static_cast<size_t>(std::lround(p * static_cast<double>(v.size() - 1)))]; };
  s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  s.min = v.front();
  s.max = v.back();
  s.p10 = q(0.1);
  s.p90 = q(0.9);
  return s;
}

// One row of --per-layer.
struct Layer {
  std::string node, op;
  int64_t macs = 0;
  double instructions = 0;
};

void printLayers(const std::vector<Layer>& layers) {
  if (!layers.empty()) {
    double total = 0;
    for (const Layer& l : layers) total += l.instructions;
    std::cout << fmt::format("\nper layer (a measurement build, {:.0f} instructions in all; sorted by cost):\n", total);
    std::cout << fmt::format("  {:>12} {:>6} {:>10} {:>9}  {:<18} {}\n", "instructions", "share", "MACs", "MAC/instr", "op",
                             "node");
    for (const Layer& l : layers)
      std::cout << fmt::format("  {:>12.0f} {:>5.1f}% {:>10} {:>9}  {:<18} {}\n", l.instructions,
                               total > 0 ? 100.0 * l.instructions / total : 0.0, l.macs,
                               l.macs > 0 && l.instructions > 0 ? fmt::format("{:.3f}", static_cast<double>(l.macs) / l.instructions)
                                                                : std::string("-"),
                               printable(l.op, 18), printable(l.node, 60));
  }
}

// --emulate: the generated C cross-compiled for the target and run in QEMU with -icount; prints
// the instructions of each inference (deterministic, so a few runs suffice).
void benchEmulated(const BenchOptions& o) {
  const c::EmulatedMachine* m = c::findEmulatedMachine(o.compile.target);
  if (!m)
    usageError("no emulated machine for target '{}' (--emulate supports --target {})", printable(o.compile.target),
               c::emulatedTargets());
  const auto budget = o.checkFit.empty() ? std::pair<int64_t, int64_t>{0, 0} : parseBudget(o.checkFit);
  Compiled c = compileModel(o.compile);
  const Graph& g = *c.graph;
  auto sets = randomInputs(g, 1, 0);
  char tmpl[] = "/tmp/tinyc-bench-XXXXXX";
  if (!mkdtemp(tmpl)) modelError("cannot create a temporary folder");
  fs::path work(tmpl);
  std::vector<double> counts;
  c::Footprint fp;
  int64_t stack = -1;
  try {
    const int runs = std::min(o.runs, 3);
    std::string elf = c::buildEmulated((work / "build").string(), c.name, c.result.files, *c.target, runs);
    fp = c::measureFootprint((work / "build").string(), c.name, c.result.files);
    counts = c::countEmulated(elf, *m, g, sets[0].inputs, (work / "run").string(), 300, nullptr, &stack);
  } catch (...) {
    fs::remove_all(work);
    throw;
  }
  fs::remove_all(work);
  Stats st = stats(counts);
  // RAM: the arena, the stack of a run, the model's own data, and the caller's input and output
  // buffers (none with --io-in-arena: they are in the arena).
  int64_t io = 0;
  if (!o.compile.ioInArena)
    for (const auto* vs : {&g.inputs, &g.outputs})
      for (const Value* v : *vs) io += numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype));
  const int64_t arena = c.result.arenaBytes;
  const int64_t ram = arena + std::max<int64_t>(stack, 0) + fp.ramData + io;
  // --per-layer: the same code with a mark after every step (a separate build: the marks cost a
  // few instructions each, which the total above does not include).
  std::vector<Layer> layers;
  if (o.perLayer) {
    CompileOptions po = o.compile;
    po.profile = true;
    po.quiet = true;
    Compiled pc = compileModel(po);
    std::vector<double> steps;
    char tmpl2[] = "/tmp/tinyc-bench-XXXXXX";
    if (!mkdtemp(tmpl2)) modelError("cannot create a temporary folder");
    work = fs::path(tmpl2);
    try {
      std::string elf = c::buildEmulated((work / "build").string(), pc.name, pc.result.files, *pc.target, 1,
                                         static_cast<int>(pc.result.steps.size()));
      c::countEmulated(elf, *m, *pc.graph, sets[0].inputs, (work / "run").string(), 300, &steps);
    } catch (...) {
      fs::remove_all(work);
      throw;
    }
    fs::remove_all(work);
    for (size_t k = 0; k < pc.result.steps.size() && k < steps.size(); ++k)
      layers.push_back({pc.result.steps[k]->name, pc.result.steps[k]->opType, nodeMacs(*pc.result.steps[k]), steps[k]});
    std::stable_sort(layers.begin(), layers.end(), [](const Layer& a, const Layer& b) { return a.instructions > b.instructions; });
  }
  if (o.json || !o.reportHtml.empty()) {
    nlohmann::ordered_json j;
    j["model"] = o.compile.model.model;
    j["target"] = c.target->name;
    j["emulated"] = "qemu-system-arm -machine " + m->qemuMachine + " -icount shift=0";
    j["instructions"] = {{"runs", counts.size()}, {"median", st.median}, {"min", st.min}, {"max", st.max}};
    j["arena_bytes"] = c.result.arenaBytes;
    j["weights_bytes"] = c.result.weightsBytes;
    j["flash"] = {{"kernels", fp.kernelsText}, {"model_code", fp.modelText}, {"weights_and_constants", fp.constData},
                  {"total", fp.flash()}};
    j["ram"] = {{"arena", arena}, {"stack", stack < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(stack)},
                {"data", fp.ramData}, {"io_buffers", io}, {"total", ram}};
    if (!o.checkFit.empty())
      j["check_fit"] = {{"flash_budget", budget.first}, {"ram_budget", budget.second},
                        {"fits", fp.flash() <= budget.first && ram <= budget.second && stack >= 0}};
    if (o.perLayer) {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const Layer& l : layers)
        a.push_back({{"node", l.node}, {"op", l.op}, {"macs", l.macs}, {"instructions", std::llround(l.instructions)}});
      j["layers"] = a;
    }
    if (!o.reportHtml.empty()) {  // written whole under a temporary name, then renamed
      const fs::path final(o.reportHtml), tmp = final.parent_path() / (".tinyc-tmp." + final.filename().string());
      {
        std::ofstream f(tmp, std::ios::binary);
        f << reportHtml(c.report(), planSvg(c.result.memory.buffers, c.result.memory.plan, c.name), j, versionLine());
        if (!f) {
          std::error_code ec;
          fs::remove(tmp, ec);
          modelError("cannot write '{}'", printable(o.reportHtml, 200));
        }
      }
      std::error_code ec;
      fs::rename(tmp, final, ec);
      if (ec) modelError("cannot write '{}': {}", printable(o.reportHtml, 200), ec.message());
    }
    if (o.json) std::cout << j.dump(2) << "\n";
  }
  if (!o.json) {
    std::cout << fmt::format("model: {}   target: {} (QEMU {}, -icount)\n", printable(o.compile.model.model, 200),
                             c.target->name, m->qemuMachine);
    std::cout << fmt::format("instructions per inference  {:.0f}  (min {:.0f}, max {:.0f}; {} runs; not cycles)\n",
                             st.median, st.min, st.max, counts.size());
    auto b = [](int64_t v) { return std::to_string(v); };
    std::cout << fmt::format("flash  {:>9} B  kernels {}, model code {}, weights and constants {} (arm-none-eabi-gcc {} -O2)\n",
                             b(fp.flash()), b(fp.kernelsText), b(fp.modelText), b(fp.constData), c.target->crossCflags);
    std::cout << fmt::format("RAM    {:>9} B  arena {}, stack {}, data {}, inputs and outputs {}\n", b(ram), b(arena),
                             stack < 0 ? std::string("over 64 KiB (not measured)") : b(stack) + " (measured, one run)",
                             b(fp.ramData), o.compile.ioInArena ? std::string("in the arena") : b(io));
    printLayers(layers);
  }
  if (!o.checkFit.empty()) {
    if (stack < 0) modelError("--check-fit: the stack of a run is over 64 KiB (not measured)");
    if (fp.flash() > budget.first || ram > budget.second)
      modelError("the model does not fit {} flash and {} RAM on {}: needs {} flash{} and {} RAM{}",
                 std::to_string(budget.first), std::to_string(budget.second), c.target->name,
                 std::to_string(fp.flash()), fp.flash() > budget.first ? " (over)" : "", std::to_string(ram),
                 ram > budget.second ? " (over)" : "");
    if (!o.json)
      std::cout << fmt::format("fits: flash {} <= {}, RAM {} <= {}\n", std::to_string(fp.flash()),
                               std::to_string(budget.first), std::to_string(ram), std::to_string(budget.second));
  }
}

void bench(const BenchOptions& o) {
  if (o.runs < 1 || o.warmup < 0 || o.interpRuns < 0) usageError("--runs must be >= 1, --warmup and --interp-runs >= 0");
  if (o.perLayer && !o.emulate) usageError("--per-layer needs --emulate");
  if (!o.checkFit.empty() && !o.emulate)
    usageError("--check-fit needs --emulate (flash and RAM are measured on the target's build)");
  if (o.emulate) return benchEmulated(o);
  Compiled c = compileModel(o.compile);
  const Graph& g = *c.graph;
  auto sets = randomInputs(g, 1, 0);
  char tmpl[] = "/tmp/tinyc-bench-XXXXXX";
  if (!mkdtemp(tmpl)) modelError("cannot create a temporary folder");
  fs::path work(tmpl);
  c::HostBuildOptions hb;
  const char* envFlags = std::getenv("CFLAGS");
  hb.cflags = !o.cflags.empty() ? o.cflags : (envFlags && *envFlags ? envFlags : "-O3 -march=native");
  std::vector<double> times;
  try {
    std::string exe = c::buildHost((work / "build").string(), c.name, c.result.files, hb);
    times = c::benchHost(exe, g, sets[0].inputs, (work / "run").string(), o.warmup + o.runs);
  } catch (...) {
    fs::remove_all(work);
    throw;
  }
  fs::remove_all(work);
  times.erase(times.begin(), times.begin() + std::min<size_t>(times.size(), static_cast<size_t>(o.warmup)));
  Stats gen = stats(times);

  std::vector<double> itimes;
  Interpreter interp(g);
  for (int i = 0; i < o.interpRuns; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    interp.run(sets[0].inputs);
    itimes.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
  }
  Stats it = stats(itimes);
  auto ms = [](double ns) { return ns / 1e6; };
  if (o.json || !o.reportHtml.empty()) {
    nlohmann::ordered_json j;
    j["model"] = o.compile.model.model;
    j["cc"] = std::getenv("CC") ? std::getenv("CC") : "cc";
    j["cflags"] = hb.cflags;
    j["generated_ms"] = {{"runs", times.size()}, {"median", ms(gen.median)}, {"min", ms(gen.min)}, {"p10", ms(gen.p10)},
                         {"p90", ms(gen.p90)}, {"max", ms(gen.max)}};
    j["interpreter_ms"] = {{"runs", itimes.size()}, {"median", ms(it.median)}, {"min", ms(it.min)}, {"max", ms(it.max)}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("model: {}   cflags: {}\n", printable(o.compile.model.model, 200), hb.cflags);
  auto us = [](double ns) { return ns / 1e3; };
  std::cout << fmt::format("generated C   median {:.1f} us  (min {:.1f}, p10 {:.1f}, p90 {:.1f}, max {:.1f}; {} runs after {} warm-up)\n",
                           us(gen.median), us(gen.min), us(gen.p10), us(gen.p90), us(gen.max), times.size(), o.warmup);
  if (!itimes.empty())
    std::cout << fmt::format("interpreter   median {:.1f} us  (min {:.1f}, max {:.1f}; {} runs)\n", us(it.median),
                             us(it.min), us(it.max), itimes.size());
}

}  // namespace

void registerBench(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "measure host latency of the generated C and of the interpreter");
  addCompileOptions(cmd, o->compile);
  cmd->add_option("--runs", o->runs, "timed runs of the generated code")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "untimed runs first")->capture_default_str();
  cmd->add_option("--interp-runs", o->interpRuns, "timed runs of the interpreter (0 = skip)")->capture_default_str();
  cmd->add_option("--cflags", o->cflags, "C compiler flags (default: $CFLAGS or -O3 -march=native)");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->add_flag("--emulate", o->emulate,
                "count instructions per inference on the target's emulated core (QEMU -icount; cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55)");
  cmd->add_option("--check-fit", o->checkFit,
                  "with --emulate: fail (exit 1) unless the model's flash and RAM (arena, measured stack, data, "
                  "input and output buffers) fit these budgets, e.g. 256K,64K");
  cmd->add_flag("--per-layer", o->perLayer,
                "with --emulate: also instructions per node (a measurement build), sorted by cost, with MACs per instruction");
  cmd->add_option("--report-html", o->reportHtml,
                  "with --emulate: write the convert report with these measurements (flash and RAM split, "
                  "instructions per layer with --per-layer) as one HTML page (docs/report-html.md)");
  cmd->callback([o] {
    if (!o->reportHtml.empty() && !o->emulate) usageError("--report-html needs --emulate (the page shows the emulated figures)");
    bench(*o);
  });
}

}  // namespace tinyc::cli
