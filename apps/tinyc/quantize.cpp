#include "quantize.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "inputs.h"
#include "ir/printer.h"
#include "onnx/tensor_proto.h"
#include "support/error.h"
#include "support/npz.h"

namespace tinyc::cli {

namespace fs = std::filesystem;

namespace {

bool hasSuffix(const std::string& s, const char* suf) {
  const size_t n = std::strlen(suf);
  return s.size() >= n && s.compare(s.size() - n, n, suf) == 0;
}

// The samples in tensor t for graph input v: t has v's shape (one sample), or [N] + v's shape, or
// [N, ...] where v's shape is [1, ...] (N samples). Float data is converted to v's type.
std::vector<Tensor> splitSamples(const Value* v, const Tensor& t, const std::string& what) {
  const Shape& want = v->shape;
  const Shape& s = t.shape();
  int64_t n = -1;
  if (s == want)
    n = 1;
  else if (s.size() == want.size() + 1 && Shape(s.begin() + 1, s.end()) == want)
    n = s[0];
  else if (!want.empty() && want[0] == 1 && s.size() == want.size() && Shape(s.begin() + 1, s.end()) == Shape(want.begin() + 1, want.end()))
    n = s[0];
  const bool convertible = t.dtype() == v->dtype || (isFloat(t.dtype()) && isFloat(v->dtype));
  if (n < 0 || !convertible)
    modelError("calibration data '{}' holds {}{} but input '{}' is {}{} (one sample, or N samples along a leading axis)",
               printable(what, 200), dtypeName(t.dtype()), shapeStr(s), printable(v->name), dtypeName(v->dtype),
               shapeStr(want));
  std::vector<Tensor> out;
  const int64_t per = numElements(want);
  for (int64_t k = 0; k < n; ++k) {
    Tensor x(v->dtype, want);
    for (int64_t i = 0; i < per; ++i) {
      if (isFloat(v->dtype))
        x.setF(i, t.getF(k * per + i));
      else
        x.setI(i, t.getI(k * per + i));
    }
    out.push_back(std::move(x));
  }
  return out;
}

void requireOneInput(const Graph& g, const std::string& what) {
  if (g.inputs.size() != 1)
    usageError("--calib '{}': one file calibrates a model with one input; this one has {}: give a folder with a "
               "file per input (named after it), test_data_set_* folders or an .npz keyed by input name",
               printable(what, 200), g.inputs.size());
}

// Shows progress on stderr once calibration has taken a second: runs, rate, time left. (The
// environment variable TINYC_PROGRESS_DELAY, in seconds, changes the second: tests/cli/quantize.sh.)
class ProgressBar {
 public:
  ProgressBar(int samples, bool enabled) : samples_(std::max(1, samples)), enabled_(enabled) {
    if (const char* d = std::getenv("TINYC_PROGRESS_DELAY")) delay_ = std::atof(d);
  }
  void operator()(int done, int total) {
    if (!enabled_) return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if ((secs < delay_ && !shown_) || (done < total && secs - last_ < 0.1)) return;  // at most 10 lines a second
    last_ = secs;
    const double rate = done / std::max(secs, 1e-9);
    const int passes = std::max(1, total / samples_), pass = std::min(passes, (done - 1) / samples_ + 1);
    std::cerr << fmt::format("\rtinyc: calibrating: {}{}/{} samples, {:.1f}/s, {:.0f} s left   ",
                             passes > 1 ? fmt::format("pass {}/{}, ", pass, passes) : "", done - (pass - 1) * samples_,
                             samples_, rate, (total - done) / std::max(rate, 1e-9));
    shown_ = true;
    if (done == total) std::cerr << "\n";
  }

 private:
  int samples_;
  bool enabled_, shown_ = false;
  double delay_ = 1.0, last_ = -1.0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A file or array name for input name: itself, or with every character outside [A-Za-z0-9_.-]
// replaced by '_' (a file cannot be named "input_1:0" everywhere, nor "a/b" anywhere).
bool namesInput(const std::string& stem, const std::string& input) {
  if (stem == input) return true;
  std::string safe = input;
  for (char& ch : safe)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '.' && ch != '-') ch = '_';
  return stem == safe;
}

// Samples of a model with several inputs from one array per input (named after it: namesInput),
// each holding N samples along a leading axis; load(i) reads array i.
std::vector<std::vector<Tensor>> perInput(const Graph& g, const std::string& data,
                                          const std::vector<std::pair<std::string, Tensor>>& arrays,
                                          const std::function<Tensor(size_t)>& load, const char* what) {
  std::vector<std::vector<Tensor>> per, out;
  for (const Value* v : g.inputs) {
    auto it = std::find_if(arrays.begin(), arrays.end(), [&](const auto& a) { return namesInput(a.first, v->name); });
    if (it == arrays.end())
      modelError("calibration data '{}' has no {} named after input '{}'", printable(data, 200), what,
                 printable(v->name));
    per.push_back(splitSamples(v, load(static_cast<size_t>(it - arrays.begin())), data + ":" + it->first));
    if (per.back().size() != per[0].size())
      modelError("calibration data '{}': the {}s hold different numbers of samples", printable(data, 200), what);
  }
  for (size_t k = 0; k < per[0].size(); ++k) {
    out.emplace_back();
    for (auto& p : per) out.back().push_back(std::move(p[k]));
  }
  return out;
}

}  // namespace

std::vector<std::vector<Tensor>> calibrationSamples(const Graph& g, const std::string& data, int maxSamples) {
  std::vector<std::vector<Tensor>> out;
  std::error_code ec;
  auto addSingle = [&](const Tensor& t, const std::string& what) {
    for (Tensor& x : splitSamples(g.inputs[0], t, what)) out.push_back({std::move(x)});
  };
  if (fs::is_directory(data, ec)) {
    std::vector<fs::path> files;
    bool testData = fs::exists(fs::path(data) / "input_0.pb", ec);
    for (const auto& e : fs::directory_iterator(data, ec)) {
      const std::string name = e.path().filename().string();
      if (e.is_directory() && name.rfind("test_data_set_", 0) == 0) testData = true;
      if (e.is_regular_file() && (hasSuffix(name, ".npy") || hasSuffix(name, ".pb"))) files.push_back(e.path());
    }
    if (ec) modelError("cannot read calibration folder '{}'", printable(data, 200));
    if (testData) {
      for (InputSet& s : inputsFromTestData(g, data)) out.push_back(std::move(s.inputs));
    } else if (g.inputs.size() == 1) {
      std::sort(files.begin(), files.end());
      for (const auto& f : files) addSingle(readTensorFile(f.string()), f.string());
    } else if (!files.empty()) {  // several inputs: one file per input, named after it
      std::vector<std::pair<std::string, Tensor>> arrays;
      for (const auto& f : files) arrays.emplace_back(f.stem().string(), Tensor());
      out = perInput(g, data, arrays, [&](size_t i) { return readTensorFile(files[i].string()); }, "file");
    }
  } else if (hasSuffix(data, ".npz")) {
    auto arrays = readNpz(data);
    if (g.inputs.size() == 1) {
      for (const auto& [name, t] : arrays) addSingle(t, data + ":" + name);
    } else {
      out = perInput(g, data, arrays, [&](size_t i) { return arrays[i].second; }, "array");
    }
  } else {
    if (!fs::exists(data, ec)) modelError("calibration data '{}' does not exist", printable(data, 200));
    requireOneInput(g, data);
    addSingle(readTensorFile(data), data);
  }
  if (out.empty())
    usageError("no calibration samples in '{}' (expected test_data_set_* folders, .npy/.pb files or an .npz)",
               printable(data, 200));
  if (maxSamples > 0 && static_cast<int>(out.size()) > maxSamples) out.resize(static_cast<size_t>(maxSamples));
  return out;
}

void addQuantizeOptions(CLI::App* cmd, QuantizeOptions& o) {
  cmd->add_option("--quantize", o.scheme,
                  "post-training quantization of a float model: int8 (activations per tensor, weights per channel; "
                  "needs --calib), int16x8 (int16 activations, int8 weights; needs --calib) or weights-int8 (int8 "
                  "weights, float activations: flash savings only)")
      ->check(CLI::IsMember({"int8", "int16x8", "weights-int8"}));
  cmd->add_option("--keep-float", o.keepFloat, "with --quantize: leave these nodes in float (comma-separated names)")
      ->delimiter(',');
  cmd->add_option("--min-sqnr", o.minSqnr,
                  "with --quantize: the layers whose output SQNR on the calibration set is below this many dB go one "
                  "step up (int4 weights to int8, int8 activations to int16, int16 to float; measured, one layer per "
                  "round, up to 7 rounds)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--weight-bits", o.weightBits,
                  "with --quantize int8: 4 gives int4 weights (two per byte) to every Conv, Gemm and MatMul whose own "
                  "output SQNR with them stays at least 20 dB on the calibration samples, the others int8 (default 8)")
      ->check(CLI::IsMember({4, 8}));
  cmd->add_flag("--no-bias-correction", o.noBiasCorrection,
                "with --quantize int8/int16x8: leave the biases as they are (by default the mean error that rounding "
                "the weights adds to each output channel on the calibration samples goes into its bias)");
  cmd->add_option("--calib", o.calib,
                  "calibration inputs: a folder of test_data_set_* folders, a folder of .npy/.pb files, or an .npz");
  cmd->add_option("--calib-samples", o.samples, "use at most this many calibration samples (default: all)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--calib-method", o.method,
                  fmt::format("how activation ranges are chosen: minmax, percentile, entropy, mse (default {})",
                              kDefaultCalibMethod))
      ->check(CLI::IsMember({"minmax", "percentile", "entropy", "mse"}));
}

std::shared_ptr<QuantizeRequest> quantizeRequest(const Graph& g, const QuantizeOptions& o, bool quiet) {
  if (o.scheme.empty()) {
    if (!o.calib.empty() || o.samples || !o.method.empty() || !o.keepFloat.empty() || o.minSqnr > 0 || o.weightBits ||
        o.noBiasCorrection)
      usageError("--calib, --calib-samples, --calib-method, --keep-float, --min-sqnr, --weight-bits and "
                 "--no-bias-correction need --quantize");
    return nullptr;
  }
  auto r = std::make_shared<QuantizeRequest>();
  r->scheme = o.scheme;
  r->keepFloat = std::set<std::string>(o.keepFloat.begin(), o.keepFloat.end());
  if (o.scheme == "weights-int8") {
    if (!o.calib.empty() || o.samples || !o.method.empty() || o.minSqnr > 0 || o.noBiasCorrection)
      usageError("--quantize weights-int8 takes no calibration (--calib, --calib-samples, --calib-method, --min-sqnr, "
                 "--no-bias-correction)");
    if (o.weightBits == 4) usageError("--weight-bits 4 works with --quantize int8 only (int4 weights, int8 activations)");
    return r;
  }
  if (o.weightBits == 4 && o.scheme != "int8")
    usageError("--weight-bits 4 works with --quantize int8 only (int4 weights, int8 activations)");
  r->weightBits = o.weightBits == 4 ? 4 : 8;
  r->biasCorrection = !o.noBiasCorrection;
  if (o.calib.empty()) usageError("--quantize {} needs calibration data: --calib DATA", o.scheme);
  r->method = parseCalibMethod(o.method.empty() ? kDefaultCalibMethod : o.method);
  r->samples = calibrationSamples(g, o.calib, o.samples);
  auto bar = std::make_shared<ProgressBar>(static_cast<int>(r->samples.size()), !quiet && isatty(STDERR_FILENO));
  r->progress = [bar](int done, int total) { (*bar)(done, total); };
  return r;
}

nlohmann::ordered_json quantizationJson(const QuantizeOptions& o, const QuantizeRequest* r) {
  if (!r) return nullptr;
  const bool weightsOnly = r->scheme == "weights-int8";
  nlohmann::ordered_json j = {{"scheme", r->scheme},
                              {"activations", weightsOnly                ? "float"
                                              : r->scheme == "int16x8" ? "int16 symmetric per tensor"
                                                                       : "int8 asymmetric per tensor"},
                              {"weights", r->weightBits == 4 ? "int4 (where the layer's SQNR allows, else int8) symmetric "
                                                               "per output channel"
                                                             : "int8 symmetric per output channel"}};
  if (!weightsOnly) {
    j["calibration_method"] = calibMethodName(r->method);
    j["calibration_samples"] = r->samples.size();
    j["calibration_data"] = o.calib;
    j["bias_correction"] = r->biasCorrection;
  }
  j["keep_float"] = std::vector<std::string>(r->keepFloat.begin(), r->keepFloat.end());
  if (r->weightBits == 4) j["keep_int8_weights"] = std::vector<std::string>(r->keepInt8.begin(), r->keepInt8.end());
  if (r->scheme == "int8") j["int16_layers"] = std::vector<std::string>(r->int16Layers.begin(), r->int16Layers.end());
  if (o.minSqnr > 0) j["min_sqnr_db"] = o.minSqnr;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const QuantizedLayer& l : *r->layers) {
    nlohmann::ordered_json e = {{"node", l.node}, {"op", l.op}, {"precision", l.precision}};
    e["sqnr_db"] = weightsOnly ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(std::round(l.sqnrDb * 100) / 100);
    e["weight_bytes"] = l.weightBytes;
    if (l.int4SqnrDb) e["int4_sqnr_db"] = std::round(*l.int4SqnrDb * 100) / 100;
    layers.push_back(e);
  }
  j["layers"] = layers;
  return j;
}

}  // namespace tinyc::cli
