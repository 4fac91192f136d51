// --quantize / --calib options (convert, validate, bench, inspect): calibration data loading,
// the progress bar, and the request handed to the quantize pass (passes/quantize.h).
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/quantize.h"

namespace tinyc::cli {

struct QuantizeOptions {
  std::string scheme;  // --quantize: "" (off), "int8" or "weights-int8"
  std::string calib;   // --calib DATA
  int samples = 0;     // --calib-samples (0: all)
  std::string method;  // --calib-method ("" = kDefaultCalibMethod)
  std::vector<std::string> keepFloat;  // --keep-float NODE,...
  double minSqnr = 0;                  // --min-sqnr DB (0: off)
  int weightBits = 0;                  // --weight-bits 8|4 (0: not given = 8)
  bool noBiasCorrection = false;       // --no-bias-correction
};
// --min-sqnr: at most this many rounds of quantize, measure, keep the first failing layer float.
inline constexpr int kMinSqnrRounds = 8;
// The method used when --calib-method is not given (chosen by measurement: docs/quantization.md).
inline const char* kDefaultCalibMethod = "mse";

void addQuantizeOptions(CLI::App* cmd, QuantizeOptions& o);
// nullptr without --quantize; usage error for --calib* without --quantize or --quantize without
// --calib. Loads the samples for g's inputs (calibrationSamples); progress on stderr unless quiet.
std::shared_ptr<QuantizeRequest> quantizeRequest(const Graph& g, const QuantizeOptions& o, bool quiet);
// What the report and inspect say about it: null without --quantize.
nlohmann::ordered_json quantizationJson(const QuantizeOptions& o, const QuantizeRequest* r);

// Calibration inputs from DATA, in graph-input order: a folder holding test_data_set_* folders
// (or input_K.pb directly), a folder of .npy/.pb files, one .npy/.pb file, or an .npz archive.
// A file holds one sample (the input's shape) or several along a new leading axis (or along the
// batch axis when it is 1); float data of another width is converted. Files and folders are taken
// in name order; at most maxSamples (0: all).
std::vector<std::vector<Tensor>> calibrationSamples(const Graph& g, const std::string& data, int maxSamples);

}  // namespace tinyc::cli
