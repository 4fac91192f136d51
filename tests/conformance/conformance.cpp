// Conformance runner: every test directory (model.onnx + test_data_set_*/input_K.pb, output_K.pb)
// under a suite folder is imported, run through the reference interpreter and compared with its
// expected outputs. Prints a per-group pass/fail table; exits 1 when a test fails that is not in
// the known-failures list (or when a listed test now passes, so the list stays honest).
#include <onnx/onnx_pb.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <unistd.h>

#include "backends/backend.h"
#include "backends/c/host.h"
#include "interp/compare.h"
#include "interp/interpreter.h"
#include "onnx/control_flow.h"
#include "onnx/importer.h"
#include "onnx/tensor_proto.h"
#include "ops/op.h"
#include "passes/pass.h"
#include "support/npy.h"

namespace fs = std::filesystem;
using namespace tinyc;

namespace {

struct Result {
  std::string test, group, status, detail;  // status: pass | fail | unsupported | known | interp-only
  bool noKernel = false;                    // supported op, but the backend cannot generate it
};

// Per-op tolerances where an op needs more than the default (documented in docs/conformance.md).
Tolerance toleranceFor(const std::string& group, bool modelSuite) {
  Tolerance t;
  if (modelSuite) {
    t.rtol = 1e-4;
    t.atol = 1e-5;
    t.atolRelativeToMax = true;
  }
  static const std::map<std::string, Tolerance> perOp = {
      {"LSTM", {1e-3, 1e-4, false}}, {"GRU", {1e-3, 1e-4, false}}, {"Pow", {1e-4, 1e-4, false}},
      // test_gridsample_bicubic's expected values are written to 4 decimals (-0.1406 for -0.140625)
      {"GridSample", {1e-4, 1e-4, false}},
  };
  if (auto it = perOp.find(group); it != perOp.end()) t = it->second;
  return t;
}

std::map<std::string, std::string> readKnownFailures(const std::string& path) {
  std::map<std::string, std::string> out;
  if (path.empty()) return out;
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read known-failures file " + path);
  std::string line;
  while (std::getline(f, line)) {
    auto hash = line.find('#');
    std::string name = line.substr(0, hash);
    name.erase(std::remove_if(name.begin(), name.end(), ::isspace), name.end());
    if (name.empty()) continue;
    std::string reason = hash == std::string::npos ? "" : line.substr(hash + 1);
    if (reason.find_first_not_of(" ") == std::string::npos)
      throw std::runtime_error("known failure '" + name + "' must give a reason after '#'");
    out[name] = reason;
  }
  return out;
}

// Op types of the model after local-function expansion is approximated by the graph's nodes and
// the bodies of its functions.
// The ops of a graph; If, Loop and Scan stand for the ops of their bodies (the importer unrolls
// them when what they depend on is known at compile time).
void graphOps(const onnx::GraphProto& g, const std::set<std::string>& fnames, std::set<std::string>& ops) {
  for (const auto& n : g.node()) {
    if (isControlFlowNode(n)) {
      for (const auto& a : n.attribute())
        if (a.has_g()) graphOps(a.g(), fnames, ops);
      continue;
    }
    if (!fnames.count(n.op_type())) ops.insert(n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "::" + n.op_type());
  }
}

std::set<std::string> modelOps(const onnx::ModelProto& m, std::string* group) {
  std::set<std::string> fnames, ops;
  for (const auto& f : m.functions()) fnames.insert(f.name());
  for (const auto& f : m.functions())
    for (const auto& n : f.node())
      if (!fnames.count(n.op_type())) ops.insert(n.op_type());
  graphOps(m.graph(), fnames, ops);
  if (m.graph().node_size() == 1)
    *group = m.graph().node(0).op_type();
  else
    *group = "(multi-node)";
  return ops;
}

std::string gBackend;  // empty: interpreter only; "c": also generate, build and run C
std::string gWork;
std::string gRuntime = "inline";  // --runtime of the C backend (shared: tinyc_runtime.c built with each test)
std::string gTarget = "generic";  // its layout drives the layout pass; the C backend emits for it
std::string gPasses;  // pipeline run after import (numeric equivalence of the passes)

Result runTest(const fs::path& dir, bool modelSuite) {
  Result r;
  r.test = dir.filename().string();
  onnx::ModelProto m;
  {
    std::string bytes = readFileBytes((dir / "model.onnx").string());
    if (!m.ParseFromString(bytes)) return {r.test, "?", "fail", "model does not parse"};
  }
  std::set<std::string> ops = modelOps(m, &r.group);
  if (modelSuite) r.group = r.test;
  for (const auto& op : ops)
    if (op != "Constant" && !OpRegistry::instance().find(op)) {
      r.status = "unsupported";
      r.detail = op;
      return r;
    }
  try {
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return {r.test, r.group, "fail", "no test_data_set_*"};
    std::set<std::string> inits;
    for (const auto& i : m.graph().initializer()) inits.insert(i.name());
    std::vector<std::string> inputNames;
    for (const auto& i : m.graph().input())
      if (!inits.count(i.name())) inputNames.push_back(i.name());
    for (const auto& set : sets) {
      // Each set is imported with its own input shapes (symbolic batch dims take the data's).
      ImportOptions opts;
      std::vector<Tensor> inputs;
      for (size_t i = 0; i < inputNames.size(); ++i) {
        inputs.push_back(readTensorFile((set / fmt::format("input_{}.pb", i)).string()));
        opts.inputShapes[inputNames[i]] = inputs.back().shape();
      }
      // Shape-determining inputs (axes, pads, shapes, scales) must be compile-time constants
      // for tinyc, while node tests feed them as graph inputs: when the import says so, bind
      // every input after the first (the data) as a constant, and if needed all of them.
      std::unique_ptr<Graph> g;
      const std::vector<Tensor> all = inputs;
      for (size_t firstBound = inputNames.size() + 1;;) {
        try {
          g = importModel((dir / "model.onnx").string(), opts);
          break;
        } catch (const Error& e) {
          if (std::string(e.what()).find("known at compile time") == std::string::npos || firstBound == 0) throw;
          firstBound = firstBound > 1 ? 1 : 0;
          inputs.clear();
          for (size_t i = 0; i < inputNames.size(); ++i) {
            if (i >= firstBound) {
              opts.constantInputs[inputNames[i]] = all[i];
              opts.inputShapes.erase(inputNames[i]);
            } else {
              inputs.push_back(all[i]);
            }
          }
          r.detail = "shape-determining inputs bound as constants";
        }
      }
      // Every input bound as a constant: the whole graph folds at compile time and the C run
      // would compare constants tinyc computed itself (no C kernel runs). Interpreter only.
      if (!gBackend.empty() && inputs.empty() && !inputNames.empty()) {
        r.status = "interp-only";
        r.detail = "every input is shape-determining: bound as constants, folded, no C kernel runs";
        return r;
      }
      if (!gPasses.empty()) {
        PassManagerOptions pmo;
        pmo.verifyEach = true;
        pmo.pass.layout = findTarget(gTarget).layout;
        PassManager pm(pmo);
        pm.addPipeline(gPasses.rfind("-O", 0) == 0 ? pipelineForLevel(std::stoi(gPasses.substr(2))) : gPasses);
        pm.run(*g);
      }
      std::vector<Tensor> outs;
      if (gBackend.empty()) {
        Interpreter interp(*g);
        outs = interp.run(inputs);
      } else {
        const TargetDesc& target = findTarget(gTarget);
        auto problems = findBackend(gBackend).unsupported(*g, target);
        if (!problems.empty()) {
          r.status = "unsupported";
          r.detail = problems.front();
          r.noKernel = true;
          return r;
        }
        EmitOptions eo;
        eo.name = "model";
        eo.target = &target;
        eo.poisonDead = true;  // a planning mistake shows up as a wrong output
        eo.sharedRuntime = gRuntime == "shared";
        EmitResult er = findBackend(gBackend).emit(*g, eo);
        std::string wd = (fs::path(gWork) / r.test).string();
        fs::remove_all(wd);
        std::string exe = c::buildHost(wd, "model", er.files, {});
        outs = c::runHost(exe, *g, inputs, wd);
        fs::remove_all(wd);
      }
      for (size_t i = 0; i < outs.size(); ++i) {
        fs::path ref = set / fmt::format("output_{}.pb", i);
        if (!fs::exists(ref)) continue;
        Tensor want = readTensorFile(ref.string());
        Comparison c = compareTensors(outs[i], want, toleranceFor(r.group, modelSuite));
        if (!c.ok) {
          r.status = "fail";
          r.detail = fmt::format("{} output {}: {}", set.filename().string(), i, c.why);
          return r;
        }
      }
    }
    r.status = "pass";
  } catch (const std::exception& e) {
    r.status = "fail";
    r.detail = e.what();
    // Element types tinyc does not have (float8, bfloat16, 2- and 4-bit, string tensors as
    // graph data): counted as unsupported, like an op outside the registry, not as a failure.
    static const std::regex dtype(R"(element type [A-Za-z0-9]+ \(\d+\) is not supported|Cast to \w+ \(type \d+\) is not supported)");
    if (std::regex_search(r.detail, dtype)) r.status = "unsupported";
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tinyc conformance runner (reference interpreter)"};
  std::string suite, filter;
  std::vector<std::string> knownFiles;
  bool modelSuite = false, verbose = false;
  app.add_option("--suite", suite, "folder of test directories (each with model.onnx)")->required();
  app.add_option("--known-failures", knownFiles, "files listing expected failures with a reason (repeatable)");
  app.add_option("--filter", filter, "only tests whose name matches this regex");
  app.add_flag("--models", modelSuite, "whole-model suite: group by model, tolerance relative to output range");
  app.add_flag("-v,--verbose", verbose, "print every test");
  app.add_option("--backend", gBackend, "also convert with this backend (c), build with the host cc -O2 -Werror, run and compare");
  app.add_option("--runtime", gRuntime, "C backend: inline or shared (CC='ccache cc' compiles the same tinyc_runtime.c once)")
      ->check(CLI::IsMember({"inline", "shared"}));
  app.add_option("--target", gTarget, "target (its preferred layout is given to the passes)");
  app.add_option("--passes", gPasses, "run this pass pipeline (a,b,c or -O1/-O2; verifier after each pass) before running");
  app.add_option("--work-dir", gWork, "scratch folder for generated code")->default_str("/tmp");
  CLI11_PARSE(app, argc, argv);

  std::map<std::string, std::string> known;
  try {
    for (const auto& f : knownFiles) {
      auto k = readKnownFailures(f);
      known.insert(k.begin(), k.end());
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(suite, ec))
    if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
  if (ec || dirs.empty()) {
    std::cerr << "no tests found in " << suite << "\n";
    return 2;
  }
  std::sort(dirs.begin(), dirs.end());
  std::regex re(filter.empty() ? ".*" : filter);
  if (gWork.empty()) gWork = (fs::temp_directory_path() / fmt::format("tinyc_conformance_{}", ::getpid())).string();

  struct Row {
    int pass = 0, fail = 0, known = 0, unsupported = 0, interpOnly = 0;
  };
  std::map<std::string, Row> table;
  std::vector<Result> failures, unexpectedPasses;
  int total = 0;
  for (const auto& d : dirs) {
    if (!std::regex_search(d.filename().string(), re)) continue;
    Result r = runTest(d, modelSuite);
    ++total;
    Row& row = table[r.group];
    bool isKnown = known.count(r.test) != 0;
    if (r.status == "pass") {
      row.pass++;
      if (isKnown) unexpectedPasses.push_back(r);
    } else if (r.status == "unsupported" && !r.noKernel) {
      row.unsupported++;
    } else if (r.status == "interp-only") {
      row.interpOnly++;
    } else if (isKnown) {
      row.known++;
      r.status = "known";
    } else {
      row.fail++;
      failures.push_back(r);
    }
    if (verbose) std::cout << r.status << "  " << r.test << "  " << r.detail << "\n";
  }

  Row sum;
  // interp-only: C runs only; the graph folded entirely (see runTest), so no C was tested.
  const char* fmtRow = "{:<28} {:>6} {:>6} {:>6} {:>6} {:>12} {:>12}\n";
  std::cout << fmt::format(fmtRow, "group", "tests", "pass", "fail", "known", "unsupported", "interp-only");
  for (const auto& [group, row] : table) {
    int n = row.pass + row.fail + row.known + row.unsupported + row.interpOnly;
    if (row.pass + row.fail + row.known + row.interpOnly == 0 && !verbose) {
      sum.unsupported += row.unsupported;
      continue;  // ops outside the registry: counted in the total line only
    }
    std::cout << fmt::format(fmtRow, group, n, row.pass, row.fail, row.known, row.unsupported, row.interpOnly);
    sum.pass += row.pass;
    sum.fail += row.fail;
    sum.known += row.known;
    sum.unsupported += row.unsupported;
    sum.interpOnly += row.interpOnly;
  }
  std::cout << fmt::format(fmtRow, "TOTAL", total, sum.pass, sum.fail, sum.known, sum.unsupported, sum.interpOnly);
  for (const auto& f : failures) std::cout << "FAIL " << f.test << ": " << f.detail << "\n";
  for (const auto& p : unexpectedPasses)
    std::cout << "UNEXPECTED PASS " << p.test << " (remove it from the known-failures list)\n";
  for (const auto& [name, reason] : known)
    if (std::regex_search(name, re) && !std::any_of(dirs.begin(), dirs.end(), [&](const fs::path& d) { return d.filename() == name; }))
      std::cout << "NOTE: known failure '" << name << "' is not a test in this suite\n";
  return failures.empty() && unexpectedPasses.empty() ? 0 : 1;
}
