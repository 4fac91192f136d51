// tinyc convert/bench --report-html: the report as one self-contained HTML page (no network):
// the summary, a per-layer table sortable by column with cost bars, and the memory plan picture.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace tinyc::cli {
// report: Compiled::report() (docs/report-json.md); planSvg: the plan drawn by planSvg();
// measured: null, or what `tinyc bench --emulate --json` prints (flash and RAM split, per-layer
// instructions), shown where present.
std::string reportHtml(const nlohmann::ordered_json& report, const std::string& planSvg,
                       const nlohmann::ordered_json& measured, const std::string& version);
}  // namespace tinyc::cli
