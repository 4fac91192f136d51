// tinyc validate: convert, build the generated C on the host (or cross-compile it and run it in
// QEMU with --emulate), run it, and compare it with the reference interpreter (and with reference
// outputs when given).
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "backends/c/emulate.h"
#include "backends/c/host.h"
#include "compile.h"
#include "inputs.h"
#include "interp/compare.h"
#include "interp/interpreter.h"
#include "passes/lower_quant.h"
#include "support/error.h"

namespace tinyc::cli {

namespace {

namespace fs = std::filesystem;

struct ValidateOptions {
  CompileOptions compile;
  std::vector<std::string> inputs;
  std::string testData;
  int random = 0;
  uint64_t seed = 0;
  double rtol = 1e-4, atol = 1e-5;
  bool json = false, keep = false, noPoison = false, quiet = false;
  bool emulate = false;  // --emulate: cross-compile and run in qemu-system-arm
};

// Top-1 agreement is reported for outputs that look like class scores ([N] or [1, N], N > 1).
bool isClassifier(const Tensor& t) {
  const Shape& s = t.shape();
  return isFloat(t.dtype()) && ((s.size() == 1 && s[0] > 1) || (s.size() == 2 && s[0] == 1 && s[1] > 1));
}
int64_t argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t i = 1; i < t.numel(); ++i)
    if (t.getF(i) > t.getF(best)) best = i;
  return best;
}

// informational: printed, never a failure (a --quantize or --prune model against the float reference).
nlohmann::ordered_json metrics(const Tensor& got, const Tensor& ref, const Tolerance& tol, bool* ok,
                               bool informational = false) {
  Comparison c = compareTensors(got, ref, tol);
  if (!informational) *ok = *ok && c.ok;
  nlohmann::ordered_json j;
  j["ok"] = c.ok;
  if (informational) j["informational"] = true;
  j["max_abs_err"] = c.maxAbsErr;
  j["max_rel_err"] = c.maxRelErr;
  j["cosine"] = c.cosine;
  j["sqnr_db"] = std::isinf(c.sqnrDb) ? nlohmann::ordered_json("inf") : nlohmann::ordered_json(c.sqnrDb);
  if (got.shape() == ref.shape() && isClassifier(ref)) j["top1_agree"] = argmax(got) == argmax(ref);
  if (!c.ok && !informational) j["why"] = c.why;
  return j;
}

int validate(const ValidateOptions& o) {
  int sources = (!o.inputs.empty()) + (!o.testData.empty()) + (o.random > 0);
  if (sources > 1) usageError("give only one of -i, --test-data and --random");
  const c::EmulatedMachine* machine = nullptr;
  if (o.emulate) {
    machine = c::findEmulatedMachine(findTarget(o.compile.target).name);
    if (!machine)
      usageError("no emulated machine for target '{}' (--emulate supports --target {})", printable(o.compile.target),
                 c::emulatedTargets());
  }
  Compiled c = compileModel(o.compile, /*poisonDead=*/!o.noPoison);
  const Graph& g = *c.graph;
  std::vector<InputSet> sets;
  if (!o.inputs.empty())
    sets.push_back(inputsFromFiles(g, o.inputs));
  else if (!o.testData.empty())
    sets = inputsFromTestData(g, o.testData);
  else
    sets = randomInputs(g, o.random > 0 ? o.random : 1, o.seed);

  char tmpl[] = "/tmp/tinyc-validate-XXXXXX";
  if (!mkdtemp(tmpl)) modelError("cannot create a temporary folder");
  fs::path work(tmpl);
  c::HostBuildOptions hb;
  nlohmann::ordered_json report;
  bool ok = true;
  try {
    std::string buildDir = (work / "build").string();
    std::string exe = machine ? c::buildEmulated(buildDir, c.name, c.result.files, *c.target)
                              : c::buildHost(buildDir, c.name, c.result.files, hb);
    const int64_t reduction = longestReduction(g);
    Tolerance tol{o.rtol, o.atol * reductionScale(reduction), true};
    // A model quantized here (--quantize) is integer code: the C equals the interpreter exactly
    // (unless float islands remain; weights-int8 keeps float activations: float tolerance), and
    // the reference outputs (the float model's) only measure the quantization's accuracy:
    // printed, not checked.
    const bool quantized = !c.quantization.is_null();
    // Pruned (--prune): another model, whose distance from the reference outputs is information too.
    const bool pruned = !c.pruning.is_null();
    const bool exact = quantized && c.quantization.value("scheme", "") != "weights-int8" && floatIslands(g).empty();
    const Tolerance exactTol{0, 0, false};
    Interpreter interp(g);
    nlohmann::ordered_json jsets = nlohmann::ordered_json::array();
    for (size_t k = 0; k < sets.size(); ++k) {
      const InputSet& s = sets[k];
      auto want = interp.run(s.inputs);
      std::string runDir = (work / fmt::format("run{}", k)).string();
      auto got = machine ? c::runEmulated(exe, *machine, g, s.inputs, runDir) : c::runHost(exe, g, s.inputs, runDir);
      nlohmann::ordered_json jo = nlohmann::ordered_json::array();
      for (size_t j = 0; j < got.size(); ++j) {
        nlohmann::ordered_json e;
        e["output"] = g.outputs[j]->name;
        e["vs_interpreter"] = metrics(got[j], want[j], exact ? exactTol : tol, &ok);
        if (j < s.references.size())
          e["vs_reference"] = metrics(got[j], s.references[j], tol, &ok, quantized || pruned);
        jo.push_back(e);
      }
      jsets.push_back({{"set", s.label}, {"outputs", jo}});
    }
    report["model"] = o.compile.model.model;
    report["target"] = c.target->name;
    if (machine) report["emulated"] = "qemu-system-arm -machine " + machine->qemuMachine;
    report["tolerance"] = {{"rtol", o.rtol}, {"atol_times_max_abs_ref", tol.atol}, {"atol_option", o.atol},
                           {"longest_reduction", reduction}};
    if (pruned) report["prune"] = c.pruning;
    if (quantized) {
      report["quantization"] = c.quantization;
      report["vs_interpreter"] = exact ? "exact" : "tolerance (float islands)";
    }
    report["ok"] = ok;
    report["sets"] = jsets;
  } catch (...) {
    if (!o.keep) fs::remove_all(work);
    throw;
  }
  if (o.keep)
    std::cerr << "tinyc: note: generated code and harness kept in " << work.string() << "\n";
  else
    fs::remove_all(work);

  if (o.quiet && ok) return 0;
  if (o.json) {
    std::cout << report.dump(2) << "\n";
  } else {
    for (const auto& s : report["sets"])
      for (const auto& e : s["outputs"]) {
        auto line = [&](const char* what, const nlohmann::ordered_json& m) {
          std::string sq = m["sqnr_db"].is_string() ? "inf" : fmt::format("{:.1f}", m["sqnr_db"].get<double>());
          std::cout << fmt::format("{:<14} {:<24} {:<12} {:<4} max_abs {:.3g}  max_rel {:.3g}  cos {:.6f}  SQNR {} dB{}\n",
                                   s["set"].get<std::string>(), printable(e["output"].get<std::string>(), 24), what,
                                   m.contains("informational") ? "info" : m["ok"].get<bool>() ? "ok" : "FAIL",
                                   m["max_abs_err"].get<double>(),
                                   m["max_rel_err"].get<double>(), m["cosine"].get<double>(), sq,
                                   m.contains("top1_agree") ? (m["top1_agree"].get<bool>() ? "  top1 =" : "  top1 !=") : "");
        };
        // A failure's reason (elements outside tolerance, the worst one's index, got and expected).
        auto why = [&](const nlohmann::ordered_json& m) {
          if (m.contains("why")) std::cout << "  " << m["why"].get<std::string>() << "\n";
        };
        line("vs interp", e["vs_interpreter"]);
        why(e["vs_interpreter"]);
        if (e.contains("vs_reference")) {
          line(e["vs_reference"].contains("informational") ? "vs float ref" : "vs ref", e["vs_reference"]);
          why(e["vs_reference"]);
        }
      }
    std::cout << (ok ? "validate: ok\n" : "validate: FAILED (outside tolerance)\n");
  }
  return ok ? 0 : 1;
}

}  // namespace

void registerValidate(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand("validate", "build the generated C on the host (or in QEMU: --emulate), run it and compare with the interpreter");
  addCompileOptions(cmd, o->compile);
  cmd->add_option("-i,--input", o->inputs, "input tensor files (.pb/.npy) in graph-input order");
  cmd->add_option("--test-data", o->testData, "folder with test_data_set_*/input_K.pb and output_K.pb");
  cmd->add_option("--random", o->random, "number of seeded random input sets (default 1 when no inputs are given)");
  cmd->add_option("--seed", o->seed, "seed of --random")->capture_default_str();
  cmd->add_option("--rtol", o->rtol, "relative tolerance")->capture_default_str();
  cmd->add_option("--atol", o->atol,
                  "absolute tolerance, times max|reference| of each output and max(1, sqrt(K/256)) for the graph's "
                  "longest reduction K")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "print the comparison as JSON");
  cmd->add_flag("--no-poison", o->noPoison,
                "do not overwrite dead arena regions with 0xff (on by default: a planning mistake then shows as a wrong output)");
  cmd->add_flag("--emulate", o->emulate,
                "cross-compile for the Cortex-M --target (cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55) and run it in qemu-system-arm");
  cmd->add_flag("--keep", o->keep, "keep the generated code and harness (path printed on stderr)");
  cmd->add_flag("-q,--quiet", o->quiet, "print nothing on success (a failure still prints the comparison)");
  cmd->callback([o] {
    o->compile.quiet = o->quiet;
    int rc = validate(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace tinyc::cli
